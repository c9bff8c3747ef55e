"""The club reads members' practice from the coaching practice log (one log, one truth)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.club.digest import PracticeMinutes
from bot.coaching import CoachingStore


@dataclass
class CoachingPracticeLog:
    """:class:`bot.club.digest.PracticeSource` over the coaching store."""

    store: CoachingStore

    async def minutes(self, user_id: int, first: date, last: date) -> list[PracticeMinutes]:
        return [
            PracticeMinutes(row.local_date, row.skill, row.minutes)
            for row in await self.store.logs(user_id, since=first)
            if row.local_date <= last
        ]
