"""The HubSpot and Salesforce gateways, driven through their real client libraries against the fakes.

What they promise: one deal per signal however often a hand-off is repeated or a call fails half-way;
the CRM's rate limit and outages reach the outbox as CrmError with a wait; owner, company and stage
as the draft says; outcomes back from the CRM once; webhook signatures checked; doctor lines.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import certifi
import pytest

from crm.factory import gateway_of
from crm.gateway import CrmError, DealDraft, Outcome
from crm.hubspot import HubSpotGateway
from crm.salesforce import SalesforceGateway, soql_quote
from crm.webhook import parse_events, sign_v3, signed_uri, verify_v3
from fakes.hubspot_api import DEFAULT_STAGES, FakeHubSpot
from fakes.salesforce_api import FakeSalesforce, rsa_key_pair
from settings import Settings

DEALS = "/crm/v3/objects/deals"


def draft(signal: str = "S-000123", **changes: Any) -> DealDraft:
    values: dict[str, Any] = {
        "signal_id": signal,
        "name": f"Acme · seats ({signal})",
        "amount": Decimal("1200000"),
        "close_date": date(2027, 4, 1),
        "owner_email": "sato@example.com",
        "company_crm_id": None,
        "company_name": "Acme 株式会社",
        "permalink": "https://hiyoko.slack.com/archives/C1/p1700000000000100",
        "outcome": "open",
    }
    values.update(changes)
    return DealDraft(**values)


# ---------------------------------------------------------------------------------------- HubSpot


@pytest.fixture
def hubspot() -> Iterator[FakeHubSpot]:
    with FakeHubSpot() as fake:
        fake.add_owner("sato@example.com", "Hanako", "Sato")
        yield fake


@pytest.fixture
def hs_gateway(hubspot: FakeHubSpot) -> HubSpotGateway:
    return HubSpotGateway(access_token=hubspot.token, api_url=hubspot.url, timeout=5)


def test_hubspot_upsert_twice_makes_one_deal_with_the_drafts_fields(
    hubspot: FakeHubSpot, hs_gateway: HubSpotGateway
) -> None:
    first = hs_gateway.upsert(draft())
    second = hs_gateway.upsert(draft())

    deals = hubspot.deal_list()
    assert len(deals) == 1
    assert hubspot.calls_to("POST", DEALS) == 1
    assert (first.created, second.created) == (True, False)
    assert first.crm_id == second.crm_id == deals[0]["id"]
    assert first.url == f"https://app.hubspot.com/contacts/62515/deal/{first.crm_id}"
    props = deals[0]["properties"]
    assert props["hiyoko_signal_id"] == "S-000123"
    assert props["dealname"] == "Acme · seats (S-000123)"
    assert props["amount"] == "1200000"
    assert props["closedate"] == "2027-04-01T00:00:00.000Z"
    assert props["pipeline"] == "default" and props["dealstage"] == "appointmentscheduled"
    assert props["description"] == draft().permalink
    # The property was made once, as the spec says: string, unique values, in dealinformation.
    spec = hubspot.properties["hiyoko_signal_id"]
    assert (spec["type"], spec["hasUniqueValue"], spec["groupName"]) == ("string", True, "dealinformation")
    assert hubspot.calls_to("POST", "/crm/v3/properties/deals") == 1


def test_hubspot_500_then_200_still_one_deal(hubspot: FakeHubSpot, hs_gateway: HubSpotGateway) -> None:
    hubspot.fail_next(1, 500, method="POST", path=DEALS)
    with pytest.raises(CrmError) as failed:
        hs_gateway.upsert(draft())
    ref = hs_gateway.upsert(draft())

    assert not failed.value.permanent and failed.value.retry_after is None
    assert ref.created and len(hubspot.deals) == 1


def test_hubspot_a_create_whose_answer_was_lost_is_found_not_made_again(
    hubspot: FakeHubSpot, hs_gateway: HubSpotGateway
) -> None:
    hubspot.fail_next(1, 502, after=True, method="POST", path=DEALS)
    with pytest.raises(CrmError):
        hs_gateway.upsert(draft())
    ref = hs_gateway.upsert(draft())

    assert not ref.created
    assert len(hubspot.deals) == 1 and hubspot.calls_to("POST", DEALS) == 1


def test_hubspot_a_create_that_loses_a_race_uses_the_winners_deal(
    hubspot: FakeHubSpot, hs_gateway: HubSpotGateway
) -> None:
    hs_gateway.ensure_property()
    winner: list[str] = []
    hubspot.interleave_next(
        "POST",
        DEALS,
        lambda: winner.append(hubspot.add_deal(dealname="x", hiyoko_signal_id="S-000123", dealstage="qualifiedtobuy")),
    )

    ref = hs_gateway.upsert(draft())

    assert len(hubspot.deals) == 1 and [ref.crm_id] == winner and not ref.created
    assert hubspot.deals[ref.crm_id]["properties"]["dealname"] == draft().name  # then it follows the draft


def test_hubspot_429_is_a_crm_error_with_hubspots_wait_and_is_not_retried_inside(
    hubspot: FakeHubSpot, hs_gateway: HubSpotGateway
) -> None:
    hs_gateway.upsert(draft())  # warm: property, pipeline, portal are read once
    now = [500.0]
    hubspot.monotonic = lambda: now[0]
    hubspot.requests_per_window = 0
    before = len(hubspot.calls)

    started = time.monotonic()
    with pytest.raises(CrmError) as limited:
        hs_gateway.set_outcome(next(iter(hubspot.deals)), "won")

    assert limited.value.retry_after == 10.0 and not limited.value.permanent
    assert "429" in str(limited.value)
    assert len(hubspot.calls) == before + 1  # urllib3 did not wait out Retry-After and ask again
    assert time.monotonic() - started < 2


def test_hubspot_get_meeting_429_is_not_retried_by_urllib3(hubspot: FakeHubSpot, hs_gateway: HubSpotGateway) -> None:
    hubspot.requests_per_window = 0
    with pytest.raises(CrmError) as limited:
        hs_gateway.stages()  # a GET: urllib3's default Retry would sleep Retry-After and repeat it

    assert limited.value.retry_after is not None
    assert hubspot.calls_to("GET", "/crm/v3/pipelines/deals/default") == 1


def test_hubspot_company_by_crm_id_then_exact_name_then_none(hubspot: FakeHubSpot, hs_gateway: HubSpotGateway) -> None:
    by_id = hubspot.add_company("Acme Holdings")
    by_name = hubspot.add_company("Acme 株式会社")
    hubspot.add_company("Twin")
    hubspot.add_company("Twin")

    with_id = hs_gateway.upsert(draft("S-1", company_crm_id=by_id))
    unknown_id = hs_gateway.upsert(draft("S-2", company_crm_id="123456"))
    ambiguous = hs_gateway.upsert(draft("S-3", company_name="Twin"))
    nowhere = hs_gateway.upsert(draft("S-4", company_name="Nobody KK"))

    assert with_id.company_found and (with_id.crm_id, by_id) in hubspot.associations
    assert unknown_id.company_found and (unknown_id.crm_id, by_name) in hubspot.associations
    assert not ambiguous.company_found and not nowhere.company_found
    assert {deal for deal, _ in hubspot.associations} == {with_id.crm_id, unknown_id.crm_id}


def test_hubspot_owner_by_email_or_none(hubspot: FakeHubSpot, hs_gateway: HubSpotGateway) -> None:
    owned = hs_gateway.upsert(draft("S-1"))
    unowned = hs_gateway.upsert(draft("S-2", owner_email="nobody@example.com"))

    assert owned.owner_found and not unowned.owner_found
    assert hubspot.deals[owned.crm_id]["properties"]["hubspot_owner_id"] in hubspot.owners
    assert "hubspot_owner_id" not in hubspot.deals[unowned.crm_id]["properties"]


@pytest.mark.parametrize(("outcome", "stage"), [("won", "closedwon"), ("lost", "closedlost"), ("open", "qualified")])
def test_hubspot_stage_follows_the_outcome_by_display_order(
    hubspot: FakeHubSpot, hs_gateway: HubSpotGateway, outcome: Outcome, stage: str
) -> None:
    hubspot.set_pipeline(
        "default",
        "Sales",
        [("qualified", "Qualified", False, "0.3"), ("proposal", "Proposal", False, "0.6"), *DEFAULT_STAGES[-2:]],
    )
    hubspot.pipelines["default"]["stages"].reverse()  # HubSpot's order in the answer means nothing
    ref = hs_gateway.upsert(draft())
    hubspot.deals[ref.crm_id]["properties"]["dealstage"] = "proposal"

    hs_gateway.set_outcome(ref.crm_id, outcome)

    assert hubspot.deals[ref.crm_id]["properties"]["dealstage"] == stage


def test_hubspot_a_repeated_open_hand_off_leaves_a_later_open_stage_alone(
    hubspot: FakeHubSpot, hs_gateway: HubSpotGateway
) -> None:
    ref = hs_gateway.upsert(draft())
    hubspot.deals[ref.crm_id]["properties"]["dealstage"] = "contractsent"
    hs_gateway.upsert(draft())
    kept = hubspot.deals[ref.crm_id]["properties"]["dealstage"]
    hs_gateway.upsert(draft(outcome="won"))

    assert kept == "contractsent"
    assert hubspot.deals[ref.crm_id]["properties"]["dealstage"] == "closedwon"


def test_hubspot_pipeline_setting_is_used(hubspot: FakeHubSpot) -> None:
    hubspot.set_pipeline("renewals", "Renewals", [("r-open", "Open", False, "0.5"), *DEFAULT_STAGES[-2:]])
    gateway = HubSpotGateway(access_token=hubspot.token, api_url=hubspot.url, pipeline="renewals")

    ref = gateway.upsert(draft())

    props = hubspot.deals[ref.crm_id]["properties"]
    assert (props["pipeline"], props["dealstage"]) == ("renewals", "r-open")


def test_hubspot_bad_field_is_permanent_with_hubspots_message(hubspot: FakeHubSpot, hs_gateway: HubSpotGateway) -> None:
    hubspot.set_pipeline("default", "Sales", [("only-open", "Open", False, "0.5")])
    with pytest.raises(CrmError) as no_won:
        hs_gateway.upsert(draft(outcome="won"))
    hubspot.scopes.discard("crm.objects.deals.write")
    with pytest.raises(CrmError) as no_scope:
        hs_gateway.upsert(draft())

    assert no_won.value.permanent and "no won stage" in str(no_won.value)
    assert no_scope.value.permanent and "MISSING_SCOPES" in str(no_scope.value)
    assert "crm.objects.deals.write" in str(no_scope.value)


def test_hubspot_webhook_stage_events_become_outcomes(hubspot: FakeHubSpot, hs_gateway: HubSpotGateway) -> None:
    ref = hs_gateway.upsert(draft())
    won = hubspot.move_deal(ref.crm_id, "closedwon")
    other_pipeline = {**won, "eventId": 999, "propertyValue": "some-other-pipelines-stage"}
    deletion = {**won, "eventId": 1000, "subscriptionType": "deal.deletion"}
    amount = {**won, "eventId": 1001, "propertyName": "amount", "propertyValue": "5"}
    body, _ = hubspot.signed_webhook("https://x/crm/hubspot", [won, other_pipeline, deletion, amount])

    events = parse_events(body)
    changes = hs_gateway.changes_of(events)

    assert [e.stage_id for e in events] == ["closedwon", "some-other-pipelines-stage"]
    assert [(c.key, c.crm_id, c.outcome) for c in changes] == [(f"hubspot:{won['eventId']}", ref.crm_id, "won")]
    assert changes[0].at == datetime.fromtimestamp(won["occurredAt"] / 1000, tz=UTC)
    assert hs_gateway.changes_since("c") == ([], "c")  # HubSpot is heard by webhook, not polled


def test_hubspot_check_good_setup(hubspot: FakeHubSpot, hs_gateway: HubSpotGateway) -> None:
    checks = hs_gateway.check()

    assert all(c.ok for c in checks), checks
    assert checks[0].what == "HubSpot token" and "62515" in checks[0].detail
    assert any("Closed Won (won)" in c.detail for c in checks)
    assert "hiyoko_signal_id" in hubspot.properties  # the check made it, once


def test_hubspot_check_missing_pipeline_scope_and_bad_token(hubspot: FakeHubSpot) -> None:
    missing_pipeline = HubSpotGateway(access_token=hubspot.token, api_url=hubspot.url, pipeline="sales2").check()
    hubspot.scopes.discard("crm.schemas.deals.write")
    no_schema = HubSpotGateway(access_token=hubspot.token, api_url=hubspot.url).check()
    bad_token = HubSpotGateway(access_token="pat-na1-revoked", api_url=hubspot.url).check()

    failed = {c.what: c.detail for c in missing_pipeline if not c.ok}
    assert list(failed) == ["pipeline sales2 and its stages"] and "404" in failed["pipeline sales2 and its stages"]
    assert [c.what for c in no_schema if not c.ok] == []  # made by the first check above: present now
    del hubspot.properties["hiyoko_signal_id"]
    no_schema = HubSpotGateway(access_token=hubspot.token, api_url=hubspot.url).check()
    assert [c.what for c in no_schema if not c.ok] == ["deal property hiyoko_signal_id"]
    assert "crm.schemas.deals.write" in next(c.detail for c in no_schema if not c.ok)
    hubspot.scopes.discard("crm.objects.deals.write")
    read_only = HubSpotGateway(access_token=hubspot.token, api_url=hubspot.url).check()
    assert [c.what for c in read_only if not c.ok] == [
        "HubSpot deals (crm.objects.deals.read/write)",
        "deal property hiyoko_signal_id",
    ]
    assert "crm.objects.deals.write" in read_only[1].detail
    assert len(bad_token) == 1 and not bad_token[0].ok and "INVALID_AUTHENTICATION" in bad_token[0].detail


# ---------------------------------------------------------------------------------------- webhook


SECRET = "client-secret-abc"
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
STAMP = str(int(NOW.timestamp() * 1000))


def test_webhook_v3_signature_good_bad_and_stale() -> None:
    uri = "https://hiyoko.example.com/crm/hubspot"
    body = b'[{"eventId":1}]'
    signature = sign_v3(SECRET, "POST", uri, body, STAMP)

    assert verify_v3(SECRET, "POST", uri, body, STAMP, signature, NOW)
    assert verify_v3(SECRET, "POST", uri, body, STAMP, signature, NOW + timedelta(minutes=4, seconds=59))
    assert not verify_v3(SECRET, "POST", uri, body + b" ", STAMP, signature, NOW)  # body changed
    assert not verify_v3("other-secret", "POST", uri, body, STAMP, signature, NOW)
    assert not verify_v3(SECRET, "POST", uri, body, STAMP, signature[:-2] + "AA", NOW)
    assert not verify_v3(SECRET, "POST", uri, body, STAMP, signature, NOW + timedelta(minutes=5, seconds=1))
    assert not verify_v3(SECRET, "POST", uri, body, STAMP, None, NOW)
    assert not verify_v3(SECRET, "POST", uri, body, "yesterday", signature, NOW)
    assert not verify_v3("", "POST", uri, body, STAMP, sign_v3("", "POST", uri, body, STAMP), NOW)


def test_webhook_signature_matches_hubspots_own_example_of_the_algorithm() -> None:
    """HubSpot's client library computes v3 the same way (an independent implementation)."""
    from hubspot.utils.signature import Signature

    uri = "https://hiyoko.example.com/crm/hubspot"
    body = '[{"eventId":1,"objectId":2}]'
    theirs = Signature.get_signature(SECRET, body, "v3", uri, "POST", STAMP)

    assert verify_v3(SECRET, "POST", uri, body.encode(), STAMP, theirs, NOW)


