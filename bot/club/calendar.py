"""When a club's check-ins open and close, in the server's local time.

Pure functions: every moment is computed from a local date and wall-clock time through
zoneinfo, so a monthly club at 19:00 stays at 19:00 across a daylight-saving change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.club.model import Cadence, Club
from bot.coaching.timeparse import local_date, local_moment

MAX_MONTH_DAY = 28
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Occurrence:
    """One check-in's dates: its period key, when it opens and closes, what it covers."""

    period: str
    open_date: date
    opens_at: datetime
    closes_at: datetime
    covers_from: date
    covers_to: date


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, min(day.day, MAX_MONTH_DAY))


def occurrence_on(club: Club, open_date: date) -> Occurrence:
    if club.cadence is Cadence.MONTHLY:
        period = f"{open_date:%Y-%m}"
        covers_from = _add_months(open_date, -1)
    else:
        year, week, _ = open_date.isocalendar()
        period = f"{year}-W{week:02d}"
        covers_from = open_date - timedelta(days=7)
    return Occurrence(
        period=period,
        open_date=open_date,
        opens_at=local_moment(open_date, club.local_time, club.timezone),
        closes_at=local_moment(
            open_date + timedelta(days=club.open_days), club.local_time, club.timezone
        ),
        covers_from=covers_from,
        covers_to=open_date - timedelta(days=1),
    )


def next_occurrence(club: Club, now: datetime) -> Occurrence:
    """The first check-in that opens after ``now``."""
    today = local_date(now, club.timezone)
    if club.cadence is Cadence.MONTHLY:
        candidate = date(today.year, today.month, club.day)
        step = 1
        while True:
            found = occurrence_on(club, candidate)
            if found.opens_at > now:
                return found
            candidate = _add_months(candidate, step)
    candidate = today + timedelta(days=(club.day - today.weekday()) % 7)
    while True:
        found = occurrence_on(club, candidate)
        if found.opens_at > now:
            return found
        candidate += timedelta(days=7)


def weeks_between(first: date, last: date) -> list[date]:
    """The Mondays of the weeks that overlap ``first``..``last``."""
    monday = first - timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def parse_day(text: str, cadence: Cadence) -> int:
    """A monthly club's day of the month (1-28), or a weekly club's weekday name."""
    from bot.coaching.timeparse import InputProblem

    word = text.strip().lower()
    if cadence is Cadence.MONTHLY:
        if word.isdigit() and 1 <= int(word) <= MAX_MONTH_DAY:
            return int(word)
        raise InputProblem(
            f"A monthly club meets on a day of the month from 1 to {MAX_MONTH_DAY} "
            "(every month has one)."
        )
    for number, name in enumerate(WEEKDAYS):
        if word[:3] == name:
            return number
    raise InputProblem("A weekly club meets on a weekday: mon, tue, wed, thu, fri, sat or sun.")


def describe(club: Club) -> str:
    when = (
        f"on day {club.day} of each month"
        if club.cadence is Cadence.MONTHLY
        else f"every {WEEKDAYS[club.day].capitalize()}"
    )
    return f"{when} at {club.local_time} ({club.timezone}), open for {club.open_days} days"
