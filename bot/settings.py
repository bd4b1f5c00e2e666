"""The one place configuration is read (environment or ``.env``); names follow the contract."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing import Annotated


def _ids(value: object) -> frozenset[int]:
    if value is None or value == "":
        return frozenset()
    if isinstance(value, (int,)):
        return frozenset({value})
    if isinstance(value, str):
        parts = [p.strip() for p in value.replace(";", ",").split(",")]
        return frozenset(int(p) for p in parts if p)
    return frozenset(int(v) for v in value)  # type: ignore[union-attr]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: str | None = None
    database_url: str = "sqlite+aiosqlite:///data/govreports.db"
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    telegram_local_mode: bool = False
    allowed_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    admin_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Asia/Shanghai"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    max_upload_mb: float = 20
    # Messages per second across all chats (Telegram documents about 30/s for bots); a 429 is retried.
    telegram_max_rate: float = 30
    # Town / street offices are not named in Art. 49; local notices set their deadline.
    town_report_deadline: str = Field(default="01-31", pattern=r"^\d{2}-\d{2}$")
    # Tests serve pages on loopback; production never fetches private addresses.
    fetch_allow_private: bool = False
    log_level: str = "INFO"

    @field_validator("allowed_user_ids", "admin_user_ids", mode="before")
    @classmethod
    def _parse_ids(cls, v: object) -> frozenset[int]:
        return _ids(v)

    @field_validator("webhook_url", "webhook_secret", "bot_token", mode="before")
    @classmethod
    def _empty_is_none(cls, v: object) -> object:
        return None if v == "" else v

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def is_allowed(self, user_id: int | None) -> bool:
        if user_id is None:
            return False
        return not self.allowed_user_ids or user_id in self.allowed_user_ids or user_id in self.admin_user_ids

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_user_ids


@lru_cache
def get_settings() -> Settings:
    return Settings()
