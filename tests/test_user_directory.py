"""The user directory (issue 10): nothing slow before an answer to Slack, an unknown owner checked
after the ack, and Slack's events keeping names, locales and managers fresh."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from slack_bolt.request import BoltRequest
from sqlalchemy import delete

from app import Hiyoko, start_directory_fill
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import TEAM, action_submission, block_action, input_values, modal_state, sign, view_submission
from jobs.tasks import make_context
from jobs.timer import Scheduler
from models.clock import FixedClock
from store import Target
from store.schedule import JobStore
from store.tables import UserGroupRow, UserRow
from tests.conftest import AE, CHANNEL, CSM, build, dispatch, make_settings, wait_for
from tests.directory import fill_directory

SLOW = 4.0  # longer than Slack's 3 seconds


def submit(hiyoko: Hiyoko, user: str = CSM, view_id: str = "V1", **fields: Any) -> tuple[float, dict[str, Any]]:
    """Submit the share modal; returns how long the ack took and its body."""
    started = time.monotonic()
    response = dispatch(hiyoko, view_submission(user, modal_state(**fields), view_id=view_id))
    elapsed = time.monotonic() - started
    assert response.status == 200, response.body
    return elapsed, json.loads(response.body) if response.body else {}


def send_event(hiyoko: Hiyoko, event: dict[str, Any]) -> None:
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": TEAM["id"],
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "event": event,
        },
        ensure_ascii=False,
    )
    headers = {**sign(body), "content-type": "application/json"}
    assert hiyoko.bolt.dispatch(BoltRequest(body=body, headers={k: [v] for k, v in headers.items()})).status == 200


def slack_user(user_id: str, display_name: str, *, locale: str = "ja-JP", deleted: bool = False) -> dict[str, Any]:
    """A user object as user_change and team_join carry it."""
    return {
        "id": user_id,
        "name": display_name.lower(),
        "real_name": display_name,
        "deleted": deleted,
        "is_bot": False,
        "locale": locale,
        "profile": {"display_name": display_name, "real_name": display_name},
    }


def opened_views(fake_slack: FakeSlack) -> list[dict[str, Any]]:
    calls = fake_slack.calls_to("views.open")
    return [json.loads(c["view"]) if isinstance(c["view"], str) else c["view"] for c in calls]


def test_a_slow_slack_does_not_hold_up_the_share_ack(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    fake_slack.hang_next(1, seconds=SLOW, method="users.info")  # a cold directory and a slow Slack
    elapsed, body = submit(hiyoko)
    assert body == {} and elapsed < 1.0, elapsed  # Slack gives up at 3 s
    [signal] = hiyoko.store.all()
    assert (signal.owner_name, signal.submitter_name) == (AE, CSM)  # ids until Slack has answered
    assert [row.target for row in hiyoko.outbox.rows() if row.target == Target.CHECK_OWNER.value] == ["check_owner"]
    fake_slack.reset_faults()
    hiyoko.relay.drain()
    checked = hiyoko.store.get(1)
    assert checked is not None and (checked.owner_name, checked.submitter_name) == ("田中", "佐藤")
    assert hiyoko.users.lookup(AE) is not None  # kept in the directory
    assert fake_slack.messages(CHANNEL) and not fake_slack.messages(CSM)  # the card; no DM for a fine owner


def test_a_known_owner_is_not_checked_again(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    fill_directory(hiyoko)
    submit(hiyoko)
    assert Target.CHECK_OWNER.value not in {row.target for row in hiyoko.outbox.rows()}
    assert hiyoko.store.all()[0].owner_name == "田中"


def test_the_action_modal_opens_at_once_for_a_user_the_directory_does_not_know(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, clock: FixedClock
) -> None:
    fake_slack.add_usergroup("SMGRS", ["UBOSS"])
    hiyoko = build(make_settings(tmp_path, fake_slack, fake_sheets, hiyoko_managers="SMGRS"), clock)
    submit(hiyoko)
    hiyoko.relay.drain()
    with hiyoko.db.transaction() as session:  # the relay's owner check filled it: forget everyone …
        session.execute(delete(UserRow))
        session.execute(delete(UserGroupRow))
    # … and every users.info or usergroups.users.list slower than Slack's 3 seconds.
    fake_slack.hang_next(3, seconds=SLOW, method="users.info")
    fake_slack.hang_next(3, seconds=SLOW, method="usergroups.users.list")
    started = time.monotonic()
    assert dispatch(hiyoko, block_action(AE, "signal_hatch", "S-000001")).status == 200
    wait_for(lambda: fake_slack.calls_to("views.open"), timeout=SLOW + 2)
    assert time.monotonic() - started < 1.5  # the trigger_id was still alive
    [view] = opened_views(fake_slack)
    assert json.loads(view["private_metadata"])["action"] == "hatch"
    fake_slack.reset_faults()
    hiyoko.db.dispose()


def test_an_unknown_owner_who_is_deactivated_gets_the_submitter_a_dm_to_pick_another(
    hiyoko: Hiyoko, fake_slack: FakeSlack
) -> None:
    fill_directory(hiyoko)
    fake_slack.add_user("ULEFT", "left", display_name="退職済み", deleted=True)  # after the fill: unknown
    assert submit(hiyoko, owner="ULEFT")[1] == {}
    hiyoko.relay.drain()
    assert fake_slack.messages(CHANNEL)  # nothing is lost: the card is posted as usual
    [dm] = fake_slack.messages(CSM)
    assert "S-000001" in dm["text"] and "無効化されています" in dm["text"] and "<@ULEFT>" in dm["text"]
    [button] = [e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"]) == ("signal_pick_owner", "S-000001")
    assert hiyoko.store.all()[0].owner_name == "退職済み"
    # The button opens the reassign modal; its submission reassigns as usual.
    assert dispatch(hiyoko, block_action(CSM, "signal_pick_owner", "S-000001", channel=dm["channel"])).status == 200
    view = wait_for(lambda: opened_views(fake_slack))[0]
    assert json.loads(view["private_metadata"])["action"] == "reassign"
    answer = dispatch(hiyoko, action_submission(CSM, view, input_values(owner=AE)))
    assert answer.status == 200 and not answer.body
    signal = hiyoko.store.get(1)
    assert signal is not None and (signal.owner_id, signal.owner_name) == (AE, "田中")


def test_the_pick_owner_button_is_refused_to_strangers(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    fill_directory(hiyoko)
    submit(hiyoko)
    fake_slack.add_user("USTRANGER", "stranger")
    assert dispatch(hiyoko, block_action("USTRANGER", "signal_pick_owner", "S-000001")).status == 200
    wait_for(lambda: fake_slack.calls_to("chat.postEphemeral"))
    assert not fake_slack.calls_to("views.open")


def test_user_change_and_team_join_update_the_directory(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    fill_directory(hiyoko)
    send_event(hiyoko, {"type": "user_change", "user": slack_user(AE, "田中 (営業)", locale="en-US")})
    user = wait_for(lambda: (u := hiyoko.users.lookup(AE)) and u.name == "田中 (営業)" and u)
    assert user.locale == "en-US"
    send_event(hiyoko, {"type": "team_join", "user": slack_user("UNEW", "新人")})
    wait_for(lambda: hiyoko.users.lookup("UNEW"))
    without_locale = {k: v for k, v in slack_user(AE, "田中 (営業)").items() if k != "locale"}
    send_event(hiyoko, {"type": "user_change", "user": {**without_locale, "deleted": True}})
    wait_for(lambda: (u := hiyoko.users.lookup(AE)) and u.deleted)
    assert (u := hiyoko.users.lookup(AE)) is not None and u.locale == "en-US"  # an event without it keeps it
    send_event(hiyoko, {"type": "user_change", "user": without_locale})
    wait_for(lambda: (u := hiyoko.users.lookup(AE)) and not u.deleted)
    # The new name is in the next answer: a stranger's refusal names the owner.
    submit(hiyoko)
    fake_slack.add_user("USTRANGER", "stranger")
    dispatch(hiyoko, block_action("USTRANGER", "signal_won", "S-000001"))
    [refusal] = wait_for(lambda: fake_slack.calls_to("chat.postEphemeral"))
    assert "@田中 (営業)" in refusal["text"]
    # … and the owner now gets English modals.
    dispatch(hiyoko, block_action(AE, "signal_hatch", "S-000001"))
    [view] = wait_for(lambda: opened_views(fake_slack))
    assert view["title"]["text"] == "Hatch 🐣"


def test_subteam_events_add_and_remove_managers(
    tmp_path: Path, fake_slack: FakeSlack, fake_sheets: FakeSheets, clock: FixedClock
) -> None:
    fake_slack.add_user("UBOSS", "boss")
    fake_slack.add_user("UNEWBOSS", "newboss")
    fake_slack.add_usergroup("SMGRS", ["UBOSS"])
    hiyoko = fill_directory(build(make_settings(tmp_path, fake_slack, fake_sheets, hiyoko_managers="SMGRS"), clock))
    submit(hiyoko)
    submit(hiyoko, view_id="V2", customer="別の会社")
    send_event(
        hiyoko,
        {
            "type": "subteam_members_changed",
            "subteam_id": "SMGRS",
            "added_users": ["UNEWBOSS"],
            "added_users_count": 1,
            "removed_users": ["UBOSS"],
            "removed_users_count": 1,
        },
    )
    wait_for(lambda: hiyoko.users.directory.group_members("SMGRS") == frozenset({"UNEWBOSS"}))
    dispatch(hiyoko, block_action("UNEWBOSS", "signal_won", "S-000001"))  # a new manager may act
    wait_for(lambda: [e.action for e in hiyoko.store.events(1)] == ["submitted", "win"])
    dispatch(hiyoko, block_action("UBOSS", "signal_won", "S-000002"))  # a former one may not
    wait_for(lambda: fake_slack.calls_to("chat.postEphemeral"))
    assert [e.action for e in hiyoko.store.events(2)] == ["submitted"]
    send_event(hiyoko, {"type": "subteam_updated", "subteam": {"id": "SMGRS", "users": ["UBOSS"]}})
    wait_for(lambda: hiyoko.users.directory.group_members("SMGRS") == frozenset({"UBOSS"}))
    fake_slack.add_usergroup("SOTHER", ["UX"])
    send_event(hiyoko, {"type": "subteam_updated", "subteam": {"id": "SOTHER", "users": ["UX"]}})
    send_event(
        hiyoko, {"type": "subteam_members_changed", "subteam_id": "SOTHER", "added_users": ["UY"], "removed_users": []}
    )
    time.sleep(0.2)
    assert hiyoko.users.directory.group_members("SOTHER") is None  # only the managers' group is kept
    hiyoko.db.dispose()


def test_the_refresh_reads_every_page_of_users_list(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    for number in range(450):
        fake_slack.add_user(f"UMANY{number:04d}", f"many{number}")
    count = hiyoko.users.refresh()
    assert count == 455 and hiyoko.users.lookup("UMANY0449") is not None
    calls = fake_slack.calls_to("users.list")
    assert len(calls) == 3 and all(str(c["limit"]) == "200" for c in calls)
    assert hiyoko.scheduler.run("directory_refresh").lines == ["directory_refresh: 455 user(s)"]


def test_the_start_up_fill_runs_in_the_background(hiyoko: Hiyoko, fake_slack: FakeSlack) -> None:
    fake_slack.hang_next(1, seconds=1.0, method="users.list")
    started = time.monotonic()
    thread = start_directory_fill(hiyoko)
    assert time.monotonic() - started < 0.5  # the server starts at once
    thread.join(timeout=5)
    assert hiyoko.users.lookup(CSM) is not None


def test_reassigning_to_someone_the_directory_does_not_know_is_checked_after_the_ack(
    hiyoko: Hiyoko, fake_slack: FakeSlack
) -> None:
    fill_directory(hiyoko)
    submit(hiyoko)
    hiyoko.relay.drain()
    fake_slack.add_user("UROBOT2", "robot", is_bot=True)  # after the fill: unknown
    dispatch(hiyoko, block_action(AE, "signal_more", selected="reassign:S-000001"))
    view = wait_for(lambda: opened_views(fake_slack))[0]
    fake_slack.hang_next(1, seconds=SLOW, method="users.info")
    started = time.monotonic()
    answer = dispatch(hiyoko, action_submission(AE, view, input_values(owner="UROBOT2")))
    assert answer.status == 200 and not answer.body and time.monotonic() - started < 1.0
    fake_slack.reset_faults()
    hiyoko.relay.drain()
    signal = hiyoko.store.get(1)
    assert signal is not None and (signal.owner_id, signal.owner_name) == ("UROBOT2", "robot")
    [dm] = fake_slack.messages(CSM)
    assert "ボットです" in dm["text"]


def test_jobs_run_directory_refresh_works_without_the_app(hiyoko: Hiyoko, clock: FixedClock) -> None:
    """`hiyoko jobs run directory_refresh` builds a scheduler on the database alone."""
    scheduler = Scheduler(make_context(hiyoko.settings, JobStore(hiyoko.db)), clock)
    assert scheduler.run("directory_refresh").lines == ["directory_refresh: 5 user(s)"]
    assert hiyoko.users.lookup(CSM) is not None
