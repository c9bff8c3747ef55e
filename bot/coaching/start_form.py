"""What the /coach start form asks and how its answers become a start request.

The form offers the week's days as checkboxes and the time zones most members live in
as a list with "Other", so nobody has to know how to spell ``mon,wed,fri`` or an IANA
name; "Other" falls back to typing a zone, read as forgivingly as the command option.
Discord lays the form out; the choices and their reading live here so any adapter
offers the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.coaching.timeparse import DAY_NAMES, InputProblem, match_timezones

OTHER_ZONE = "other"
#: Offered in the time-zone list (with "Other" that makes 25, a select's maximum).
COMMON_TIMEZONES: tuple[str, ...] = (
    "UTC",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Moscow",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)
DAY_LABELS: tuple[tuple[str, str], ...] = tuple(
    (day, name)
    for day, name in zip(
        DAY_NAMES,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)


@dataclass(frozen=True)
class StartAnswers:
    """The form as submitted: ticked days, the listed zone (or "other"), a typed zone,
    an optional time of day and whether to nudge in the evening."""

    days: tuple[str, ...]
    zone_choice: str | None
    typed_zone: str = ""
    time: str = ""
    nudge: bool = False

    def timezone(self) -> str:
        """The zone to use: the listed one, or what was typed under "Other"."""
        if self.zone_choice and self.zone_choice != OTHER_ZONE:
            return self.zone_choice
        typed = self.typed_zone.strip()
        if not typed:
            raise InputProblem(
                "Pick your time zone from the list, or choose Other and type it "
                "(e.g. Europe/Berlin or a city)."
            )
        found = match_timezones(typed, limit=1)
        return found[0] if found else typed

    def days_text(self) -> str:
        """The ticked days as the coaching service reads them (``mon,wed,fri``)."""
        unknown = [d for d in self.days if d not in DAY_NAMES]
        if unknown or not self.days:
            raise InputProblem("Tick at least one day for the morning prompts.")
        return ",".join(d for d in DAY_NAMES if d in self.days)
