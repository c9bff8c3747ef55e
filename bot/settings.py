"""The one configuration model for Touchstone.

Everything configurable is read here, from ``TOUCHSTONE_*`` environment variables
and an optional ``.env`` file, so that a bad value fails once, at start-up, with a
clear line instead of surfacing later as a confusing runtime error.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_DATABASE_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


def default_data_dir() -> Path:
    return Path.cwd() / "data"


class Settings(BaseSettings):
    """Process-wide settings. Per-server behaviour lives in the guild config, not here."""

    model_config = SettingsConfigDict(
        env_prefix="TOUCHSTONE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    token: SecretStr | None = Field(default=None, description="Discord bot token.")
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL; defaults to a SQLite file in the data directory.",
    )
    chroma_path: Path | None = Field(
        default=None, description="Local chromadb directory; defaults to <data_dir>/chroma."
    )
    chroma_url: AnyHttpUrl | None = Field(
        default=None, description="A chromadb server, used instead of the local directory."
    )
    notes_dir: Path | None = Field(
        default=None,
        description="Notes added with `touchstone ingest PATH`; defaults to <data_dir>/notes.",
    )
    log_level: LogLevel = LogLevel.INFO
    log_format: LogFormat = LogFormat.TEXT

    # Language model (optional). ``provider:model`` as in langchain's init_chat_model.
    llm_model: str | None = None
    llm_base_url: AnyHttpUrl | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: Annotated[float, Field(gt=0, le=300)] = 20.0

    # Discord endpoints: overridden by REST proxies in large deployments and by tests.
    discord_api_base: AnyHttpUrl | None = None
    discord_gateway_url: str | None = None
    shard_count: Annotated[int, Field(ge=1)] | None = None
    shard_ids: list[int] | None = None
    message_content_intent: bool = Field(
        default=True,
        description="Needs the privileged Message Content intent; watch mode and DM answers use it.",
    )
    # Coaching and the DM outbox.
    dm_grace_minutes: Annotated[int, Field(ge=0, le=7 * 24 * 60)] = Field(
        default=120, description="A DM missed while the bot was down is still sent this late."
    )
    dm_daily_cap: Annotated[int, Field(ge=1, le=100)] = Field(
        default=8, description="At most this many unsolicited DMs per person per 24 hours."
    )
    simulated_clock_start: datetime | None = Field(
        default=None,
        description="TEST-ONLY: run on a simulated clock from this time; the clock moves to "
        "the time written in <data_dir>/simulated-clock.",
    )
    dialogue_max_depth: Annotated[int, Field(ge=1, le=6)] = 3  # "why is that impossible?" levels
    dialogue_reminder_hours: Annotated[float, Field(gt=0, le=24 * 30)] = 24.0  # idle reminder
    dialogue_expiry_days: Annotated[float, Field(gt=0, le=365)] = 7.0  # idle dialogues expire
    advice_model_budget: Annotated[float, Field(gt=0, le=10)] = 2.0  # s for a model rewrite
    #: Seconds between looks for work a stopped process left unfinished (a draft's
    #: check or post); also done at start-up.
    recovery_interval_seconds: Annotated[float, Field(ge=0.2, le=600)] = 15.0
    guild_ready_timeout: Annotated[float, Field(ge=0, le=60)] = Field(
        default=2.0, description="How long to wait for servers to stream in before 'ready'."
    )
    # Operations: the optional health and metrics HTTP endpoint (off unless a port is set).
    health_port: Annotated[int, Field(ge=0, le=65535)] | None = Field(
        default=None, description="Serve /healthz and /metrics on this port (0 = any free port)."
    )
    health_host: str = Field(
        default="127.0.0.1", description="Address for the health endpoint; loopback by default."
    )
    # Cooldowns and caps on expensive work (0 = no limit).
    limit_ask_per_minute: Annotated[int, Field(ge=0, le=1000)] = Field(
        default=5, description="/ask questions per person per minute."
    )
    limit_dialogue_starts_per_10_minutes: Annotated[int, Field(ge=0, le=1000)] = Field(
        default=3,
        description="New dialogues (/impossible, /crux, /exercise) per person per 10 minutes.",
    )
    limit_advice_checks_per_minute: Annotated[int, Field(ge=0, le=1000)] = Field(
        default=10, description="Reply checks (/advise, Reply with care) per person per minute."
    )
    limit_model_calls_per_server_per_day: Annotated[int, Field(ge=0, le=1_000_000)] = Field(
        default=200,
        description="Language-model calls per server per 24 hours; beyond it, offline behaviour.",
    )
    sqlite_busy_timeout: Annotated[float, Field(gt=0, le=300)] = Field(
        default=15.0, description="Seconds SQLite waits for a lock before 'try again shortly'."
    )
    dev_guild_id: int | None = Field(
        default=None,
        description="sync-commands registers to this guild only (fast, for development).",
    )

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "not a database URL; use sqlite+aiosqlite:///path.db or "
                "postgresql+asyncpg://user@host/db"
            ) from None
        driver = url.drivername
        if driver in ("sqlite", "postgresql", "postgres"):
            return value  # normalised in resolved_database_url
        if driver not in SUPPORTED_DATABASE_DRIVERS:
            raise ValueError(f"unsupported database driver {driver!r}; use sqlite or postgresql")
        return value

    @field_validator("llm_model")
    @classmethod
    def _check_llm_model(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        if ":" not in value:
            raise ValueError("use langchain's provider:model form, e.g. openai:gpt-4o-mini")
        return value.strip()

    @field_validator("discord_gateway_url")
    @classmethod
    def _check_gateway(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("ws://", "wss://")):
            raise ValueError("the gateway URL must start with ws:// or wss://")
        return value

    @property
    def resolved_database_url(self) -> str:
        """The async SQLAlchemy URL actually used, with the driver made explicit."""
        if self.database_url is None:
            return f"sqlite+aiosqlite:///{self.data_dir / 'touchstone.db'}"
        url = make_url(self.database_url)
        if url.drivername == "sqlite":
            url = url.set(drivername="sqlite+aiosqlite")
        elif url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+asyncpg")
        return url.render_as_string(hide_password=False)

    @property
    def resolved_chroma_path(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    @property
    def resolved_notes_dir(self) -> Path:
        """Where added notes live: part of the library, not a cache (back it up)."""
        return self.notes_dir or self.data_dir / "notes"

    @property
    def has_token(self) -> bool:
        return self.token is not None and self.token.get_secret_value().strip() != ""


class SettingsError(Exception):
    """Raised with one human-readable line per invalid setting."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning pydantic's report into one clear line per problem."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "settings"
            env_name = f"TOUCHSTONE_{field.upper()}"
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{env_name}: {message}")
        raise SettingsError(problems) from None
