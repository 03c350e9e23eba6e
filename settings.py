"""All configuration, read from the environment or a `.env` file with the spec's variable names."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.offerings import parse_offerings
from models.permissions import parse_managers
from models.routing import parse_routing


class Settings(BaseSettings):
    """One class, one place. Names match ../shared/SPEC.md; extras start with HIYOKO_."""

    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    port: int = 3000
    signals_channel_id: str | None = None
    digest_channel_id: str | None = None
    hiyoko_managers: str = ""
    database_url: str = "sqlite:///hiyoko.db"
    spreadsheet_id: str | None = None
    google_application_credentials: Path | None = None
    sheets_emulator_host: str | None = None
    hiyoko_timezone: str = "Asia/Tokyo"
    hiyoko_language: Literal["ja", "en"] = "ja"

    # Extras with safe defaults (documented in the README).
    hiyoko_sheet_tab: str = "Signals"
    hiyoko_history_tab: str = "History"
    hiyoko_xlsx_path: Path = Path("hiyoko.xlsx")
    hiyoko_outbox_max_attempts: int = 12
    # A claim lasts this long unless its relay renews it (a heartbeat at a third of it): a relay
    # that died frees its rows within this many seconds.
    hiyoko_outbox_lease_seconds: int = 15
    hiyoko_host: str = "0.0.0.0"
    # Scheduled work (issue: nudges, reminders, digest).
    hiyoko_stale_egg_days: int = 30  # an open egg with no event for this long gets a nudge
    hiyoko_snooze_days: int = 30  # "still warming" quiets the nudges this long
    hiyoko_unanswered_nudges: int = 2  # after this many, the digest names the egg to managers
    hiyoko_remind_business_days: int = 10  # a chick's owner is reminded this many business days ahead
    hiyoko_digest_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    hiyoko_digest_time: time = time(9, 0)
    hiyoko_work_start: time = time(9, 0)
    hiyoko_work_end: time = time(18, 0)
    hiyoko_holidays: str = "JP"  # country whose public holidays are days off ("" for none)
    hiyoko_closures: str = ""  # extra company closures: 2026-12-29,2026-12-30,2027-01-04
    # Operations.
    hiyoko_admin_channel_id: str | None = None  # told when a delivery gives up (a dead letter)
    hiyoko_log_format: Literal["json", "text"] = "json"
    hiyoko_max_body_bytes: int = 1_048_576  # larger HTTP requests are refused with 413
    hiyoko_slack_timeout: int = 15  # seconds per Slack Web API call
    hiyoko_slack_channel_interval: float = 1.0  # seconds between posts to one channel (Slack: ~1/s)
    hiyoko_sheets_timeout: float = 30.0  # seconds to read a Sheets API answer
    # Routing (issue: every signal reaches its assigned rep).
    hiyoko_routing: str = "seats=csales,plan=csales,cross_sell=ae,other=csales"  # category → role
    hiyoko_team_csales: str = ""  # a user group S… and/or user ids: who takes CSales signals no account names
    hiyoko_team_ae: str = ""
    hiyoko_accounts_tab: str = "Accounts"
    hiyoko_accounts_refresh_minutes: int = 10
    # The sheet talks back (issue: read-back, proposals, a Slack List).
    hiyoko_sheet_readback_minutes: int = 5
    hiyoko_sheet_readback_columns: str = ""  # more people's columns to read back, comma-separated headers
    hiyoko_slack_list_id: str | None = None  # a Slack List that mirrors the signals (paid plans)
    hiyoko_directory_refresh_minutes: int = 60  # users.list again this often (events keep it fresh between)
    # Hearing eggs in customer channels (issue 13).
    hiyoko_hearing: Literal["on", "off"] = "on"
    hiyoko_products: str = ""  # ゲンバチェック|GenbaCheck;ゲンバカメラ|GenbaCam — the first is what most customers use
    hiyoko_plans: str = ""  # lowest first: スタンダード|Standard;プロ|Pro;エンタープライズ|Enterprise|エンプラ
    hiyoko_suggest_quiet_days: int = 14  # no second suggestion for one customer and category within this
    hiyoko_hearing_train_hours: int = 24  # the team's model is retrained this often (hearing_train)
    # CRM hand-off (issue 15).
    hiyoko_crm: Literal["hubspot", "salesforce"] | None = None
    hiyoko_crm_on: Literal["hatch", "share"] = "hatch"
    hiyoko_crm_sync_minutes: int = 5  # how often Salesforce is polled for won/lost (crm_sync)
    hiyoko_public_url: str | None = None  # the app's address as HubSpot sees it (webhook v3 signatures)
    hubspot_access_token: str | None = None
    hubspot_api_url: str = "https://api.hubapi.com"
    hubspot_client_secret: str | None = None
    hubspot_pipeline: str = "default"
    salesforce_login_url: str = "https://login.salesforce.com"
    salesforce_consumer_key: str | None = None
    salesforce_consumer_secret: str | None = None
    salesforce_username: str | None = None
    salesforce_private_key_file: Path | None = None
    salesforce_password: str | None = None
    salesforce_security_token: str | None = None

    @field_validator("hiyoko_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. Asia/Tokyo)") from exc
        return value

    @field_validator("hiyoko_routing")
    @classmethod
    def _routing(cls, value: str) -> str:
        parse_routing(value)  # raises ValueError naming the bad part
        return value

    @field_validator("hiyoko_team_csales", "hiyoko_team_ae")
    @classmethod
    def _team(cls, value: str) -> str:
        parse_managers(value)  # the same form: user ids and/or one user group
        return value

    @field_validator("hiyoko_managers")
    @classmethod
    def _managers(cls, value: str) -> str:
        parse_managers(value)  # raises ValueError naming the bad entry
        return value

    @field_validator("hiyoko_products", "hiyoko_plans")
    @classmethod
    def _offerings(cls, value: str) -> str:
        parse_offerings(value)  # raises ValueError naming the bad part
        return value

    @field_validator("hiyoko_closures")
    @classmethod
    def _closures(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip():
                try:
                    date.fromisoformat(part.strip())
                except ValueError as exc:
                    raise ValueError(f"{part.strip()!r} is not a date like 2026-12-29") from exc
        return value

    @property
    def closures(self) -> frozenset[date]:
        return frozenset(date.fromisoformat(p.strip()) for p in self.hiyoko_closures.split(",") if p.strip())

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.hiyoko_timezone)

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def digest_channel(self) -> str | None:
        return self.digest_channel_id or self.signals_channel_id

    @property
    def manager_ids(self) -> list[str]:
        return [part.strip() for part in self.hiyoko_managers.split(",") if part.strip()]

    @property
    def hearing(self) -> bool:
        return self.hiyoko_hearing == "on"

    def missing_for_crm(self) -> list[str]:
        """What HIYOKO_CRM still needs, in the spec's spelling (empty when no CRM is configured)."""
        if self.hiyoko_crm == "hubspot":
            return [] if self.hubspot_access_token else ["HUBSPOT_ACCESS_TOKEN"]
        if self.hiyoko_crm == "salesforce":
            missing = [] if self.salesforce_username else ["SALESFORCE_USERNAME"]
            if not self.salesforce_consumer_key:
                missing.append("SALESFORCE_CONSUMER_KEY")
            if not self.salesforce_private_key_file and not (
                self.salesforce_consumer_secret and self.salesforce_password and self.salesforce_security_token
            ):
                missing.append(
                    "SALESFORCE_PRIVATE_KEY_FILE (JWT bearer) or SALESFORCE_CONSUMER_SECRET + SALESFORCE_PASSWORD"
                    " + SALESFORCE_SECURITY_TOKEN"
                )
            return missing
        return []

    def missing_for_run(self) -> list[str]:
        """Names of the variables the app cannot run without, in the spec's spelling."""
        missing = []
        if not self.slack_bot_token:
            missing.append("SLACK_BOT_TOKEN")
        if not self.socket_mode and not self.slack_signing_secret:
            missing.append("SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)")
        if not self.signals_channel_id:
            missing.append("SIGNALS_CHANNEL_ID")
        return missing
