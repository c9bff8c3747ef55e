"""The practice club's social side: accountability pairs, group pushes, forgiving streaks.

Each row a process may race another for has a unique constraint (one waiting request
per member, one pair membership each, one push at a time per club, one joiner row per
member), so two shard processes agree on the outcome without a lock.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow

__all__ = [
    "USER_COLUMNS",
    "ClubPair",
    "ClubPairRequest",
    "ClubPush",
    "ClubPushMember",
    "StreakSetting",
]


class ClubPairRequest(Base):
    """A member waiting for a practice partner: their time zone and skill to match on."""

    __tablename__ = "club_pair_requests"
    __table_args__ = (UniqueConstraint("club_id", "user_id", name="uq_club_pair_requests_member"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    club_id: Mapped[int] = mapped_column(Integer, index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    skill: Mapped[str] = mapped_column(String(80), default="")
    #: The text channel the request came from: the pair's private thread opens there.
    channel_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ClubPair(Base):
    """Two practice partners, their private thread, and whether the pair still stands."""

    __tablename__ = "club_pairs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    club_id: Mapped[int] = mapped_column(Integer, index=True)
    first_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    second_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    skill: Mapped[str] = mapped_column(String(80), default="")
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | ended
    formed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ClubPush(Base):
    """A club's shared push: a goal in minutes, an end, and the thread with its bar."""

    __tablename__ = "club_pushes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    club_id: Mapped[int] = mapped_column(Integer, index=True)
    goal_minutes: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The local dates whose practice counts (the club's time zone).
    first_day: Mapped[str] = mapped_column(String(10))
    last_day: Mapped[str] = mapped_column(String(10))
    channel_id: Mapped[int] = mapped_column(BigInteger)
    in_forum: Mapped[bool] = mapped_column(Boolean, default=False)
    thread_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | ended
    started_by: Mapped[int] = mapped_column(BigInteger)
    reached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: A unique marker while the push runs ("club id"), NULL after: one push at a time.
    running: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)


class ClubPushMember(Base):
    """A member who joined a push: their logged minutes count toward the shared bar."""

    __tablename__ = "club_push_members"
    __table_args__ = (UniqueConstraint("push_id", "user_id", name="uq_club_push_members_member"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    push_id: Mapped[int] = mapped_column(Integer, index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StreakSetting(Base):
    """A member's streak choices: freeze days a month, and the opt-in at-risk reminder."""

    __tablename__ = "streak_settings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    freezes_per_month: Mapped[int] = mapped_column(Integer, default=0)
    remind: Mapped[bool] = mapped_column(Boolean, default=False)
    remind_time: Mapped[str] = mapped_column(String(5), default="20:00")


#: Where a person's club data lives, for /mydata export and delete.
USER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("club_pair_requests", "user_id"),
    ("club_pairs", "first_user_id"),
    ("club_pairs", "second_user_id"),
    ("club_pushes", "started_by"),
    ("club_push_members", "user_id"),
    ("streak_settings", "user_id"),
)
