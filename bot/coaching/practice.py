"""The practice log: sessions logged with /practice log, and the nudge when none was.

Split out of :mod:`bot.coaching.service` (which assembles the parts).
"""

from __future__ import annotations

import logging
from datetime import date

from bot.coaching.core import clean_note, clean_skill
from bot.coaching.model import LogResult
from bot.coaching.pushes import PushesMixin
from bot.coaching.timeparse import InputProblem
from bot.scheduling import OutboxItem, OutgoingMessage
from bot.storage.coaching_models import PracticeLog

log = logging.getLogger(__name__)

MAX_MINUTES = 720


class PracticeMixin(PushesMixin):
    """Logging a session (with its streak and push milestones) and the evening nudge."""

    async def log_practice(
        self,
        user_id: int,
        minutes: int,
        skill: str,
        practised: str | None = None,
        noticed: str | None = None,
    ) -> LogResult:
        """Log a session; ``text.logged`` words the result."""
        if not 1 <= minutes <= MAX_MINUTES:
            raise InputProblem(f"Minutes must be between 1 and {MAX_MINUTES}.")
        name = clean_skill(skill)
        for known in await self.store.skills(user_id):
            if known.lower() == name.lower():
                name = known
                break
        profile = await self.store.profile(user_id)
        today = self.today(profile)
        now = self.clock.now()
        await self.store.add_log(
            PracticeLog(
                user_id=user_id,
                skill=name,
                minutes=minutes,
                practised=clean_note(practised, "what you practised"),
                noticed=clean_note(noticed, "what you noticed"),
                local_date=today,
                logged_at=now,
            )
        )
        total = await self.store.minutes_on(user_id, today)
        for listener in self.practice_listeners:
            try:
                await listener(user_id, minutes)
            except Exception:  # the log is saved; a listener's failure must not undo that
                log.exception("practice listener failed")
        streak = await self._streak(user_id, profile)
        milestones = await self._milestones(user_id, name)
        return LogResult(minutes, name, total, streak, tuple(milestones))

    async def skill_suggestions(self, user_id: int, current: str) -> list[str]:
        needle = current.strip().lower()
        skills = await self.store.skills(user_id)
        return [s for s in skills if needle in s.lower()][:25]

    async def _render_nudge(self, item: OutboxItem) -> OutgoingMessage | None:
        profile = await self.store.profile(item.user_id)
        day = date.fromisoformat(item.payload["local_date"])
        if profile is None or not profile.nudge_enabled or self.off_on(profile, day):
            return None
        if await self.store.minutes_on(item.user_id, day) > 0:
            return None
        return OutgoingMessage(
            text=(
                "No practice logged today yet. Fifteen focused minutes still count: pick one "
                "skill, practise it, then /practice log."
            )
        )
