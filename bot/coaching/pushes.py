"""Practice pushes: a skill, a target in hours, a before/after test and milestones.

Split out of :mod:`bot.coaching.service` (which assembles the parts). The practice
log reports a push's milestones as sessions are logged.
"""

from __future__ import annotations

from dataclasses import replace

from bot.coaching import text
from bot.coaching.core import CoachingCore, clean_note, clean_skill
from bot.coaching.model import PushStart, PushStatus, PushStop, PushView
from bot.coaching.timeparse import InputProblem
from bot.storage.coaching_models import PracticePush

PUSH_DONE = "practice.push_done"
MILESTONES = (25, 50, 75, 100)


class PushesMixin(CoachingCore):
    """/practice push: start, test, status, stop, reflect, and milestones on the way.

    Each returns values; :mod:`bot.coaching.text` words them for both adapters."""

    async def start_push(
        self,
        user_id: int,
        skill: str,
        target_hours: int = 20,
        test: str | None = None,
        before: str | None = None,
    ) -> PushStart:
        """Start a push; ``test`` is the before/after test it will be judged by (asked
        for at once when missing) and ``before`` its result today. A push already under
        way on that skill is returned as it is (``created`` False)."""
        name = clean_skill(skill)
        test = clean_note(test, "the before/after test")
        before = clean_note(before, "the result before")
        if not 1 <= target_hours <= 200:
            raise InputProblem("A push is between 1 and 200 hours (20 is a good first one).")
        for push in await self.store.pushes(user_id):
            if push.skill.lower() == name.lower():
                return PushStart(await self._push_view(push), created=False)
        for known in await self.store.skills(user_id):
            if known.lower() == name.lower():
                name = known
        row = await self.store.add_push(
            PracticePush(
                user_id=user_id,
                skill=name,
                target_hours=target_hours,
                status=PushStatus.ACTIVE,
                milestones_reached=0,
                started_at=self.clock.now(),
                test=test,
                test_before=before,
            )
        )
        return PushStart(await self._push_view(row), created=True)

    async def set_push_test(
        self, user_id: int, test: str, before: str | None = None
    ) -> PushView | None:
        """Set the before/after test (and today's result) of the latest active push;
        None when no push is under way."""
        cleaned = clean_note(test, "the before/after test")
        if cleaned is None:
            raise InputProblem("Describe the test: what you'll do, and what you'll measure.")
        result = clean_note(before, "the result before")
        pushes = await self.store.pushes(user_id)
        if not pushes:
            return None
        push = pushes[-1]
        kept = result if result is not None else push.test_before
        await self.store.update_push(push.id, test=cleaned, test_before=kept)
        return replace(await self._push_view(push), test=cleaned, test_before=kept)

    async def push_status(self, user_id: int) -> list[PushView]:
        """The pushes under way, oldest first (empty when none)."""
        return [await self._push_view(push) for push in await self.store.pushes(user_id)]

    async def stop_push(self, user_id: int, skill: str) -> PushStop:
        for push in await self.store.pushes(user_id):
            if push.skill.lower() == skill.strip().lower():
                await self.store.update_push(
                    push.id, status=PushStatus.STOPPED, finished_at=self.clock.now()
                )
                view = await self._push_view(push)
                return PushStop(skill, replace(view, status=PushStatus.STOPPED))
        return PushStop(skill, None)

    async def reflect_push(self, user_id: int, reflection: str) -> PushView | None:
        """Add to the reflection on the latest finished push; None when none is finished."""
        cleaned = clean_note(reflection, "reflection")
        if cleaned is None:
            raise InputProblem("Write a few lines: what worked, what plateaued, what next.")
        done = await self.store.pushes(user_id, status=PushStatus.DONE)
        if not done:
            return None
        push = done[-1]
        previous = push.reflection + "\n\n" if push.reflection else ""
        await self.store.update_push(push.id, reflection=previous + cleaned)
        return await self._push_view(push)

    async def _milestones(self, user_id: int, skill: str) -> list[str]:
        messages: list[str] = []
        for push in await self.store.pushes(user_id):
            if push.skill.lower() != skill.lower():
                continue
            view = await self._push_view(push)
            reached = sum(1 for m in MILESTONES if view.percent >= m)
            if reached <= push.milestones_reached:
                continue
            crossed = [m for m in MILESTONES[push.milestones_reached : reached] if m < 100]
            messages.extend(text.milestone(view, m) for m in crossed)
            if len(crossed) > 1 and reached < len(MILESTONES):
                messages.append(text.hours_now(view))
            values: dict[str, object] = {"milestones_reached": reached}
            if reached == len(MILESTONES):
                values.update(status=PushStatus.DONE, finished_at=self.clock.now())
                finished = text.push_finished(view)
                messages.append(finished)
                await self.outbox.schedule(
                    user_id,
                    PUSH_DONE,
                    self.clock.now(),
                    {"text": finished, "title": text.PUSH_DONE_TITLE},
                    key=f"{PUSH_DONE}:{push.id}",
                    unsolicited=False,
                )
            await self.store.update_push(push.id, **values)
        return messages
