"""The digest of a closed check-in, and the private starting point a member is offered.

Both read members' practice logs, so both live here, next to the rule that matters:
the digest adds up only the hours of members who chose to share them, and quotes only
the changes their authors agreed to have quoted. It names nobody.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from bot.club.calendar import weeks_between
from bot.club.model import CheckIn, Digest, Entry, WeekHours
from bot.wording import plural


@dataclass(frozen=True)
class PracticeMinutes:
    day: date
    skill: str
    minutes: int


class PracticeSource(Protocol):
    """A member's practice log between two local dates (the coaching practice log)."""

    async def minutes(self, user_id: int, first: date, last: date) -> list[PracticeMinutes]: ...


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f} h"


async def starting_point(practice: PracticeSource, user_id: int, check_in: CheckIn) -> str:
    """One line from the member's own log; shown only to them (a form or their DM)."""
    logs = await practice.minutes(user_id, check_in.covers_from, check_in.covers_to)
    span = f"{check_in.covers_from:%d %b} to {check_in.covers_to:%d %b}"
    if not logs:
        return f"Nothing in your practice log from {span} (/practice log adds sessions)."
    by_skill: dict[str, int] = defaultdict(int)
    for log in logs:
        by_skill[log.skill] += log.minutes
    total = sum(by_skill.values())
    skills = ", ".join(
        f"{skill} {_hours(m)}" for skill, m in sorted(by_skill.items(), key=lambda kv: -kv[1])
    )
    days = len({log.day for log in logs})
    return f"From your practice log, {span}: {_hours(total)} on {plural(days, 'day')} ({skills})."


async def build_digest(
    practice: PracticeSource, check_in: CheckIn, entries: Sequence[Entry]
) -> Digest:
    weeks = weeks_between(check_in.covers_from, check_in.covers_to)
    per_week: dict[date, int] = defaultdict(int)
    sharing = [e for e in entries if e.share_hours]
    for entry in sharing:
        for log in await practice.minutes(entry.user_id, check_in.covers_from, check_in.covers_to):
            per_week[log.day - timedelta(days=log.day.weekday())] += log.minutes
    total = sum(per_week.values())
    return Digest(
        period=check_in.period,
        checked_in=len(entries),
        sharing_hours=len(sharing),
        total_hours=round(total / 60, 1),
        weeks=tuple(WeekHours(w, round(per_week.get(w, 0) / 60, 2)) for w in weeks),
        changes=tuple(e.change for e in entries if e.quote_change and e.change),
    )


def digest_text(digest: Digest, check_in: CheckIn) -> str:
    span = f"{check_in.covers_from:%d %B} to {check_in.covers_to:%d %B}"
    if digest.checked_in == 0:
        return f"Nobody checked in this time ({span}). Missed months are data, not failure."
    lines = [f"**{plural(digest.checked_in, 'member')} checked in** ({span})."]
    if digest.sharing_hours:
        lines.append(
            f"Practice shared by {digest.sharing_hours} of them: {digest.total_hours:.1f} h "
            "in total (the chart shows it per week); everyone else's log stays private."
        )
    else:
        lines.append("Nobody chose to share their hours this time; their logs stay private.")
    if digest.changes:
        lines.append("")
        lines.append("One change for next month:")
        lines.extend("> " + " ".join(change.split()) for change in digest.changes)
    return "\n".join(lines)
