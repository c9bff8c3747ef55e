"""The typed double crux state reads and writes the JSON shape stored before it existed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.dialogues import crux, internal_crux
from bot.dialogues.crux_state import CruxState, CruxStep, StepKey, Test
from bot.dialogues.internal_crux_state import InternalCruxState, InternalStep


def old_shaped_state() -> dict[str, Any]:
    """A state as the dict-based protocol stored it, mid-way through a second round,
    with keys the protocol does not own (the engine's and a follow-up outcome)."""
    return {
        "claim": "Remote work is better for junior engineers",
        "accepted": True,
        "declined": False,
        "rules": {"a": True, "b": True},
        "positions": {"a": "Juniors at home grow just as fast", "b": "They need seniors"},
        "confidence": {"b": 70, "a": 65},
        "taboo_done": True,
        "taboo": ["better", "grow"],
        "restated": {"a": "Remote juniors close as many tickets", "b": "Office ones close more"},
        "rounds": [
            {
                "claim": "Remote work is better for junior engineers",
                "cruxes": {"a": ["Review teaches"], "b": ["Sitting together teaches"]},
                "candidates": [
                    {"a": "Review teaches", "b": "Sitting together teaches", "score": 0.41}
                ],
                "votes": {"0": {"a": "yes", "b": "yes"}},
                "proposed": None,
                "double": ["Review teaches"],
                "resonance": {"0": {"a": "yes", "b": "somewhat"}},
                "next": "recurse",
                "stances": {"Review teaches": {"holds": "a", "denies": "b"}},
            },
            {
                "claim": "Review teaches",
                "cruxes": {"a": ["x"], "b": ["y"]},
                "candidates": [],
                "votes": {},
                "proposed": {
                    "text": "Pairing beats review",
                    "votes": {"a": "holds", "b": "holds"},
                    "stances": {"holds": ["a", "b"], "denies": []},
                },
                "double": [],
                "resonance": {},
                "next": None,
            },
        ],
        "test": {"kind": "bet"},
        "test_ok": {},
        "share": {},
        "_asked": "test_detail",
        "outcomes": {"42": "It held up"},
    }


def test_an_old_shaped_state_round_trips_unchanged() -> None:
    state = old_shaped_state()
    dumped = CruxState.load(state).dump()
    assert dumped == state
    assert json.dumps(dumped) == json.dumps(state)


def test_a_new_state_has_the_shape_stored_before() -> None:
    assert crux.new_state(" Tabs beat spaces ", invited=True) == {
        "claim": "Tabs beat spaces",
        "accepted": False,
        "declined": False,
        "rules": {},
        "positions": {},
        "confidence": {},
        "taboo_done": False,
        "taboo": [],
        "restated": {},
        "rounds": [
            {
                "claim": "Tabs beat spaces",
                "cruxes": {},
                "candidates": None,
                "votes": {},
                "proposed": None,
                "double": [],
                "resonance": {},
                "next": None,
            }
        ],
        "test": {},
        "test_ok": {},
        "share": {},
    }


def test_keys_absent_until_answered_stay_absent() -> None:
    st = CruxState.load(old_shaped_state())
    st.test = Test()
    assert st.dump()["test"] == {}
    st.test.detail = "Who closes more tickets by month 6"
    assert st.dump()["test"] == {"detail": "Who closes more tickets by month 6"}
    assert "stances" not in st.round.dump()


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("invite", StepKey(CruxStep.INVITE)),
        ("rules:b", StepKey(CruxStep.RULES, seat="b")),
        ("cruxes3", StepKey(CruxStep.CRUXES, 3)),
        ("confirm1.2:a", StepKey(CruxStep.CONFIRM, 1, 2, "a")),
        ("resonate2.0", StepKey(CruxStep.RESONATE, 2, 0)),
        ("test_kind", StepKey(CruxStep.TEST_KIND)),
        ("test_ok:b", StepKey(CruxStep.TEST_OK, seat="b")),
        ("next1", StepKey(CruxStep.NEXT, 1)),
        ("someone_else", None),
        ("confirmx", None),
    ],
)
def test_step_keys_decode(key: str, expected: StepKey | None) -> None:
    assert StepKey.parse(key) == expected


def test_step_keys_are_the_stored_names() -> None:
    assert CruxStep.CONFIRM.key(2, 1) == "confirm2.1"
    assert CruxStep.NEXT.key(3) == "next3"
    assert CruxStep.TEST_DATE.key() == "test_date"
    for step in CruxStep:
        assert StepKey.parse(step.key(1, 0)) == StepKey(step, 1, 0)


def test_an_old_shaped_internal_crux_state_round_trips_unchanged() -> None:
    state = internal_crux.new_state("whether to exercise today", {"a": "the part that wants rest"})
    state["turns"] = [
        {"seat": "a", "says": "I'm tired", "topic": "exercise", "true": "You ran twice"},
        {"seat": "b", "says": "We feel better after", "topic": "exercise"},
    ]
    state["checks"] = ["about rest"]
    state["reframes"] = [{"from": "exercise", "to": "about rest"}]
    state["_asked"] = "true2"
    dumped = InternalCruxState.load(state).dump()
    assert json.dumps(dumped) == json.dumps(state)


def test_internal_crux_step_keys_decode() -> None:
    assert InternalStep.parse("say3") == (InternalStep.SAY, None)
    assert InternalStep.parse("need:b") == (InternalStep.NEED, "b")
    assert InternalStep.parse("check1") == (InternalStep.CHECK, None)
    assert InternalStep.parse("nothing") is None
    assert InternalStep.NAME.key(seat="a") == "name:a"
    assert InternalStep.TRUE.key(2) == "true2"