def test_webhook_uri_is_the_public_url_behind_a_proxy(hubspot: FakeHubSpot) -> None:
    public = "https://hiyoko.example.com"
    seen_by_app = "http://10.0.0.5:3000/crm/hubspot?portal=1%3A2"
    body, headers = hubspot.signed_webhook(
        public + "/crm/hubspot?portal=1%3A2", [], timestamp_ms=int(NOW.timestamp() * 1000)
    )
    stamp, signature = headers["X-HubSpot-Request-Timestamp"], headers["X-HubSpot-Signature-v3"]

    with_public = signed_uri(public + "/", seen_by_app, "/crm/hubspot?portal=1%3A2")
    without = signed_uri(None, seen_by_app, "/crm/hubspot?portal=1%3A2")

    assert with_public == "https://hiyoko.example.com/crm/hubspot?portal=1%3A2"
    assert verify_v3(hubspot.client_secret, "POST", with_public, body, stamp, signature, NOW)
    assert not verify_v3(hubspot.client_secret, "POST", without, body, stamp, signature, NOW)
    # Unset, the request's own URL is what HubSpot signed (no proxy in between).
    direct_body, direct = hubspot.signed_webhook(seen_by_app, [], timestamp_ms=int(NOW.timestamp() * 1000))
    assert verify_v3(
        hubspot.client_secret,
        "POST",
        without,
        direct_body,
        direct["X-HubSpot-Request-Timestamp"],
        direct["X-HubSpot-Signature-v3"],
        NOW,
    )


