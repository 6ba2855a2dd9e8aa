"""Settings from the environment or `.env`.

The variable names are a public contract: operators' scripts and tests rely on them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.urls import check_database_url

TELEGRAM_API_URL = "https://api.telegram.org"
TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
# Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - in a webhook secret.
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
SUPPORTED_LOCALES = ("kk", "ru")
# Names the settings file instead of `.env` in the working folder; empty: read no file (the tests'
# bot processes, which must not pick up a deployer's .env). Not a setting itself.
ENV_FILE_VARIABLE = "BELSENDI_ENV_FILE"
DEFAULT_ENV_FILE = Path(".env")
# Telegram only posts to https; plain http is for a Bot API server (or the fake) on this machine.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class SettingsError(Exception):
    """A setting is missing or malformed; `variable` names it for the operator."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


class Settings(BaseSettings):
    """Everything the bot reads from its environment.

    Built directly, it reads only the environment and its arguments; `load_settings` adds the
    settings file.
    """

    # An empty variable (BOT_TOKEN=) counts as unset, as .env.example leaves it.
    model_config = SettingsConfigDict(
        env_file=None, env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    bot_token: SecretStr | None = None
    telegram_api_url: str = TELEGRAM_API_URL
    database_url: str = "sqlite+aiosqlite:///./data/bot.sqlite3"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_locale: Literal["kk", "ru"] = "kk"
    timezone: str = "Asia/Almaty"
    run_mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"  # noqa: S104 - the webhook listens on all interfaces in a container
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    # Polling mode's health: the poller touches this file after every answer from Telegram, and
    # `python -m bot healthcheck` passes while it is younger than HEARTBEAT_MAX_AGE seconds.
    heartbeat_file: Path = Path("data/heartbeat")
    heartbeat_max_age: float = Field(default=120, gt=0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Per-user flood control: sustained messages per second and the burst allowed above it.
    throttle_rate: float = Field(default=1.0, ge=0)
    throttle_burst: int = Field(default=5, ge=1)
    # Handled updates are kept in the inbox this many days (for `python -m bot inbox`), then pruned.
    inbox_keep_days: int = Field(default=7, ge=1)
    # Hours before an event's start at which its registered volunteers are reminded (comma-separated).
    reminder_hours: Annotated[tuple[int, ...], NoDecode] = (24, 2)
    # Hours a volunteer in line has to answer an offer of freed seats (less when registration closes
    # sooner: an offer never outlives the registration deadline).
    offer_hours: int = Field(default=12, ge=1, le=24 * 7)
    # ... and when registration closes within a day, at most this many: close to the start a seat must
    # be able to pass down the line a few times.
    offer_hours_near_start: int = Field(default=2, ge=1, le=24)
    # Companions a volunteer may register with (each takes a seat of the event's capacity).
    max_companions: int = Field(default=3, ge=0, le=10)
    # Outgoing Bot API calls (bot/telegram/resilience.py; defaults as its RetryPolicy's, kept here as
    # literals so that reading settings imports no aiogram): retries after a 429 and after a network
    # failure or 5xx, and the seconds one call may spend waiting in all before its error is raised.
    telegram_flood_retries: int = Field(default=5, ge=0)
    telegram_network_retries: int = Field(default=3, ge=0)
    telegram_max_wait: float = Field(default=30.0, ge=0)
    # The outbox's sender (bot/sender.py, bot/pacing.py): Telegram's overall messages per second (one
    # budget for replies and the sender: the sender takes what replies leave), seconds a claimed row stays
    # with its sender before another may take it, sends tried before a row fails, days sent and dropped
    # rows are kept, and seconds between the scheduler's looks for due rows.
    send_rate: float = Field(default=30.0, gt=0)
    outbox_lease: float = Field(default=60.0, gt=0)
    outbox_max_attempts: int = Field(default=5, ge=1)
    outbox_keep_days: int = Field(default=7, ge=1)
    outbox_wake_interval: float = Field(default=5.0, gt=0)
    # Seconds before a button press its handler has not answered yet is answered without it: under
    # Telegram's ~15 s, after which an answer is refused (why 2 s: bot/middlewares/callback_answers.py).
    callback_answer_deadline: float = Field(default=2.0, gt=0, lt=15)

    @field_validator("reminder_hours", mode="before")
    @classmethod
    def _split_hours(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.isdigit() and 1 <= int(part) <= 24 * 14 for part in parts):
                raise ValueError("must be hours before the start, 1-336, separated by commas (24,2)")
            return tuple(sorted({int(part) for part in parts}, reverse=True))
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",")]
            if not all(part.isdigit() for part in parts if part):
                raise ValueError("must be Telegram user ids (numbers) separated by commas")
            return frozenset(int(part) for part in parts if part)
        return value

    @field_validator("run_mode", "default_locale", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        # RUN_MODE=WEBHOOK and DEFAULT_LOCALE=KK mean what they say.
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("telegram_api_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("webhook_url")
    @classmethod
    def _https_webhook(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
            raise ValueError(
                "must be an https URL: Telegram posts updates only over HTTPS "
                "(http is accepted only for 127.0.0.1 and localhost)"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return check_database_url(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("is not a known time zone") from error
        return value

    @field_validator("bot_token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TOKEN_PATTERN.match(value.get_secret_value()):
            raise ValueError("does not look like a token from @BotFather (digits:letters)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_PATTERN.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def token(self) -> str:
        """The bot token; raises when there is none."""
        self.require_token()
        assert self.bot_token is not None  # noqa: S101 - for the type checker; checked above
        return self.bot_token.get_secret_value()

    @property
    def tz(self) -> ZoneInfo:
        """The zone times are shown in (they are stored in UTC)."""
        return ZoneInfo(self.timezone)

    @property
    def webhook_path(self) -> str:
        """The path Telegram posts to, taken from WEBHOOK_URL."""
        return urlsplit(self.webhook_url or "").path or "/"

    @property
    def webhook_secret_value(self) -> str:
        """The secret Telegram sends back in X-Telegram-Bot-Api-Secret-Token; raises when unset."""
        if self.webhook_secret is None:
            raise SettingsError("WEBHOOK_SECRET", "is required when RUN_MODE=webhook")
        return self.webhook_secret.get_secret_value()

    def require_token(self) -> None:
        """Running the bot (not migrating) needs a token."""
        if self.bot_token is None:
            raise SettingsError("BOT_TOKEN", "is not set")

    def require_webhook(self) -> None:
        """Webhook mode needs the public URL and the secret Telegram will echo back."""
        if self.run_mode != "webhook":
            return
        if not self.webhook_url:
            raise SettingsError("WEBHOOK_URL", "is required when RUN_MODE=webhook")
        if self.webhook_secret is None:
            raise SettingsError("WEBHOOK_SECRET", "is required when RUN_MODE=webhook")


# Every variable the bot reads, as operators spell them.
ENVIRONMENT_VARIABLES = tuple(name.upper() for name in Settings.model_fields)


def settings_file() -> Path | None:
    """The dotenv file to read: the one BELSENDI_ENV_FILE names (none if it is empty), else `.env`."""
    named = os.environ.get(ENV_FILE_VARIABLE)
    if named is None:
        return DEFAULT_ENV_FILE
    if not named.strip():
        return None
    path = Path(named)
    if not path.is_file():
        raise SettingsError(ENV_FILE_VARIABLE, f"names {path}, which is not a file")
    return path


def load_settings(**overrides: object) -> Settings:
    """Read the environment and the settings file (`.env` unless BELSENDI_ENV_FILE says otherwise),
    turning pydantic's report into one `SettingsError` naming the variable."""
    if "_env_file" not in overrides:
        overrides["_env_file"] = settings_file()
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "settings"
        problem = first["msg"].removeprefix("Value error, ")
        raise SettingsError(variable, problem) from None
    settings.require_webhook()
    return settings
