"""Guided exercises from notes: any technique note with ``steps`` becomes a dialogue.

Adding an exercise is adding a note. A step that mentions a five-minute timer starts a
real timer (the engine schedules a ping); a step asking "is it solved? If yes, you are
done" becomes a yes/no question whose yes ends the exercise early.
"""

from __future__ import annotations

import re
from typing import Any

from bot.dialogues.exercise_state import ExerciseState, ExerciseStep
from bot.dialogues.model import Choice, DialogueKind, Note, Prompt, Session, Summary

_TIMER = re.compile(r"\b(five|5)[- ]minute timer\b", re.IGNORECASE)
_EARLY_EXIT = re.compile(r"if yes, you are done", re.IGNORECASE)


def new_state(note_id: str, title: str, steps: list[str]) -> dict[str, Any]:
    """The stored state a new exercise starts from (see :class:`ExerciseState`)."""
    return ExerciseState(note=note_id, title=title, steps=list(steps)).dump()


class ExerciseProtocol:
    kind = DialogueKind.EXERCISE.value

    def prompt(self, session: Session) -> Prompt | None:
        """The next step of the note, as a yes/no question, a timed step or free text."""
        st = ExerciseState.load(session.state)
        index = len(st.answers)
        if st.done or index >= len(st.steps):
            return None
        step = st.steps[index]
        key = ExerciseStep.STEP.key(index)
        text = f"**Step {index + 1} of {len(st.steps)}.** {step}"
        if _EARLY_EXIT.search(step):
            return Prompt(
                key,
                text,
                ("a",),
                choices=(Choice("yes", "Yes, solved"), Choice("no", "Not yet")),
                free_text=False,
            )
        if _TIMER.search(step):
            return Prompt(
                key,
                text + "\n\n⏱ Your five-minute timer is running: I'll ping you when it ends. "
                "Write down what you tried or found when you're done.",
                ("a",),
                long=True,
                timer_minutes=5,
            )
        return Prompt(key, text, ("a",), long=True)

    async def apply(self, session: Session, prompt: Prompt, seat: str, text: str) -> list[Note]:
        """Keep the answer to the step asked; a yes to "is it solved?" ends the exercise."""
        st = ExerciseState.load(session.state)
        st.answers.append(text.strip())
        step = st.steps[len(st.answers) - 1]
        notes: list[Note] = []
        if _EARLY_EXIT.search(step) and text.strip().lower() == "yes":
            st.done = True
            notes.append(Note("Solved in five minutes. That's the point of the exercise."))
        st.store_into(session.state)
        return notes

    def summary(self, session: Session) -> Summary:
        """Each step with its answer."""
        st = ExerciseState.load(session.state)
        lines = []
        for number, (step, answer) in enumerate(zip(st.steps, st.answers, strict=False), 1):
            lines.append(f"**{number}. {step}**\n{answer}")
        return Summary(title=st.title, text="\n\n".join(lines) or "(no answers)")