def test_webhook_bodies_that_are_not_event_arrays_are_refused() -> None:
    with pytest.raises(ValueError):
        parse_events(b"{}")
    with pytest.raises(ValueError):
        parse_events(b"\xff")
    assert parse_events(b'[1, {"subscriptionType": "deal.propertyChange", "propertyName": "dealstage"}]') == []


# ---------------------------------------------------------------------------------------- Salesforce


@pytest.fixture
def keys() -> tuple[bytes, bytes]:
    return rsa_key_pair()


@pytest.fixture
def salesforce(keys: tuple[bytes, bytes], monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSalesforce]:
    with FakeSalesforce(public_key_pem=keys[1]) as fake:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fake.ca_file))
        fake.add_user("sato@example.com", "Sato Hanako")
        yield fake


@pytest.fixture
def sf_gateway(salesforce: FakeSalesforce, keys: tuple[bytes, bytes]) -> SalesforceGateway:
    return SalesforceGateway(
        login_url=salesforce.url,
        consumer_key=salesforce.consumer_key,
        username=salesforce.username,
        private_key=keys[0],
    )


def password_gateway(fake: FakeSalesforce, password: str | None = None) -> SalesforceGateway:
    return SalesforceGateway(
        login_url=fake.url,
        consumer_key=fake.consumer_key,
        username=fake.username,
        consumer_secret=fake.consumer_secret,
        password=fake.password if password is None else password,
        security_token=fake.security_token,
    )


