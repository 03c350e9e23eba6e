"""App Home: my open signals as owner and as submitter, eggs and chicks apart, oldest first, with
ages and actions; managers also see the team's numbers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from slack_sdk.models.views import View

from app import Hiyoko
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import modal_state, view_submission
from models.clock import FixedClock
from store import ChangeRequest, Hatch, Lose, Win
from store.absences import AbsenceStore
from tests.conftest import AE, CSM, OTHER_AE, build, dispatch, make_settings
from tests.directory import fill_directory, filled_directory  # noqa: F401 (an autouse fixture)


def share(hiyoko: Hiyoko, index: int, **fields: Any) -> None:
    state = modal_state(customer=f"顧客{index}", **fields)
    assert dispatch(hiyoko, view_submission(CSM, state, view_id=f"V{index}")).status == 200


def texts(view: dict[str, Any]) -> list[str]:
    out = []
    for block in view["blocks"]:
        text = block.get("text") or {}
        out.append(text.get("text", "") if isinstance(text, dict) else "")
        out.extend(e.get("text", "") for e in block.get("elements", []) if isinstance(e.get("text"), str))
    return out


def test_home_lists_eggs_and_chicks_oldest_first_with_ages(
    hiyoko: Hiyoko, fake_slack: FakeSlack, clock: FixedClock
) -> None:
    share(hiyoko, 1)
    clock.advance(days=3)
    share(hiyoko, 2, kind="chick", timing="2027-02-01")
    clock.advance(days=2)
    share(hiyoko, 3)
    hiyoko.relay.drain()
    home = fake_slack.home_views[AE]
    View(**home).validate_json()
    lines = "\n".join(texts(home))
    assert lines.index("顧客1") < lines.index("顧客3") < lines.index("顧客2")  # eggs (oldest first), then chicks
    assert "🥚 卵 2件" in lines and "🐣 ひよこ 1件" in lines
    assert "5日経過" in lines and "2日経過" in lines and "0日経過" in lines
    actions = [e["action_id"] for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions.count("signal_hatch") == 2 and actions.count("signal_won") == 3
    assert "チームの状況" not in lines  # not a manager
    submitter_home = "\n".join(texts(fake_slack.home_views[CSM]))
    assert "共有した予兆" in submitter_home and "顧客2" in submitter_home


def test_a_change_refreshes_the_homes_of_those_involved(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    share(hiyoko, 1)
    hiyoko.relay.drain()
    before = len(fake_slack.calls_to("views.publish"))
    hiyoko.store.change(1, ChangeRequest(Win(), AE), managers=frozenset(), today=hiyoko.clock.now().date())
    hiyoko.relay.drain()
    assert {c["user_id"] for c in fake_slack.calls_to("views.publish")[before:]} == {AE, CSM}
    assert "顧客1" not in "\n".join(texts(fake_slack.home_views[AE]))  # won: no longer open


def test_managers_see_the_team_numbers(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, clock: FixedClock
) -> None:
    hiyoko = fill_directory(build(make_settings(tmp_path, fake_slack, fake_sheets, hiyoko_managers=CSM), clock))
    for index in range(4):
        share(hiyoko, index)
    today = clock.now().date()
    hiyoko.store.change(1, ChangeRequest(Hatch(today), AE), managers=frozenset(), today=today)
    hiyoko.store.change(1, ChangeRequest(Win(), AE), managers=frozenset(), today=today)
    hiyoko.store.change(2, ChangeRequest(Lose("予算"), AE), managers=frozenset(), today=today)
    hiyoko.relay.drain()
    lines = "\n".join(texts(fake_slack.home_views[CSM]))
    assert "チームの状況" in lines
    assert "進行中: 🥚 2件 · 🐣 0件 / 受注 1件 · 失注 1件 · 取り下げ 0件" in lines
    assert "孵化率 25% · 受注率 50%" in lines
    assert json.dumps(fake_slack.home_views[AE]).count("UCSM") >= 1


def test_managers_see_the_load_per_owner_and_who_is_away(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, clock: FixedClock, database_url: str
) -> None:
    settings = make_settings(tmp_path, fake_slack, fake_sheets, hiyoko_managers=CSM, database_url=database_url)
    hiyoko = fill_directory(build(settings, clock))
    for index in range(3):
        share(hiyoko, index)
    share(hiyoko, 3, owner=OTHER_AE)
    today = clock.now().date()
    hiyoko.store.change(1, ChangeRequest(Win(), AE), managers=frozenset(), today=today)  # closed: not load
    AbsenceStore(hiyoko.db).set_away(OTHER_AE, today, date(2026, 12, 4), clock.now())
    AbsenceStore(hiyoko.db).set_away(AE, date(2026, 11, 1), date(2026, 11, 20), clock.now())  # over
    hiyoko.relay.drain()
    lines = "\n".join(texts(fake_slack.home_views[CSM]))
    assert f"*担当ごとの進行中の予兆*: <@{AE}> 2件 · <@{OTHER_AE}> 1件" in lines
    assert f"*不在*: <@{OTHER_AE}>(2026-12-04 まで)" in lines
    assert "担当ごとの" not in "\n".join(texts(fake_slack.home_views[AE]))  # managers only
