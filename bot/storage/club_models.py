"""The practice club: one club per server, its check-ins, members' answers and choices.

A check-in row exists from the moment its opening is scheduled, unique per club and
period, so two processes (or a restart) can never create a second check-in for the
same month; the outbox keys derived from its id keep each post single.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow

__all__ = ["USER_COLUMNS", "ClubCheckIn", "ClubEntry", "ClubMember", "ClubRow"]


class ClubRow(Base):
    """A server's practice club: where and when it meets (``day``: 1-28 or 0-6)."""

    __tablename__ = "clubs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    in_forum: Mapped[bool] = mapped_column(Boolean, default=False)
    cadence: Mapped[str] = mapped_column(String(10))  # monthly | weekly
    day: Mapped[int] = mapped_column(Integer)
    local_time: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    open_days: Mapped[int] = mapped_column(Integer, default=3)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active|paused|ended
    started_by: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ClubCheckIn(Base):
    """One period's check-in: scheduled → open (thread posted) → closed (digest)."""

    __tablename__ = "club_check_ins"
    __table_args__ = (UniqueConstraint("club_id", "period", name="uq_club_check_ins_period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    club_id: Mapped[int] = mapped_column(Integer, index=True)
    period: Mapped[str] = mapped_column(String(10))  # 2026-04 or 2026-W14
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The first and last local dates whose practice this check-in looks back on.
    covers_from: Mapped[str] = mapped_column(String(10))
    covers_to: Mapped[str] = mapped_column(String(10))
    questions_json: Mapped[str] = mapped_column(Text, default="[]")
    thread_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(10), default="scheduled")


class ClubEntry(Base):
    """A member's check-in, and what they chose to let the digest show."""

    __tablename__ = "club_entries"
    __table_args__ = (UniqueConstraint("check_in_id", "user_id", name="uq_club_entries_member"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    check_in_id: Mapped[int] = mapped_column(Integer, index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    answers: Mapped[str] = mapped_column(Text, default="")
    change: Mapped[str | None] = mapped_column(Text, nullable=True)
    share_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    quote_change: Mapped[bool] = mapped_column(Boolean, default=False)
    via: Mapped[str] = mapped_column(String(10))  # form | thread
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ClubMember(Base):
    """A member's standing choices in a club (the DM reminder is opt-in)."""

    __tablename__ = "club_members"
    __table_args__ = (UniqueConstraint("club_id", "user_id", name="uq_club_members_member"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    club_id: Mapped[int] = mapped_column(Integer, index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    remind: Mapped[bool] = mapped_column(Boolean, default=False)


#: Where a person's club data lives, for /mydata export and delete.
USER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("clubs", "started_by"),
    ("club_entries", "user_id"),
    ("club_members", "user_id"),
)