def test_salesforce_jwt_login_upsert_twice_makes_one_opportunity(
    salesforce: FakeSalesforce, sf_gateway: SalesforceGateway
) -> None:
    account = salesforce.add_account("Acme 株式会社")
    first = sf_gateway.upsert(draft())
    second = sf_gateway.upsert(draft())

    opportunities = salesforce.opportunities()
    assert len(opportunities) == 1 and salesforce.grants == ["jwt"]
    assert (first.created, second.created) == (True, False) and first.crm_id == second.crm_id
    assert first.url == f"{salesforce.url}/lightning/r/Opportunity/{first.crm_id}/view"
    opp = opportunities[0]
    assert opp["Hiyoko_Signal_Id__c"] == "S-000123" and opp["Name"] == "Acme · seats (S-000123)"
    assert (opp["Amount"], opp["CloseDate"], opp["StageName"]) == (1200000.0, "2027-04-01", "Prospecting")
    assert opp["AccountId"] == account and opp["Description"] == draft().permalink
    upserts = [c for c in salesforce.calls if c[1].endswith("/sobjects/Opportunity/Hiyoko_Signal_Id__c/S-000123")]
    assert upserts == [("PATCH", "/services/data/v59.0/sobjects/Opportunity/Hiyoko_Signal_Id__c/S-000123")]


