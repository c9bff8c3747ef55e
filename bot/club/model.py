"""Typed state of the practice club, as the service hands it to the adapters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Cadence(StrEnum):
    MONTHLY = "monthly"
    WEEKLY = "weekly"


class ClubStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class CheckInStatus(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


class Via(StrEnum):
    """How a member checked in: the private form, or a reply in the public thread."""

    FORM = "form"
    THREAD = "thread"


@dataclass(frozen=True)
class Club:
    id: int
    guild_id: int
    channel_id: int
    in_forum: bool
    cadence: Cadence
    #: Day of the month (1-28) for a monthly club, weekday (0 = Monday) for a weekly one.
    day: int
    local_time: str
    timezone: str
    open_days: int
    status: ClubStatus


@dataclass(frozen=True)
class CheckIn:
    id: int
    club_id: int
    period: str
    opens_at: datetime
    closes_at: datetime
    #: The local dates whose practice this check-in looks back on.
    covers_from: date
    covers_to: date
    questions: tuple[str, ...]
    thread_id: int | None
    status: CheckInStatus


@dataclass(frozen=True)
class Entry:
    """A member's check-in; ``share_hours`` and ``quote_change`` are their consent."""

    check_in_id: int
    user_id: int
    answers: str
    change: str | None
    share_hours: bool
    quote_change: bool
    via: Via


@dataclass(frozen=True)
class ClubSetup:
    """What a moderator chose in /club start (already validated)."""

    channel_id: int
    in_forum: bool
    cadence: Cadence
    day: int
    local_time: str
    timezone: str
    open_days: int


@dataclass(frozen=True)
class CheckInForm:
    """What a member sees before answering: the questions, and a private starting point
    drawn from their own practice log (shown only to them)."""

    check_in_id: int
    questions: tuple[str, ...]
    starting_point: str
    answers: str
    change: str
    share_hours: bool
    quote_change: bool


@dataclass(frozen=True)
class WeekHours:
    week_start: date
    hours: float


@dataclass(frozen=True)
class Digest:
    """The digest of a closed check-in; built only from what members chose to share."""

    period: str
    checked_in: int
    sharing_hours: int
    total_hours: float
    weeks: tuple[WeekHours, ...]
    changes: tuple[str, ...]
