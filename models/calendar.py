"""Working days and hours: when a person may be nudged. Public holidays come from `holidays`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays


class WorkCalendar:
    """Business days (Mon–Fri, not a public holiday or a company closure) and working hours."""

    def __init__(
        self,
        zone: ZoneInfo,
        start: time = time(9),
        end: time = time(18),
        country: str = "JP",
        closures: Iterable[date] = (),
    ) -> None:
        self.zone = zone
        self.start = start
        self.end = end
        self.public = holidays.country_holidays(country) if country else None
        self.closures = frozenset(closures)

    def is_business_day(self, day: date) -> bool:
        # (a `holidays` table is filled lazily, year by year: test membership, not truthiness)
        return day.weekday() < 5 and day not in self.closures and not (self.public is not None and day in self.public)

    def is_working_time(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return self.is_business_day(local.date()) and self.start <= local.time() < self.end

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` itself when it is working time, else the start of the next working morning."""
        local = moment.astimezone(self.zone)
        if self.is_working_time(local):
            return local
        day = local.date() if local.time() < self.start else local.date() + timedelta(days=1)
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return datetime.combine(day, self.start, tzinfo=self.zone)

    def business_days_before(self, day: date, count: int) -> date:
        """The business day `count` business days before `day` (10 before a Monday: two Mondays back)."""
        current = day
        while count > 0:
            current -= timedelta(days=1)
            if self.is_business_day(current):
                count -= 1
        return current