def test_salesforce_password_login(salesforce: FakeSalesforce) -> None:
    ref = password_gateway(salesforce).upsert(draft())

    assert ref.created and salesforce.grants == ["password"]
    with pytest.raises(CrmError) as refused:
        password_gateway(salesforce, password="wrong").upsert(draft())
    assert refused.value.permanent and "invalid_grant" in str(refused.value)


def test_salesforce_logs_in_again_once_on_an_expired_session(
    salesforce: FakeSalesforce, sf_gateway: SalesforceGateway
) -> None:
    ref = sf_gateway.upsert(draft())
    salesforce.expire_sessions()

    sf_gateway.set_outcome(ref.crm_id, "won")
    salesforce.expire_sessions()
    sf_gateway.upsert(draft(outcome="won"))  # three reads at once meet the ended session: one login

    assert salesforce.opportunities()[0]["StageName"] == "Closed Won"
    assert sf_gateway.logins == 3 and salesforce.grants == ["jwt", "jwt", "jwt"]


def test_salesforce_500_then_200_and_a_lost_answer_still_one_opportunity(
    salesforce: FakeSalesforce, sf_gateway: SalesforceGateway
) -> None:
    salesforce.fail_next(1, 500, method="PATCH")
    with pytest.raises(CrmError) as failed:
        sf_gateway.upsert(draft("S-1"))
    sf_gateway.upsert(draft("S-1"))
    salesforce.fail_next(1, 503, after=True, method="PATCH")
    with pytest.raises(CrmError):
        sf_gateway.upsert(draft("S-2"))
    again = sf_gateway.upsert(draft("S-2"))

    assert not failed.value.permanent
    assert not again.created
    assert sorted(o["Hiyoko_Signal_Id__c"] for o in salesforce.opportunities()) == ["S-1", "S-2"]


