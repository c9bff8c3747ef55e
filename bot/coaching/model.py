"""Plain results the coaching service returns to the adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class ProfileStatus(StrEnum):
    """Whether a person's coaching DMs are on. Stored as these strings."""

    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"


class ScheduleChange(StrEnum):
    """Which /coach command a :class:`ScheduleView` answers: it picks the opening line."""

    STARTED = "started"
    SAVED = "saved"
    SHOWN = "shown"
    PAUSED = "paused"
    RESUMED = "resumed"


class DmOutcome(StrEnum):
    """What became of a DM filed as a morning answer; only ``SAVED`` stored it."""

    SAVED = "saved"
    #: Nothing but whitespace: nothing to store and nothing to reply.
    BLANK = "blank"
    INVISIBLE = "invisible"
    #: No morning prompts are open for answers, so the DM was not kept.
    UNAWAITED = "unawaited"


#: The daily practice the log counts towards ("n more minutes reaches today's 15").
DAILY_GOAL_MINUTES = 15


class PushStatus(StrEnum):
    """Where a practice push stands. Stored as these strings."""

    ACTIVE = "active"
    DONE = "done"
    STOPPED = "stopped"


@dataclass(frozen=True)
class Profile:
    user_id: int
    guild_id: int | None
    timezone: str
    local_time: str
    weekdays: str
    status: ProfileStatus
    paused_until: date | None
    nudge_enabled: bool
    nudge_time: str


@dataclass(frozen=True)
class ScheduleView:
    """What the person is told after /coach start or settings: when the next DMs come."""

    profile: Profile
    next_orient: datetime | None
    change: ScheduleChange
    #: The time zone as typed when this command set it, so an abbreviation's reading
    #: can be stated (None when the zone was not set just now).
    typed_timezone: str | None = None


@dataclass(frozen=True)
class LogResult:
    """A logged session and where the day stands; ``milestones`` are already worded
    (push milestones, from :mod:`bot.coaching.text`)."""

    minutes: int
    skill: str
    minutes_today: int
    streak: int
    milestones: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuickVersion:
    """The Quick version of a morning: the library's advice and the first prompts."""

    advice: str
    prompts: tuple[str, ...]


@dataclass(frozen=True)
class PushView:
    id: int
    skill: str
    target_hours: int
    hours_done: float
    status: PushStatus
    #: The before/after test the push is judged by, and its result before (None: not set).
    test: str | None = None
    test_before: str | None = None

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.hours_done / self.target_hours)) if self.target_hours else 0


@dataclass(frozen=True)
class PushStart:
    """What /practice push start did: ``created`` False means a push on that skill was
    already under way, and ``push`` is that one."""

    push: PushView
    created: bool


@dataclass(frozen=True)
class PushStop:
    """What /practice push stop did: ``push`` is None when no push ran on ``skill``."""

    skill: str
    push: PushView | None


@dataclass(frozen=True)
class Stats:
    """A stretch of the practice log in figures: /practice stats and the review DMs."""

    chart_png: bytes | None
    days: list[date] = field(default_factory=list)
    minutes: list[int] = field(default_factory=list)
    #: Minutes per skill over the stretch, most practised first.
    by_skill: tuple[tuple[str, int], ...] = ()
    streak: int = 0
    #: The pushes under way, with their hours so far.
    pushes: tuple[PushView, ...] = ()


@dataclass(frozen=True)
class DmFiling:
    """Where a DM answer went: ``stored`` False means it was not kept (``outcome`` says why)."""

    outcome: DmOutcome
    session_id: int | None = None
    #: Answers the session holds, this one included (``SAVED`` only).
    answers: int = 0
    #: Whether coaching is on or paused, so more morning prompts will come (``UNAWAITED``).
    coaching_on: bool = False

    @property
    def stored(self) -> bool:
        return self.outcome is DmOutcome.SAVED
