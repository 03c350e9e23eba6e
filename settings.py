"""All configuration, read from the environment or a `.env` file with the spec's variable names."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.permissions import parse_managers


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
    hiyoko_host: str = "0.0.0.0"
    hiyoko_slack_timeout: int = 15  # seconds per Slack Web API call
    hiyoko_sheets_timeout: float = 30.0  # seconds to read a Sheets API answer

    @field_validator("hiyoko_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. Asia/Tokyo)") from exc
        return value

    @field_validator("hiyoko_managers")
    @classmethod
    def _managers(cls, value: str) -> str:
        parse_managers(value)  # raises ValueError naming the bad entry
        return value

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