def test_salesforce_request_limit_is_retryable_and_field_errors_are_not(
    salesforce: FakeSalesforce, sf_gateway: SalesforceGateway, keys: tuple[bytes, bytes]
) -> None:
    salesforce.request_limit_next(1)
    with pytest.raises(CrmError) as limited:
        sf_gateway.upsert(draft())
    salesforce.external_id_field = False
    with pytest.raises(CrmError) as no_field:
        sf_gateway.upsert(draft())

    assert not limited.value.permanent and "REQUEST_LIMIT_EXCEEDED" in str(limited.value)
    assert no_field.value.permanent and "INVALID_FIELD" in str(no_field.value)


def test_salesforce_account_by_crm_id_then_exact_name_then_none(
    salesforce: FakeSalesforce, sf_gateway: SalesforceGateway
) -> None:
    by_id = salesforce.add_account("Acme Holdings")
    quoted = salesforce.add_account("O'Brien \\ Sons")
    salesforce.add_account("Twin")
    salesforce.add_account("Twin")

    with_id = sf_gateway.upsert(draft("S-1", company_crm_id=by_id))
    with_quote = sf_gateway.upsert(draft("S-2", company_crm_id="not-an-id", company_name="O'Brien \\ Sons"))
    ambiguous = sf_gateway.upsert(draft("S-3", company_name="Twin"))
    wrong_case = sf_gateway.upsert(draft("S-4", company_name="o'brien \\ sons"))

    accounts = {o["Hiyoko_Signal_Id__c"]: o["AccountId"] for o in salesforce.opportunities()}
    assert accounts == {"S-1": by_id, "S-2": quoted, "S-3": None, "S-4": None}
    assert with_id.company_found and with_quote.company_found
    assert not ambiguous.company_found and not wrong_case.company_found


def test_salesforce_owner_by_email_or_none_and_close_date_default(
    salesforce: FakeSalesforce, keys: tuple[bytes, bytes]
) -> None:
    gateway = SalesforceGateway(
        login_url=salesforce.url,
        consumer_key=salesforce.consumer_key,
        username=salesforce.username,
        private_key=keys[0],
        clock=time.time,
    )
    owned = gateway.upsert(draft("S-1", close_date=None))
    unowned = gateway.upsert(draft("S-2", owner_email="nobody@example.com"))

    opps = {o["Hiyoko_Signal_Id__c"]: o for o in salesforce.opportunities()}
    sato = next(iter(salesforce.rows["User"]))
    assert owned.owner_found and opps["S-1"]["OwnerId"] == sato
    assert not unowned.owner_found
    assert opps["S-1"]["CloseDate"] == (datetime.now(UTC).date() + timedelta(days=90)).isoformat()


