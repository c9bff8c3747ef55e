"""Streaks that survive rest days and planned pauses.

A day counts when practice was logged. A missing day breaks the streak only if it was
a day the person planned to practise: days outside their chosen weekdays and days in
a pause are neutral, and today never breaks a streak (the day isn't over).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

MAX_LOOKBACK = 800


def is_rest_day(day: date, weekdays: str, pauses: Iterable[tuple[date, date]]) -> bool:
    if str(day.weekday()) not in weekdays:
        return True
    return any(start <= day <= end for start, end in pauses)


def current_streak(
    practised: set[date],
    today: date,
    weekdays: str = "0123456",
    pauses: Iterable[tuple[date, date]] = (),
) -> int:
    """Number of days with practice in the current unbroken run."""
    pause_list = list(pauses)
    streak = 0
    day = today
    for _ in range(MAX_LOOKBACK):
        if day in practised:
            streak += 1
        elif day != today and not is_rest_day(day, weekdays, pause_list):
            break
        day -= timedelta(days=1)
        if practised and day < min(practised):
            break
    return streak
