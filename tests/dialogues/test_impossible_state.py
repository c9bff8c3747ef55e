"""The typed "why is this impossible?" state reads and writes the JSON shape stored
before it existed."""

from __future__ import annotations

import json
from typing import Any

from bot.dialogues import impossible
from bot.dialogues.impossible_state import ImpossibleState, ImpossibleStep


def old_shaped_state() -> dict[str, Any]:
    """A state as the dict-based protocol stored it, mid-way through labelling, with a
    key the protocol does not own (the engine's)."""
    return {
        "goal": "Write a novel this year",
        "confidence": 25,
        "roots": ["1", "2"],
        "nodes": {
            "1": {
                "text": "I have no time",
                "depth": 1,
                "children": ["1.1"],
                "expanded": True,
                "label": None,
                "action": None,
            },
            "1.1": {
                "text": "My job takes 50 hours a week",
                "depth": 2,
                "children": [],
                "expanded": True,
                "label": "hard",
                "action": "Ask for Fridays off",
            },
            "2": {
                "text": "No ideas",
                "depth": 1,
                "children": [],
                "expanded": True,
                "label": None,
                "action": None,
            },
        },
        "prediction": None,
        "final_confidence": None,
        "followup_at": None,
        "max_depth": 3,
        "_asked": "label:2",
    }


def test_an_old_shaped_state_round_trips_unchanged() -> None:
    state = old_shaped_state()
    dumped = ImpossibleState.load(state).dump()
    assert dumped == state
    assert json.dumps(dumped) == json.dumps(state)


def test_a_state_from_before_the_final_confidence_keeps_it_absent_until_set() -> None:
    state = old_shaped_state()
    del state["final_confidence"]
    st = ImpossibleState.load(state)
    assert st.dump() == state
    st.final_confidence = 45
    assert st.dump() == {**state, "final_confidence": 45}


def test_a_new_state_has_the_shape_stored_before() -> None:
    assert impossible.new_state(" Run a marathon ", 2) == {
        "goal": "Run a marathon",
        "confidence": None,
        "roots": [],
        "nodes": {},
        "prediction": None,
        "final_confidence": None,
        "followup_at": None,
        "max_depth": 2,
    }


def test_step_keys_read_back() -> None:
    assert ImpossibleStep.LABEL.key("1.2") == "label:1.2"
    assert ImpossibleStep.parse("why:1.2") == (ImpossibleStep.WHY, "1.2")
    assert ImpossibleStep.parse("goal") == (ImpossibleStep.GOAL, "")
    assert ImpossibleStep.parse("nonsense:1") is None