@pytest.mark.parametrize(
    ("outcome", "stage"), [("won", "Closed Won"), ("lost", "Closed Lost"), ("open", "Prospecting")]
)
def test_salesforce_stage_follows_the_outcome(
    salesforce: FakeSalesforce, sf_gateway: SalesforceGateway, outcome: Outcome, stage: str
) -> None:
    ref = sf_gateway.upsert(draft())
    salesforce.set_stage(ref.crm_id, "Negotiation/Review")

    sf_gateway.set_outcome(ref.crm_id, outcome)

    assert salesforce.opportunities()[0]["StageName"] == stage


def test_salesforce_changes_since_returns_a_won_opportunity_once_and_advances(
    salesforce: FakeSalesforce, sf_gateway: SalesforceGateway
) -> None:
    early = sf_gateway.upsert(draft("S-1"))
    salesforce.set_stage(early.crm_id, "Closed Lost")  # before hiyoko started listening
    _, cursor = sf_gateway.changes_since("")
    ref = sf_gateway.upsert(draft("S-2"))
    salesforce.set_stage(ref.crm_id, "Closed Won")

    changes, next_cursor = sf_gateway.changes_since(cursor)
    again, last_cursor = sf_gateway.changes_since(next_cursor)

    mine = [(c.signal_id, c.outcome) for c in changes if c.signal_id == "S-2"]
    assert mine == [("S-2", "open"), ("S-2", "won")][-len(mine) :]  # (S-1's loss lies within the look-back)
    won = changes[-1]
    assert (won.crm_id, won.outcome, won.signal_id) == (ref.crm_id, "won", "S-2")
    stamp = salesforce.opportunities()[1]["SystemModstamp"]
    assert won.key == f"sf:{ref.crm_id}:{stamp}" and next_cursor == stamp
    # The next poll looks back a little again: the same changes, with the same keys (heard once by the store).
    assert {c.key for c in again} <= {c.key for c in changes} and last_cursor == next_cursor


def test_salesforce_poll_sees_a_change_committed_after_a_newer_one(
    salesforce: FakeSalesforce, sf_gateway: SalesforceGateway
) -> None:
    """SystemModstamp is the transaction's start: a slow transaction commits a change stamped before
    one the last poll already saw. The next poll still finds it."""
    _, cursor = sf_gateway.changes_since("")
    fast = sf_gateway.upsert(draft("S-fast"))
    slow = sf_gateway.upsert(draft("S-slow"))
    salesforce.set_stage(fast.crm_id, "Closed Won")
    _, cursor = sf_gateway.changes_since(cursor)
    salesforce.set_stage(slow.crm_id, "Closed Lost", started_earlier_by=60)

    changes, _ = sf_gateway.changes_since(cursor)

    assert (slow.crm_id, "lost") in [(c.crm_id, c.outcome) for c in changes]


def test_salesforce_check_good_setup(sf_gateway: SalesforceGateway) -> None:
    checks = sf_gateway.check()

    assert all(c.ok for c in checks), checks
    assert [c.what for c in checks] == [
        "Salesforce login",
        "Opportunity field Hiyoko_Signal_Id__c",
        "Opportunity permissions",
        "opportunity stages",
    ]


def test_salesforce_check_missing_field_no_rights_and_bad_login(
    salesforce: FakeSalesforce, keys: tuple[bytes, bytes]
) -> None:
    salesforce.external_id_field = False
    salesforce.opportunity_updateable = False
    gateway = SalesforceGateway(
        login_url=salesforce.url,
        consumer_key=salesforce.consumer_key,
        username=salesforce.username,
        private_key=keys[0],
    )
    checks = {c.what: c for c in gateway.check()}
    other_key, _ = rsa_key_pair()
    forged = SalesforceGateway(
        login_url=salesforce.url,
        consumer_key=salesforce.consumer_key,
        username=salesforce.username,
        private_key=other_key,
    ).check()

    assert not checks["Opportunity field Hiyoko_Signal_Id__c"].ok
    assert "admin must create it" in checks["Opportunity field Hiyoko_Signal_Id__c"].detail
    assert not checks["Opportunity permissions"].ok and "edit" in checks["Opportunity permissions"].detail
    assert checks["opportunity stages"].ok
    assert len(forged) == 1 and not forged[0].ok and "invalid_grant" in forged[0].detail


