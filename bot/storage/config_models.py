"""Per-server configuration and its audit log.

The configuration is one validated JSON document per server (the pydantic model in
``bot.guild_config.model`` is the schema), so adding a setting needs no migration.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow

__all__ = ["USER_COLUMNS", "Base", "ConfigAudit", "GuildConfigRow"]


class GuildConfigRow(Base):
    __tablename__ = "guild_config"
    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[str] = mapped_column(Text, default="{}")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConfigAudit(Base):
    """Who changed which key, when, from what to what (shown by /config history)."""

    __tablename__ = "config_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    actor_id: Mapped[int] = mapped_column(BigInteger)
    key: Mapped[str] = mapped_column(String(200))
    old_value: Mapped[str] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


USER_COLUMNS: tuple[tuple[str, str], ...] = (("config_audit", "actor_id"),)
