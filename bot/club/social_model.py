"""Typed state of the club's social side: pairs, pushes and streak choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class PairStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class PushStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


@dataclass(frozen=True)
class PairRequest:
    """A member waiting for a partner; ``channel_id`` is a text channel for the thread."""

    club_id: int
    user_id: int
    timezone: str
    skill: str
    channel_id: int
    at: datetime


@dataclass(frozen=True)
class Pair:
    id: int
    club_id: int
    first_user_id: int
    second_user_id: int
    channel_id: int
    thread_id: int | None
    skill: str
    status: PairStatus
    formed_at: datetime

    def other(self, user_id: int) -> int:
        return self.second_user_id if user_id == self.first_user_id else self.first_user_id


@dataclass(frozen=True)
class Push:
    id: int
    club_id: int
    goal_minutes: int
    starts_at: datetime
    ends_at: datetime
    #: The local dates (club time zone) whose logged practice counts.
    first_day: date
    last_day: date
    channel_id: int
    in_forum: bool
    thread_id: int | None
    status: PushStatus
    reached_at: datetime | None


@dataclass(frozen=True)
class PushProgress:
    minutes: int
    goal_minutes: int
    members: int

    @property
    def percent(self) -> int:
        return min(100, 100 * self.minutes // self.goal_minutes) if self.goal_minutes else 0

    @property
    def reached(self) -> bool:
        return self.minutes >= self.goal_minutes


@dataclass(frozen=True)
class StreakChoice:
    """A member's streak settings; no row means no freezes and no reminder."""

    user_id: int
    freezes_per_month: int = 0
    remind: bool = False
    remind_time: str = "20:00"
