"""The CRM fakes are as strict as HubSpot and Salesforce where hiyoko touches them.

A fake that accepted what the real API refuses would let a broken gateway pass; these tests speak
to the fakes over HTTP(S) with `requests`, the way the client libraries do.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests

from crm.webhook import verify_v3
from fakes.hubspot_api import FakeHubSpot
from fakes.salesforce_api import FakeSalesforce, rsa_key_pair

DEALS = "/crm/v3/objects/deals"


@pytest.fixture
def hubspot() -> Iterator[FakeHubSpot]:
    with FakeHubSpot() as fake:
        yield fake


def hs(fake: FakeHubSpot, method: str, path: str, token: str | None = "", **kwargs: Any) -> requests.Response:
    headers = {} if token is None else {"Authorization": f"Bearer {token or fake.token}"}
    return requests.request(method, fake.url + path, headers=headers, timeout=5, **kwargs)


def create_deal(fake: FakeHubSpot, **properties: str) -> requests.Response:
    return hs(fake, "POST", DEALS, json={"properties": {"dealname": "d", **properties}})


# ---------------------------------------------------------------------------------------- HubSpot


def test_hubspot_refuses_a_missing_or_wrong_token_with_its_error_json(hubspot: FakeHubSpot) -> None:
    missing = hs(hubspot, "GET", DEALS, token=None)
    wrong = hs(hubspot, "GET", DEALS, token="pat-na1-wrong")

    for answer in (missing, wrong):
        assert answer.status_code == 401
        body = answer.json()
        assert body["status"] == "error" and body["category"] == "INVALID_AUTHENTICATION" and body["correlationId"]
    assert hs(hubspot, "GET", DEALS).status_code == 200


def test_hubspot_names_the_missing_scope(hubspot: FakeHubSpot) -> None:
    hubspot.scopes.discard("crm.objects.owners.read")

    answer = hs(hubspot, "GET", "/crm/v3/owners/?email=a@example.com")

    assert answer.status_code == 403
    body = answer.json()
    assert body["category"] == "MISSING_SCOPES"
    assert body["errors"][0]["context"]["requiredGranularScopes"] == ["crm.objects.owners.read"]


def test_hubspot_ten_second_window_answers_429_with_retry_after(hubspot: FakeHubSpot) -> None:
    now = [1000.0]
    hubspot.monotonic = lambda: now[0]
    hubspot.requests_per_window = 3

    answers = [hs(hubspot, "GET", DEALS).status_code for _ in range(4)]
    limited = hs(hubspot, "GET", DEALS)
    now[0] += 10.0
    later = hs(hubspot, "GET", DEALS)

    assert answers == [200, 200, 200, 429]
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "10"
    assert limited.json()["policyName"] == "TEN_SECONDLY_ROLLING"
    assert later.status_code == 200


def test_hubspot_refuses_unknown_properties_stages_owners_and_bad_numbers(hubspot: FakeHubSpot) -> None:
    unknown = create_deal(hubspot, hiyoko_signal_id="S-1")
    bad_stage = create_deal(hubspot, dealstage="nosuchstage")
    bad_owner = create_deal(hubspot, hubspot_owner_id="42")
    bad_amount = create_deal(hubspot, amount="1,200")
    read_only = create_deal(hubspot, hs_lastmodifieddate="0")

    for answer, error in (
        (unknown, "PROPERTY_DOESNT_EXIST"),
        (bad_stage, "INVALID_OPTION"),
        (bad_owner, "INVALID_OWNER_ID"),
        (bad_amount, "INVALID_DECIMAL"),
        (read_only, "READ_ONLY_VALUE"),
    ):
        assert answer.status_code == 400, answer.text
        assert answer.json()["category"] == "VALIDATION_ERROR"
        assert error in answer.json()["message"]
    assert hubspot.deals == {}


def test_hubspot_unique_property_refuses_a_second_deal_and_reads_by_id_property(hubspot: FakeHubSpot) -> None:
    made = hs(
        hubspot,
        "POST",
        "/crm/v3/properties/deals",
        json={
            "name": "hiyoko_signal_id",
            "label": "x",
            "type": "string",
            "fieldType": "text",
            "groupName": "dealinformation",
            "hasUniqueValue": True,
        },
    )
    again = hs(hubspot, "POST", "/crm/v3/properties/deals", json=made.json())
    first = create_deal(hubspot, hiyoko_signal_id="S-000001")
    second = create_deal(hubspot, hiyoko_signal_id="S-000001")
    by_signal = hs(hubspot, "GET", f"{DEALS}/S-000001?idProperty=hiyoko_signal_id&properties=dealstage")
    by_plain = hs(hubspot, "GET", f"{DEALS}/S-000001?idProperty=dealname")
    missing = hs(hubspot, "GET", f"{DEALS}/S-999999?idProperty=hiyoko_signal_id")

    assert made.status_code == 201 and made.json()["hasUniqueValue"] is True
    assert again.status_code == 409 and again.json()["category"] == "OBJECT_ALREADY_EXISTS"
    assert first.status_code == 201 and second.status_code == 409
    assert by_signal.status_code == 200 and by_signal.json()["id"] == first.json()["id"]
    assert by_plain.status_code == 400  # only a unique-value property identifies a deal
    assert missing.status_code == 404
    assert len(hubspot.deals) == 1


def test_hubspot_search_takes_filter_groups_strictly(hubspot: FakeHubSpot) -> None:
    hubspot.add_company("Acme")
    hubspot.add_company("Other")
    search = "/crm/v3/objects/companies/search"

    def name_is(value: str) -> dict[str, object]:
        return {"filters": [{"propertyName": "name", "operator": "EQ", "value": value}]}

    found = hs(hubspot, "POST", search, json={"filterGroups": [name_is("acme")], "properties": ["name"]})
    either = hs(hubspot, "POST", search, json={"filterGroups": [name_is("Acme"), name_is("Other")]})
    too_many = hs(hubspot, "POST", search, json={"filterGroups": [name_is("x")] * 6})
    bad_operator = hs(
        hubspot, "POST", search, json={"filterGroups": [{"filters": [{"propertyName": "name", "operator": "LIKE"}]}]}
    )

    assert found.status_code == 200
    assert [r["properties"]["name"] for r in found.json()["results"]] == ["Acme"]  # EQ ignores case
    assert either.json()["total"] == 2
    assert too_many.status_code == 400 and bad_operator.status_code == 400


def test_hubspot_programmed_faults_slowness_and_outage(hubspot: FakeHubSpot) -> None:
    hubspot.fail_next(2, 503)
    statuses = [hs(hubspot, "GET", DEALS).status_code for _ in range(3)]
    hubspot.fail_next(1, 500, after=True, method="POST", path=DEALS)
    lost = create_deal(hubspot)
    hubspot.slow(0.3)
    started = time.monotonic()
    hs(hubspot, "GET", DEALS)
    slow_seconds = time.monotonic() - started
    hubspot.slow(0)
    url = hubspot.url
    hubspot.down()
    with pytest.raises(requests.ConnectionError):
        requests.get(url + DEALS, timeout=2)
    hubspot.up()

    assert statuses == [503, 503, 200]
    assert lost.status_code == 500 and len(hubspot.deals) == 1  # the work was done, the answer lost
    assert slow_seconds >= 0.3
    assert hubspot.url == url and hs(hubspot, "GET", DEALS).status_code == 200
    assert ("POST", DEALS) in hubspot.calls


def test_hubspot_webhook_signature_of_the_fake_verifies_with_our_check(hubspot: FakeHubSpot) -> None:
    did = create_deal(hubspot).json()["id"]
    event = hubspot.move_deal(did, "closedwon")
    url = "https://hiyoko.example.com/crm/hubspot?from=hub%3Aspot"
    body, headers = hubspot.signed_webhook(url, [event], timestamp_ms=1_700_000_000_000)

    from datetime import UTC, datetime

    now = datetime.fromtimestamp(1_700_000_060, tz=UTC)
    ok = verify_v3(
        hubspot.client_secret,
        "POST",
        url,
        body,
        headers["X-HubSpot-Request-Timestamp"],
        headers["X-HubSpot-Signature-v3"],
        now,
    )

    assert ok
    assert hubspot.deals[did]["properties"]["dealstage"] == "closedwon"


# ---------------------------------------------------------------------------------------- Salesforce


@pytest.fixture
def keys() -> tuple[bytes, bytes]:
    return rsa_key_pair()


@pytest.fixture
def salesforce(keys: tuple[bytes, bytes], monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSalesforce]:
    with FakeSalesforce(public_key_pem=keys[1]) as fake:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fake.ca_file))
        yield fake


def assertion(fake: FakeSalesforce, key: bytes, **claims: object) -> str:
    base: dict[str, object] = {
        "iss": fake.consumer_key,
        "sub": fake.username,
        "aud": fake.url,
        "exp": int(time.time()) + 180,
    }
    return jwt.encode({**base, **claims}, key, algorithm="RS256")


def token(fake: FakeSalesforce, **form: str) -> requests.Response:
    return requests.post(f"{fake.url}/services/oauth2/token", data=form, timeout=5)


def jwt_token(fake: FakeSalesforce, key: bytes, **claims: object) -> requests.Response:
    return token(
        fake, grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer", assertion=assertion(fake, key, **claims)
    )


def session_of(fake: FakeSalesforce, keys: tuple[bytes, bytes]) -> str:
    return str(jwt_token(fake, keys[0]).json()["access_token"])


def api(fake: FakeSalesforce, sid: str, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {sid}"}
    return requests.request(method, f"{fake.url}/services/data/v59.0/{path}", headers=headers, timeout=5, **kwargs)


def soql(fake: FakeSalesforce, sid: str, query: str) -> requests.Response:
    return api(fake, sid, "GET", "query/", params={"q": query})


def test_salesforce_is_https_only_with_its_own_ca(salesforce: FakeSalesforce, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(f"{salesforce.url}/services/oauth2/token", timeout=5)


def test_salesforce_jwt_grant_checks_signature_issuer_subject_audience_and_expiry(
    salesforce: FakeSalesforce, keys: tuple[bytes, bytes]
) -> None:
    other_key, _ = rsa_key_pair()
    good = jwt_token(salesforce, keys[0])
    forged = jwt_token(salesforce, other_key)
    wrong_issuer = jwt_token(salesforce, keys[0], iss="someone-else")
    wrong_user = jwt_token(salesforce, keys[0], sub="mallory@example.com")
    wrong_audience = jwt_token(salesforce, keys[0], aud="https://login.salesforce.com")
    expired = jwt_token(salesforce, keys[0], exp=int(time.time()) - 10)
    long_lived = jwt_token(salesforce, keys[0], exp=int(time.time()) + 3600)

    assert good.status_code == 200
    assert good.json()["instance_url"] == salesforce.url and good.json()["access_token"]
    for answer, error in (
        (forged, "invalid_grant"),
        (wrong_issuer, "invalid_client_id"),
        (wrong_user, "invalid_grant"),
        (wrong_audience, "invalid_grant"),
        (expired, "invalid_grant"),
        (long_lived, "invalid_grant"),
    ):
        assert answer.status_code == 400 and answer.json()["error"] == error, answer.text
    assert salesforce.grants == ["jwt"]


def test_salesforce_password_grant_wants_password_and_security_token(salesforce: FakeSalesforce) -> None:
    form = {
        "grant_type": "password",
        "client_id": salesforce.consumer_key,
        "client_secret": salesforce.consumer_secret,
        "username": salesforce.username,
    }
    good = token(salesforce, **form, password=salesforce.password + salesforce.security_token)
    no_token = token(salesforce, **form, password=salesforce.password)
    bad_secret = token(salesforce, **{**form, "client_secret": "x"}, password="x")

    assert good.status_code == 200
    assert no_token.status_code == 400 and no_token.json()["error"] == "invalid_grant"
    assert bad_secret.status_code == 400 and bad_secret.json()["error"] == "invalid_client"


def test_salesforce_expired_session_answers_invalid_session_id(
    salesforce: FakeSalesforce, keys: tuple[bytes, bytes]
) -> None:
    sid = session_of(salesforce, keys)
    before = soql(salesforce, sid, "SELECT Id FROM Account")
    salesforce.expire_sessions()
    after = soql(salesforce, sid, "SELECT Id FROM Account")

    assert before.status_code == 200
    assert after.status_code == 401
    assert after.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("SELECT Id FROM Account WHERE Name LIKE 'A%'", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account WHERE Name = 'A' OR Name = 'B'", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account WHERE Name = A", "MALFORMED_QUERY"),
        ("SELECT COUNT() FROM Account", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account WHERE Name = 'O'Brien'", "MALFORMED_QUERY"),
        ("SELECT Id, Nope FROM Account", "INVALID_FIELD"),
        ("SELECT Id FROM Lead", "INVALID_TYPE"),
        ("SELECT Id FROM Opportunity WHERE SystemModstamp > '2026-01-01T00:00:00Z'", "INVALID_FIELD"),
        ("SELECT Id FROM OpportunityStage WHERE IsActive = 'true'", "INVALID_FIELD"),
    ],
)
def test_salesforce_soql_is_parsed_strictly(
    salesforce: FakeSalesforce, keys: tuple[bytes, bytes], query: str, code: str
) -> None:
    answer = soql(salesforce, session_of(salesforce, keys), query)

    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == code


def test_salesforce_soql_escapes_and_filters(salesforce: FakeSalesforce, keys: tuple[bytes, bytes]) -> None:
    salesforce.add_account("O'Brien & Sons")
    salesforce.add_account("Other")
    sid = session_of(salesforce, keys)

    found = soql(salesforce, sid, r"SELECT Id, Name FROM Account WHERE Name = 'o\'brien & sons' LIMIT 2")
    stages = soql(salesforce, sid, "SELECT ApiName FROM OpportunityStage WHERE IsActive = true ORDER BY SortOrder DESC")

    assert [r["Name"] for r in found.json()["records"]] == ["O'Brien & Sons"]
    assert found.json()["records"][0]["attributes"]["type"] == "Account"
    assert stages.json()["records"][0]["ApiName"] == "Closed Lost"


def test_salesforce_upsert_by_external_id_creates_once_then_updates(
    salesforce: FakeSalesforce, keys: tuple[bytes, bytes]
) -> None:
    sid = session_of(salesforce, keys)
    body = {"Name": "Deal", "CloseDate": "2027-04-01", "StageName": "Prospecting"}
    path = "sobjects/Opportunity/Hiyoko_Signal_Id__c/S-000001"

    first = api(salesforce, sid, "PATCH", path, json=body)
    second = api(salesforce, sid, "PATCH", path, json=body)
    old_api = requests.patch(
        f"{salesforce.url}/services/data/v45.0/{path}",
        json=body,
        headers={"Authorization": f"Bearer {sid}"},
        timeout=5,
    )
    not_external = api(salesforce, sid, "PATCH", "sobjects/Opportunity/Name/Deal", json=body)
    missing_close = api(
        salesforce,
        sid,
        "PATCH",
        "sobjects/Opportunity/Hiyoko_Signal_Id__c/S-2",
        json={"Name": "x", "StageName": "Prospecting"},
    )
    bad_stage = api(
        salesforce, sid, "PATCH", "sobjects/Opportunity/Hiyoko_Signal_Id__c/S-3", json={**body, "StageName": "Won!"}
    )
    derived = api(salesforce, sid, "PATCH", path, json={"IsWon": True})

    assert first.status_code == 201 and first.json()["created"] is True and first.json()["success"] is True
    assert second.status_code == 200 and second.json() == {
        "id": first.json()["id"],
        "success": True,
        "errors": [],
        "created": False,
    }
    assert old_api.status_code == 204 and old_api.content == b""
    assert not_external.status_code == 404 and not_external.json()[0]["errorCode"] == "NOT_FOUND"
    assert missing_close.json()[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert bad_stage.json()[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert derived.json()[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert len(salesforce.opportunities()) == 1


def test_salesforce_request_limit_and_server_faults(salesforce: FakeSalesforce, keys: tuple[bytes, bytes]) -> None:
    sid = session_of(salesforce, keys)
    salesforce.request_limit_next(1)
    limited = soql(salesforce, sid, "SELECT Id FROM Account")
    salesforce.fail_next(1, 503)
    unavailable = soql(salesforce, sid, "SELECT Id FROM Account")

    assert limited.status_code == 403 and limited.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    assert unavailable.status_code == 503 and unavailable.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
    assert soql(salesforce, sid, "SELECT Id FROM Account").status_code == 200


def test_salesforce_describe_says_whether_the_external_id_field_exists(
    keys: tuple[bytes, bytes], tmp_path: Path
) -> None:
    with FakeSalesforce(public_key_pem=keys[1], external_id_field=False) as fake:
        session = requests.Session()
        session.trust_env = False  # this test alone: its CA, whatever the environment says
        session.verify = str(fake.ca_file)
        sid = session.post(
            f"{fake.url}/services/oauth2/token",
            data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion(fake, keys[0])},
            timeout=5,
        ).json()["access_token"]
        describe = session.get(
            f"{fake.url}/services/data/v59.0/sobjects/Opportunity/describe",
            headers={"Authorization": f"Bearer {sid}"},
            timeout=5,
        ).json()

    assert "Hiyoko_Signal_Id__c" not in {f["name"] for f in describe["fields"]}
    assert describe["createable"] is True
