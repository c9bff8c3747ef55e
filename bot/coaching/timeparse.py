"""Reading what people type for a time zone, a time of day and a set of days.

Forgiving on purpose: "berlin", "europe berlin" and "Europe/Berlin" all work, and a
wrong value gets a message naming what would work instead of a silent default.
"""

from __future__ import annotations

import difflib
import re
from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from bot.errors import Refusal

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_DAY = "0123456"


class InputProblem(Refusal, ValueError):
    """A value a person typed that we cannot use; the message says what would work."""


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9+\-]", "", text.lower())


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Squashed full names and unique city names → the IANA name."""
    index: dict[str, str] = {}
    cities: dict[str, list[str]] = {}
    for zone in _zones():
        index[_squash(zone)] = zone
        city = _squash(zone.rsplit("/", 1)[-1])
        cities.setdefault(city, []).append(zone)
    for city, zones in cities.items():
        if len(zones) == 1 and city not in index:
            index[city] = zones[0]
        elif city not in index:
            # Prefer the canonical-looking region when a city name repeats.
            preferred = [z for z in zones if z.split("/")[0] in ("Europe", "America", "Asia")]
            index[city] = (preferred or zones)[0]
    return index


def match_timezones(query: str, limit: int = 25) -> list[str]:
    """IANA names matching what was typed so far, best first (for autocomplete)."""
    needle = _squash(query)
    if not needle:
        return list(_zones()[:limit])
    exact = _index().get(needle)
    starts = [z for z in _zones() if _squash(z.rsplit("/", 1)[-1]).startswith(needle)]
    contains = [z for z in _zones() if needle in _squash(z) and z not in starts]
    found = ([exact] if exact else []) + [z for z in starts + contains if z != exact]
    if not found:  # a typo: "Berln" still finds Berlin
        index = _index()
        close = difflib.get_close_matches(needle, list(index), n=limit, cutoff=0.75)
        found = list(dict.fromkeys(index[name] for name in close))
    return found[:limit]


#: Common abbreviations → the zone most people who type them live in. Each is a city zone,
#: so summer time follows the local rules ("CET" in July is still Berlin's 07:00).
ABBREVIATIONS: dict[str, str] = {
    "GMT": "Europe/London",
    "BST": "Europe/London",
    "WET": "Europe/Lisbon",
    "WEST": "Europe/Lisbon",
    "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin",
    "EET": "Europe/Athens",
    "EEST": "Europe/Athens",
    "MSK": "Europe/Moscow",
    "IST": "Asia/Kolkata",
    "SGT": "Asia/Singapore",
    "HKT": "Asia/Hong_Kong",
    "JST": "Asia/Tokyo",
    "KST": "Asia/Seoul",
    "AWST": "Australia/Perth",
    "ACST": "Australia/Adelaide",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
    "NZST": "Pacific/Auckland",
    "NZDT": "Pacific/Auckland",
    "ET": "America/New_York",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CT": "America/Chicago",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "MT": "America/Denver",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "PT": "America/Los_Angeles",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "AKST": "America/Anchorage",
    "HST": "Pacific/Honolulu",
}


def timezone_note(typed: str, zone: str) -> str:
    """One sentence saying which zone an abbreviation was taken as, or "" when the
    person typed the zone itself (so they can correct a wrong guess at once)."""
    abbreviation = typed.strip().upper()
    if abbreviation not in ABBREVIATIONS or ABBREVIATIONS[abbreviation] != zone:
        return ""
    return f"{abbreviation} taken as {zone} (it follows {zone}'s summer time)."


def parse_timezone(text: str) -> str:
    """An IANA name for what was typed, or :class:`InputProblem` with suggestions."""
    cleaned = text.strip()
    if not cleaned:
        raise InputProblem("Which time zone? Type a city, e.g. Europe/Berlin or New York.")
    if cleaned in _zones():
        return cleaned
    if cleaned.upper() in ABBREVIATIONS:
        return ABBREVIATIONS[cleaned.upper()]
    found = _index().get(_squash(cleaned))
    if found:
        return found
    suggestions = match_timezones(cleaned, 3)
    hint = (
        f" Did you mean {', '.join(suggestions)}?"
        if suggestions
        else " Type a city, e.g. Europe/Berlin or America/New_York."
    )
    raise InputProblem(f"I don't know the time zone {cleaned!r}.{hint}")


def parse_local_time(text: str) -> str:
    """``"7"``, ``"7:30"``, ``"07.30"``, ``"7am"``, ``"7:30 pm"`` → ``"HH:MM"``."""
    cleaned = text.strip().lower().replace(" ", "")
    match = re.fullmatch(r"(\d{1,2})(?:[:.h](\d{2}))?(am|pm)?", cleaned)
    if not match:
        raise InputProblem(f"I can't read {text!r} as a time of day; try 07:30.")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = match.group(3)
    if suffix:
        if not 1 <= hour <= 12:
            raise InputProblem(f"{text!r}: with am/pm the hour is 1 to 12.")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InputProblem(f"{text!r} is not a time of day; try 07:30.")
    return f"{hour:02d}:{minute:02d}"


def parse_days(text: str) -> str:
    """ "every day", "weekdays", "weekends", "mon-fri", "mon,wed,fri" → digits (0 = Monday)."""
    cleaned = text.strip().lower()
    if cleaned in ("", "daily", "every day", "everyday", "all", "every"):
        return EVERY_DAY
    if cleaned in ("weekdays", "workdays", "mon-fri"):
        return "01234"
    if cleaned in ("weekends", "weekend"):
        return "56"
    days: set[int] = set()
    for part in re.split(r"[,\s/]+", cleaned):
        if not part:
            continue
        if "-" in part:
            start, _, end = part.partition("-")
            first, last = _day(start, text), _day(end, text)
            span = range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
            days.update(span)
        else:
            days.add(_day(part, text))
    if not days:
        raise InputProblem("Which days? e.g. 'every day', 'weekdays' or 'mon,wed,fri'.")
    return "".join(str(d) for d in sorted(days))


def _day(word: str, original: str) -> int:
    prefix = word[:3]
    if prefix in DAY_NAMES:
        return DAY_NAMES.index(prefix)
    raise InputProblem(f"I can't read the days {original!r}; try 'weekdays' or 'mon,wed,fri'.")


def describe_days(days: str) -> str:
    if days == EVERY_DAY:
        return "every day"
    if days == "01234":
        return "weekdays"
    if days == "56":
        return "weekends"
    return ", ".join(DAY_NAMES[int(d)].capitalize() for d in days)


def parse_date(text: str, today: date) -> date:
    """An ISO date, or "tomorrow", or a number of days ("in 10 days", "10d")."""
    cleaned = text.strip().lower()
    if cleaned == "tomorrow":
        return date.fromordinal(today.toordinal() + 1)
    match = re.fullmatch(r"(?:in\s*)?(\d{1,3})\s*(?:d|days?)", cleaned)
    if match:
        return date.fromordinal(today.toordinal() + int(match.group(1)))
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        raise InputProblem(
            f"I can't read {text!r} as a date; use 2026-04-12 or '10 days'."
        ) from None


def local_moment(day: date, hhmm: str, zone: str) -> datetime:
    """The aware moment of ``hhmm`` on ``day`` in ``zone``.

    On the spring-forward night a time that doesn't exist (02:30 in Berlin) moves to
    the same minutes after the gap; on the autumn night the first of the two
    occurrences is used. Either way the DM arrives once, near the chosen time.
    """
    tz = ZoneInfo(zone)
    hour, minute = (int(p) for p in hhmm.split(":"))
    naive = datetime.combine(day, time(hour, minute))
    # fold=0: before a gap's offset (so 02:30 becomes 03:30) and the first of two
    # repeated hours; the UTC round trip turns it into a real wall-clock time.
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC).astimezone(tz)


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()
