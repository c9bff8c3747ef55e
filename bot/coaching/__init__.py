"""Daily coaching: orient prompts, practice log, pushes and reviews (no Discord here)."""

from bot.coaching.model import (
    DmFiling,
    DmOutcome,
    LogResult,
    Profile,
    ProfileStatus,
    PushStart,
    PushStatus,
    PushStop,
    PushView,
    QuickVersion,
    ScheduleChange,
    ScheduleView,
    Stats,
)
from bot.coaching.service import CoachingService
from bot.coaching.store import CoachingStore
from bot.coaching.timeparse import InputProblem, match_timezones

__all__ = [
    "CoachingService",
    "CoachingStore",
    "DmFiling",
    "DmOutcome",
    "InputProblem",
    "LogResult",
    "Profile",
    "ProfileStatus",
    "PushStart",
    "PushStatus",
    "PushStop",
    "PushView",
    "QuickVersion",
    "ScheduleChange",
    "ScheduleView",
    "Stats",
    "match_timezones",
]
