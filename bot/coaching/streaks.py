"""Streaks that survive rest days, planned pauses and a few forgiven days.

A day counts when practice was logged. A missing day breaks the streak only if it was
a day the person planned to practise: days outside their chosen weekdays and days in
a pause are neutral, and today never breaks a streak (the day isn't over). A member
may also keep a small monthly allowance of freeze days (the practice club's "streaks
that forgive"): a missed planned day is then covered, up to that many per calendar
month, so one bad day doesn't wipe out weeks of work. A frozen day keeps the run going
without adding to it; the most recent misses use the allowance first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

MAX_LOOKBACK = 800
MAX_FREEZES_PER_MONTH = 3


@dataclass(frozen=True)
class StreakRun:
    days: int
    #: Missed planned days the freeze allowance covered, newest first.
    frozen: tuple[date, ...] = ()


def is_rest_day(day: date, weekdays: str, pauses: Iterable[tuple[date, date]]) -> bool:
    if str(day.weekday()) not in weekdays:
        return True
    return any(start <= day <= end for start, end in pauses)


def streak_run(
    practised: set[date],
    today: date,
    weekdays: str = "0123456",
    pauses: Iterable[tuple[date, date]] = (),
    freezes_per_month: int = 0,
) -> StreakRun:
    """The current unbroken run, and which missed days freezes covered."""
    pause_list = list(pauses)
    streak = 0
    frozen: list[date] = []
    used: Counter[tuple[int, int]] = Counter()
    day = today
    for _ in range(MAX_LOOKBACK):
        if day in practised:
            streak += 1
        elif day != today and not is_rest_day(day, weekdays, pause_list):
            month = (day.year, day.month)
            if used[month] >= freezes_per_month:
                break
            used[month] += 1
            frozen.append(day)
        day -= timedelta(days=1)
        if not practised or day < min(practised):
            break
    # A freeze only bridges a gap between practice days, never before the first one.
    first = min(practised) if practised else today
    return StreakRun(streak, tuple(d for d in frozen if d > first))


def current_streak(
    practised: set[date],
    today: date,
    weekdays: str = "0123456",
    pauses: Iterable[tuple[date, date]] = (),
    freezes_per_month: int = 0,
) -> int:
    """Number of days with practice in the current unbroken run."""
    return streak_run(practised, today, weekdays, pauses, freezes_per_month).days
