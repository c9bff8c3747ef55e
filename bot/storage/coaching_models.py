"""Coaching schedules, orient answers, practice logs, pushes and the DM outbox (issue: coaching).

The outbox (``scheduled_items``) is shared by every feature that sends something later:
each item has a unique ``key`` so that scheduling twice, restarting, or running several
shard processes can never create or send a duplicate.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow

__all__ = [
    "USER_COLUMNS",
    "Base",
    "CoachingProfile",
    "CoachingPrompt",
    "OrientAnswer",
    "OrientSession",
    "PracticeLog",
    "PracticePush",
    "ScheduledItem",
]


class ItemStatus(StrEnum):
    """Where an outbox item is in its life: pending → claimed → sent | skipped | failed,
    or cancelled before it was claimed. Stored as its value."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ScheduledItem(Base):
    """One message to send later. ``status``: pending → claimed → sent | skipped | failed,
    or cancelled. ``scheduled_for`` is the intended time (the grace window counts from it);
    ``due_at`` is the next attempt, later than ``scheduled_for`` only after a retry."""

    __tablename__ = "scheduled_items"
    __table_args__ = (Index("ix_scheduled_items_status_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(60))
    payload_json: Mapped[str] = mapped_column(Text, default="{}")
    unsolicited: Mapped[bool] = mapped_column(Boolean, default=True)
    scheduled_for: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default=ItemStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: Set just before the send starts: a claim without it was never attempted (safe
    #: to take over); one with it may have gone out (check before sending again).
    sending_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CoachingProfile(Base):
    """A person's coaching schedule, in their own time zone."""

    __tablename__ = "coaching_profiles"
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    timezone: Mapped[str] = mapped_column(String(64))
    local_time: Mapped[str] = mapped_column(String(5))  # "HH:MM"
    weekdays: Mapped[str] = mapped_column(String(7))  # digits 0 (Monday) .. 6 (Sunday)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active|paused|stopped
    paused_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    paused_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    nudge_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    nudge_time: Mapped[str] = mapped_column(String(5), default="20:00")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CoachingPause(Base):
    """A planned pause (vacation): streaks treat these days as neutral."""

    __tablename__ = "coaching_pauses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)


class CoachingPrompt(Base):
    """A person's own orient prompt list; empty means the server's or the corpus default."""

    __tablename__ = "coaching_prompts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class OrientSession(Base):
    """One morning's orient DM; answers attach to it."""

    __tablename__ = "orient_sessions"
    __table_args__ = (UniqueConstraint("user_id", "local_date"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    local_date: Mapped[date] = mapped_column(Date)
    prompts_json: Mapped[str] = mapped_column(Text, default="[]")
    quick: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OrientAnswer(Base):
    """A message the person wrote in reply to an orient DM, kept verbatim."""

    __tablename__ = "orient_answers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(Integer, index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PracticeLog(Base):
    """Minutes of focused practice on one skill, on the person's local date."""

    __tablename__ = "practice_logs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    skill: Mapped[str] = mapped_column(String(100))
    minutes: Mapped[int] = mapped_column(Integer)
    practised: Mapped[str | None] = mapped_column(Text, nullable=True)
    noticed: Mapped[str | None] = mapped_column(Text, nullable=True)
    local_date: Mapped[date] = mapped_column(Date)
    logged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PracticePush(Base):
    """A longer push on one skill (default 20 hours), with milestones and a reflection."""

    __tablename__ = "practice_pushes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    skill: Mapped[str] = mapped_column(String(100))
    target_hours: Mapped[int] = mapped_column(Integer, default=20)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active|done|stopped
    milestones_reached: Mapped[int] = mapped_column(Integer, default=0)
    reflection: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: The before/after test the push is judged by, and its result before the push.
    test: Mapped[str | None] = mapped_column(Text, nullable=True)
    test_before: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


USER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("scheduled_items", "user_id"),
    ("coaching_profiles", "user_id"),
    ("coaching_pauses", "user_id"),
    ("coaching_prompts", "user_id"),
    ("orient_sessions", "user_id"),
    ("orient_answers", "user_id"),
    ("practice_logs", "user_id"),
    ("practice_pushes", "user_id"),
)
