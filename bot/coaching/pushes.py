"""Practice pushes: a skill, a target in hours, a before/after test and milestones.

Split out of :mod:`bot.coaching.service` (which assembles the parts). The practice
log reports a push's milestones as sessions are logged.
"""

from __future__ import annotations

from bot.coaching.core import CoachingCore, clean_note, clean_skill
from bot.coaching.timeparse import InputProblem
from bot.storage.coaching_models import PracticePush
from bot.wording import plural

PUSH_DONE = "practice.push_done"
MILESTONES = (25, 50, 75, 100)
REFLECTION = (
    "What worked?",
    "What plateaued?",
    "Is a 40-hour push on this worth it?",
)


class PushesMixin(CoachingCore):
    """/practice push: start, test, status, stop, reflect, and milestones on the way."""

    async def start_push(
        self,
        user_id: int,
        skill: str,
        target_hours: int = 20,
        test: str | None = None,
        before: str | None = None,
    ) -> str:
        """Start a push; ``test`` is the before/after test it will be judged by (asked
        for at once when missing) and ``before`` its result today."""
        name = clean_skill(skill)
        test = clean_note(test, "the before/after test")
        before = clean_note(before, "the result before")
        if not 1 <= target_hours <= 200:
            raise InputProblem("A push is between 1 and 200 hours (20 is a good first one).")
        for push in await self.store.pushes(user_id):
            if push.skill.lower() == name.lower():
                view = await self._push_view(push)
                return (
                    f"You already have a push on {push.skill}: {view.hours_done:.1f} of "
                    f"{push.target_hours} h ({view.percent}%)."
                )
        for known in await self.store.skills(user_id):
            if known.lower() == name.lower():
                name = known
        await self.store.add_push(
            PracticePush(
                user_id=user_id,
                skill=name,
                target_hours=target_hours,
                status="active",
                milestones_reached=0,
                started_at=self.clock.now(),
                test=test,
                test_before=before,
            )
        )
        text = (
            f"Push started: {plural(target_hours, 'hour')} of {name}. Log sessions with /practice log; "
            "I'll mark 25%, 50%, 75% and the finish, and ask what you learned at the end."
        )
        return text + "\n\n" + self._test_line(test, before)

    @staticmethod
    def _test_line(test: str | None, before: str | None) -> str:
        if test is None:
            return (
                "First: what before/after test will this push be judged by? Something you "
                "can do today and again at the end, with a result you can compare (e.g. "
                "'sight-read one new page; count the stops'). Do it now, then: "
                "/practice push test TEST before:RESULT."
            )
        if before is None:
            return (
                f"Your before/after test: {test}. Do it today and note the result: "
                "/practice push test TEST before:RESULT."
            )
        return f"Your before/after test: {test}. Before: {before}. At the end, do it again."

    async def set_push_test(self, user_id: int, test: str, before: str | None = None) -> str:
        """Set the before/after test (and today's result) of the latest active push."""
        cleaned = clean_note(test, "the before/after test")
        if cleaned is None:
            raise InputProblem("Describe the test: what you'll do, and what you'll measure.")
        result = clean_note(before, "the result before")
        pushes = await self.store.pushes(user_id)
        if not pushes:
            return "No push under way. /practice push start SKILL begins one."
        push = pushes[-1]
        await self.store.update_push(
            push.id, test=cleaned, test_before=result if result is not None else push.test_before
        )
        return f"Push on {push.skill}: " + self._test_line(
            cleaned, result if result is not None else push.test_before
        )

    async def push_status(self, user_id: int) -> str:
        pushes = await self.store.pushes(user_id)
        if not pushes:
            return "No push under way. /practice push start SKILL begins one (20 hours by default)."
        lines = []
        for push in pushes:
            view = await self._push_view(push)
            lines.append(
                f"{push.skill}: {view.hours_done:.1f} of {push.target_hours} h ({view.percent}%)"
            )
        return "\n".join(lines)

    async def stop_push(self, user_id: int, skill: str) -> str:
        for push in await self.store.pushes(user_id):
            if push.skill.lower() == skill.strip().lower():
                await self.store.update_push(
                    push.id, status="stopped", finished_at=self.clock.now()
                )
                return f"Push on {push.skill} stopped. Its practice stays in your log."
        return f"No push under way on {skill!r}."

    async def reflect_push(self, user_id: int, text: str) -> str:
        reflection = clean_note(text, "reflection")
        if reflection is None:
            raise InputProblem("Write a few lines: what worked, what plateaued, what next.")
        done = await self.store.pushes(user_id, status="done")
        if not done:
            return "No finished push to reflect on yet."
        push = done[-1]
        previous = push.reflection + "\n\n" if push.reflection else ""
        await self.store.update_push(push.id, reflection=previous + reflection)
        return f"Reflection on your {push.skill} push saved."

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
            for milestone in crossed:
                # Each milestone states its own figure, even when one session crosses two.
                messages.append(
                    f"Milestone: {milestone}% of your {push.skill} push "
                    f"({milestone * push.target_hours / 100:.1f} of {push.target_hours} h)."
                )
            if len(crossed) > 1 and reached < len(MILESTONES):
                messages.append(f"You're at {view.hours_done:.1f} h now.")
            values: dict[str, object] = {"milestones_reached": reached}
            if reached == len(MILESTONES):
                values.update(status="done", finished_at=self.clock.now())
                test = (
                    f" Now do your before/after test again: {push.test}"
                    + (f" (before: {push.test_before})." if push.test_before else ".")
                    + " How did it go?"
                    if push.test
                    else ""
                )
                text = (
                    f"You finished your {push.target_hours}-hour push on {push.skill}.{test} "
                    "Take a few minutes to reflect: "
                    + " ".join(REFLECTION)
                    + " Answer with /practice push reflect."
                )
                messages.append(text)
                await self.outbox.schedule(
                    user_id,
                    PUSH_DONE,
                    self.clock.now(),
                    {"text": text, "title": "Push complete"},
                    key=f"{PUSH_DONE}:{push.id}",
                    unsolicited=False,
                )
            await self.store.update_push(push.id, **values)
        return messages