def test_soql_quote_escapes_quotes_and_backslashes() -> None:
    assert soql_quote("O'Brien \\ Sons") == r"'O\'Brien \\ Sons'"


# ---------------------------------------------------------------------------------------- factory


def settings_of(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_gateway_of_none_hubspot_and_salesforce_over_verified_tls(
    hubspot: FakeHubSpot, salesforce: FakeSalesforce, keys: tuple[bytes, bytes], tmp_path: Path
) -> None:
    key_file = tmp_path / "server.key"
    key_file.write_bytes(keys[0])

    none = gateway_of(settings_of())
    hub = gateway_of(settings_of(hiyoko_crm="hubspot", hubspot_access_token=hubspot.token, hubspot_api_url=hubspot.url))
    sf = gateway_of(
        settings_of(
            hiyoko_crm="salesforce",
            salesforce_login_url=salesforce.url,
            salesforce_consumer_key=salesforce.consumer_key,
            salesforce_username=salesforce.username,
            salesforce_private_key_file=key_file,
        )
    )

    assert none is None
    assert isinstance(hub, HubSpotGateway) and hub.upsert(draft()).created
    assert isinstance(sf, SalesforceGateway) and sf.upsert(draft()).created  # REQUESTS_CA_BUNDLE = the fake's CA


def test_gateway_of_refuses_an_unknown_ca(
    salesforce: FakeSalesforce, keys: tuple[bytes, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())  # public CAs only
    key_file = tmp_path / "server.key"
    key_file.write_bytes(keys[0])
    sf = gateway_of(
        settings_of(
            hiyoko_crm="salesforce",
            salesforce_login_url=salesforce.url,
            salesforce_consumer_key=salesforce.consumer_key,
            salesforce_username=salesforce.username,
            salesforce_private_key_file=key_file,
        )
    )

    assert sf is not None
    with pytest.raises(CrmError) as untrusted:
        sf.upsert(draft())
    assert "SSLError" in str(untrusted.value) and salesforce.grants == []


# ---------------------------------------------------------------------------------------- a slow CRM


def test_a_hand_off_to_a_slow_crm_costs_two_round_trips_not_four(
    hubspot: FakeHubSpot, hs_gateway: HubSpotGateway, salesforce: FakeSalesforce, sf_gateway: SalesforceGateway
) -> None:
    """Owner, company and deal are read at once, then the deal is written: 2 round trips (4 calls) when warm."""
    hubspot.add_company("Acme 株式会社")
    salesforce.add_account("Acme 株式会社")
    hs_gateway.upsert(draft("S-warm"))  # the property, the pipeline and the portal are read once
    sf_gateway.upsert(draft("S-warm"))  # the login and the stages likewise
    hubspot.slow(0.5)
    salesforce.slow(0.5)
    hubspot.most_at_once = salesforce.most_at_once = 0
    calls: dict[str, int] = {}
    for name, fake_calls, gateway in (
        ("hubspot", hubspot.calls, hs_gateway),
        ("salesforce", salesforce.calls, sf_gateway),
    ):
        before = len(fake_calls)
        assert gateway.upsert(draft("S-000777")).created
        calls[name] = len(fake_calls) - before

    assert calls == {"hubspot": 4, "salesforce": 4}
    # The reads were in the fake together (one after another, each would have been alone). Timings stay
    # in bench/crm.py: a test asserts what happened, not how fast.
    assert hubspot.most_at_once >= 2 and salesforce.most_at_once >= 2


def test_hubspot_tls_is_verified_as_requests_does(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeHubSpot(tls=True) as fake:
        fake.add_owner("sato@example.com")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fake.ca_file))
        trusted = HubSpotGateway(access_token=fake.token, api_url=fake.url).upsert(draft())
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())  # public CAs only
        with pytest.raises(CrmError) as untrusted:
            HubSpotGateway(access_token=fake.token, api_url=fake.url).upsert(draft("S-2"))

    assert fake.url.startswith("https://") and trusted.created
    assert "SSL" in str(untrusted.value) and not untrusted.value.permanent
    assert len(fake.deals) == 1
