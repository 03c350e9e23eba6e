"""A heartbeat: renew a lease from a daemon thread while the work that holds it runs.

A relay's claim and a job's slot are leases; a process that dies stops renewing them, so another
one takes the work over once they run out. The work itself may block for long (a slow Slack, a
429's Retry-After sleep inside slack_sdk), so the renewal runs beside it, not between its steps.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType

log = logging.getLogger(__name__)


class Heartbeat:
    """`with Heartbeat(renew, every=5.0): work()` calls `renew()` every `every` seconds meanwhile."""

    def __init__(self, renew: Callable[[], object], every: float, name: str = "heartbeat") -> None:
        self.renew = renew
        self.every = every
        self.name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.renew()
            except Exception:  # the database blinked: the next beat tries again, well within the lease
                log.warning("%s: could not renew the lease", self.name, exc_info=True)
