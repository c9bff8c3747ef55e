"""The typed exercise state reads and writes the JSON shape stored before it existed."""

from __future__ import annotations

import json
from typing import Any

from bot.dialogues import exercise
from bot.dialogues.exercise_state import ExerciseState, ExerciseStep


def old_shaped_state() -> dict[str, Any]:
    """A state as the dict-based protocol stored it, with the engine's key."""
    return {
        "note": "five-minute-timer",
        "title": "Five-minute timer",
        "steps": ["Name the problem.", "Set a five-minute timer and brainstorm."],
        "answers": ["The flaky test"],
        "done": False,
        "_asked": "step1",
    }


def test_an_old_shaped_state_round_trips_unchanged() -> None:
    state = old_shaped_state()
    dumped = ExerciseState.load(state).dump()
    assert dumped == state
    assert json.dumps(dumped) == json.dumps(state)


def test_a_new_state_has_the_shape_stored_before() -> None:
    assert exercise.new_state("n", "T", ["a", "b"]) == {
        "note": "n",
        "title": "T",
        "steps": ["a", "b"],
        "answers": [],
        "done": False,
    }
    assert ExerciseStep.STEP.key(2) == "step2"
