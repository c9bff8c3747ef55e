"""The typed state of a guided exercise (a note's steps asked one at a time).

Like :mod:`bot.dialogues.crux_state`: the model reads the JSON stored in
``DialogueRow.state_json`` and writes back the same shape, keeping keys it does not own
(the engine's ``_asked``). Step ``n`` is asked under the key ``step{n}``.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from bot.dialogues.crux_state import Stored


class ExerciseStep(StrEnum):
    """The one step name of an exercise: every note step is asked under it."""

    STEP = "step"

    def key(self, index: int) -> str:
        """The prompt key of the note's step ``index`` (from 0): ``step2``."""
        return f"{self.value}{index}"


class ExerciseState(Stored):
    """The note's steps and the answers so far, one per step asked."""

    note: str
    title: str
    steps: list[str]
    answers: list[str] = Field(default_factory=list)
    done: bool = False
