"""The relational schema. Changes here need an Alembic migration in ``migrations/versions``.

Discord ids are snowflakes up to 2**63, hence BigInteger everywhere an id is stored.
Every column naming a person is listed in :data:`USER_COLUMNS`, so privacy tools can
find and erase everything about a user without guessing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class BotState(Base):
    """Small process-wide facts that must survive restarts (e.g. the synced command hash)."""

    __tablename__ = "bot_state"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserRecord(Base):
    """What Touchstone knows about a person beyond their content: reachability by DM."""

    __tablename__ = "users"
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    dms_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    dms_closed_notice_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GuildNote(Base):
    """A knowledge note a server's moderators added; only ever retrieved in that server."""

    __tablename__ = "guild_notes"
    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    note_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AdviceDraft(Base):
    """A reply drafted through the advice check. Kept so the text is never lost."""

    __tablename__ = "advice_drafts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    channel_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    post_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    post_author_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    author_id: Mapped[int] = mapped_column(BigInteger, index=True)
    post_text: Mapped[str] = mapped_column(Text)
    draft_text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(String(20), default="unknown")
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    report_json: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    posted_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    #: The process checking or posting it right now (``received``/``posting``): when
    #: that process is gone, another one finishes the work (see bot.ops.liveness).
    owner: Mapped[str | None] = mapped_column(String(80), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class AdviceFalseAlarm(Base):
    """A report the writer marked as a mistake; moderators review these in /config."""

    __tablename__ = "advice_false_alarms"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    draft_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    post_text: Mapped[str] = mapped_column(Text)
    reply_text: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


#: (table, column) pairs that hold a Discord user id, for export and erasure.
USER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("users", "user_id"),
    ("guild_notes", "author_id"),
    ("advice_drafts", "author_id"),
    ("advice_drafts", "post_author_id"),
    ("advice_false_alarms", "user_id"),
)
