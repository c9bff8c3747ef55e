"""Murphyjitsu (pre-mortem) as a loop, not a list of steps.

Describe the plan; imagine it has failed: would that surprise you? If not, let your
intuition name the most likely reason, choose a fix, and imagine failure again with the
fix in place. "If you would still not be surprised, find the next failure": the loop
ends when failure would surprise you (or, after many rounds, when you accept the
remaining risk knowingly).
"""

from __future__ import annotations

from typing import Any

from bot.dialogues.exercise import ExerciseProtocol
from bot.dialogues.model import Choice, DialogueKind, Note, Prompt, Session, Summary
from bot.dialogues.murphyjitsu_state import FailureRound, MurphyjitsuState, MurphyStep
from bot.wording import plural

NOTE_ID = "murphyjitsu"
MAX_ROUNDS = 6
SURPRISE = (
    Choice("yes", "Yes, I'd be surprised"),
    Choice("no", "No, not really surprised"),
)


def new_state(title: str) -> dict[str, Any]:
    """The stored state a new loop starts from (see :class:`MurphyjitsuState`)."""
    return MurphyjitsuState(title=title).dump()


class MurphyjitsuProtocol:
    kind = DialogueKind.EXERCISE.value
    note_id = NOTE_ID

    #: Dialogues started before the loop existed carry the note's step list.
    _steps = ExerciseProtocol()

    def prompt(self, session: Session) -> Prompt | None:
        """The plan, then round after round of "surprised?", a failure and its fix."""
        if "steps" in session.state:
            return self._steps.prompt(session)
        st = MurphyjitsuState.load(session.state)
        if st.done:
            return None
        if st.plan is None:
            return Prompt(
                MurphyStep.PLAN.key(),
                "**Step 1.** Describe the plan in one or two sentences: what success looks "
                "like, and by when.",
                ("a",),
                long=True,
            )
        rounds = st.rounds
        number = len(rounds)
        if rounds and rounds[-1].fix is None:
            return Prompt(
                MurphyStep.FIX.key(number),
                f"Failure: *{rounds[-1].reason}*\n\nWhat will you do about it? Change the "
                "plan, add a safeguard, or design a quick test that could reveal the flaw now.",
                ("a",),
                long=True,
            )
        if rounds and rounds[-1].surprised is None:
            return Prompt(
                MurphyStep.SURPRISE.key(number),
                f"With this fix in place (*{rounds[-1].fix}*), imagine it is later and "
                "the plan has failed anyway. Would that surprise you?",
                ("a",),
                choices=SURPRISE,
                free_text=False,
            )
        if not rounds and st.surprised is None:
            return Prompt(
                MurphyStep.SURPRISE.key(0),
                "Imagine it is later and the plan has clearly failed. Would that surprise you?",
                ("a",),
                choices=SURPRISE,
                free_text=False,
            )
        return Prompt(
            MurphyStep.REASON.key(number + 1),
            (
                "You wouldn't be surprised, so find the failure. "
                if not rounds
                else "Still not surprised: find the next failure. "
            )
            + "Let your intuition tell the story: what is the most likely reason it "
            "failed? Be specific.",
            ("a",),
            long=True,
        )

    async def apply(self, session: Session, prompt: Prompt, seat: str, text: str) -> list[Note]:
        """Record the answer in the typed state, then store it back in the same shape."""
        if "steps" in session.state:
            return await self._steps.apply(session, prompt, seat, text)
        step = MurphyStep.parse(prompt.key)
        if step is None:
            return []
        st = MurphyjitsuState.load(session.state)
        notes = self._record(st, step, text.strip())
        st.store_into(session.state)
        return notes

    @staticmethod
    def _record(st: MurphyjitsuState, step: MurphyStep, value: str) -> list[Note]:
        """Change ``st`` for one answer; a surprise, or too many rounds, ends the loop."""
        rounds = st.rounds
        if step is MurphyStep.PLAN:
            st.plan = value
        elif step is MurphyStep.SURPRISE:
            surprised = value == "yes"
            if rounds:
                rounds[-1].surprised = surprised
            else:
                st.surprised = surprised
            if surprised:
                st.done = True
                return [
                    Note(
                        "Failure would surprise you now: the plan is ready to try."
                        if rounds
                        else "Failure would already surprise you. Run it again whenever "
                        "the plan changes."
                    )
                ]
            if len(rounds) >= MAX_ROUNDS:
                st.done = True
                return [
                    Note(
                        f"{plural(len(rounds), 'round')} and still not surprised: accept the "
                        "remaining risk knowingly, or rethink the plan."
                    )
                ]
        elif step is MurphyStep.REASON:
            rounds.append(FailureRound(reason=value))
        elif step is MurphyStep.FIX:
            rounds[-1].fix = value
            rounds[-1].surprised = None
        return []

    def summary(self, session: Session) -> Summary:
        """Every failure found and its fix, and whether failure would now surprise."""
        if "steps" in session.state:
            return self._steps.summary(session)
        st = MurphyjitsuState.load(session.state)
        rounds = st.rounds
        lines = [f"**Plan:** {st.plan}", ""]
        for number, item in enumerate(rounds, 1):
            lines.append(f"**Failure {number}:** {item.reason}")
            lines.append(f"  Fix: {item.fix if item.fix is not None else '—'}")
        lines += [
            "",
            (
                f"After {plural(len(rounds), 'round')}, failure would surprise you."
                if st.last_surprised()
                else f"After {plural(len(rounds), 'round')}, failure still would not surprise "
                "you: the remaining risk is accepted knowingly."
            ),
        ]
        return Summary(title=st.title, text="\n".join(lines))
