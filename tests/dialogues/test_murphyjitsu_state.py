"""The typed murphyjitsu state reads and writes the JSON shape stored before it existed."""

from __future__ import annotations

import json
from typing import Any

from bot.dialogues import murphyjitsu
from bot.dialogues.murphyjitsu_state import FailureRound, MurphyjitsuState, MurphyStep


def old_shaped_state() -> dict[str, Any]:
    """A state as the dict-based protocol stored it: a round answered in full, one
    whose fix waits for "surprised?" (stored as null) and one with only a reason."""
    return {
        "title": "Murphyjitsu",
        "plan": "Ship the beta by Friday",
        "rounds": [
            {"reason": "The tests are flaky", "fix": "Quarantine them", "surprised": False},
            {"reason": "Nobody reviews", "fix": "Book a reviewer", "surprised": None},
            {"reason": "The server is down"},
        ],
        "surprised": False,
        "done": False,
        "_asked": "fix3",
    }


def test_an_old_shaped_state_round_trips_unchanged() -> None:
    state = old_shaped_state()
    dumped = MurphyjitsuState.load(state).dump()
    assert dumped == state
    assert json.dumps(dumped) == json.dumps(state)


def test_a_fix_stores_surprised_as_null_and_a_new_round_only_its_reason() -> None:
    st = MurphyjitsuState.load(old_shaped_state())
    st.rounds[-1].fix = "Use the spare"
    st.rounds[-1].surprised = None
    st.rounds.append(FailureRound(reason="Rain"))
    assert st.dump()["rounds"][-2:] == [
        {"reason": "The server is down", "fix": "Use the spare", "surprised": None},
        {"reason": "Rain"},
    ]


def test_a_new_state_has_the_shape_stored_before() -> None:
    assert murphyjitsu.new_state("Murphyjitsu") == {
        "title": "Murphyjitsu",
        "plan": None,
        "rounds": [],
        "surprised": None,
        "done": False,
    }


def test_step_keys_read_back() -> None:
    assert MurphyStep.SURPRISE.key(0) == "surprise0"
    assert MurphyStep.parse("reason12") is MurphyStep.REASON
    assert MurphyStep.parse("plan") is MurphyStep.PLAN
    assert MurphyStep.parse("step3") is None
