"""Issue 14, "why is this impossible?": every obstacle labelled, the starting confidence
next to the final one, several reasons one per line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialogues import InvalidAnswer, Place, impossible
from bot.dialogues.impossible_state import ImpossibleState
from bot.dialogues.parsing import confidence_in
from bot.storage import Database
from tests import console_runner
from tests.dialogues.helpers import ALICE, make_service
from tests.dialogues.test_impossible import SCRIPT, run_all


async def test_every_obstacle_is_labelled_and_both_confidences_shown(database: Database) -> None:
    svc = make_service(database)
    info = await svc.start_impossible(ALICE, "Write a novel this year", Place())
    await run_all(svc, info.id, SCRIPT)
    summary = await svc.summary(info.id)
    assert summary is not None
    # 1 -> 1.1 -> 1.1.1 (merely inconvenient); 2 (very hard); then 1.1 and 1 (very hard)
    assert "- 1. I have no time — *very hard*" in summary.text
    assert "1.1. My job takes 50 hours a week — *very hard*" in summary.text
    assert "**Confidence at the start:** 25% · **now:** 45%" in summary.text
    labels = {nid: node["label"] for nid, node in summary.image_data["nodes"].items()}
    assert labels == {"1": "hard", "1.1": "hard", "1.1.1": "inconvenient", "2": "hard"}


async def test_a_reason_is_labelled_after_what_is_under_it(database: Database) -> None:
    svc = make_service(database)
    info = await svc.start_impossible(ALICE, "Run a marathon", Place(), max_depth=2)
    await run_all(svc, info.id, ["10", "My knees", "Old injury\nNo coach", "impossible"])
    turn = await svc.answer(info.id, ALICE.user_id, "inconvenient")
    assert turn.prompt is not None and turn.prompt.key == "label:1"
    assert "Under it: 1.1 actually impossible; 1.2 merely inconvenient." in turn.prompt.text
    turn = await svc.answer(info.id, ALICE.user_id, "hard")
    assert turn.prompt is not None and turn.prompt.key == "action:1.1"  # actions: concrete ones


def test_a_reason_labelled_before_every_obstacle_was_shows_the_hardest_under_it() -> None:
    state = ImpossibleState.load(impossible.new_state("Run a marathon", 2))
    state.add_children(None, ["My knees"])
    state.add_children("1", ["Old injury", "No coach"])
    state.nodes["1.1"].label, state.nodes["1.2"].label = "impossible", "hard"
    assert impossible.label_of(state, "1") == "impossible"


async def test_the_prediction_asks_for_the_final_confidence(database: Database) -> None:
    svc = make_service(database)
    info = await svc.start_impossible(ALICE, "Write a novel this year", Place())
    await run_all(svc, info.id, SCRIPT[:-2])
    prompt = await svc.current_prompt(info.id)
    assert prompt is not None and prompt.key == "prediction"
    assert "You said 25% at the start" in prompt.text
    with pytest.raises(InvalidAnswer, match="how likely the goal is now"):
        await svc.answer(info.id, ALICE.user_id, "I'll write more")


async def test_the_reasons_prompt_says_one_per_line(database: Database) -> None:
    svc = make_service(database)
    info = await svc.start_impossible(ALICE, "Write a novel this year", Place())
    turn = await svc.answer(info.id, ALICE.user_id, "20")
    assert turn.prompt is not None and turn.prompt.multi
    assert "Several reasons: one per line" in turn.prompt.text
    turn = await svc.answer(info.id, ALICE.user_id, "no time\nno ideas\n- no desk")
    assert [line.text for line in await svc.transcript(info.id, ALICE.user_id)][-2].startswith(
        "3 reasons noted"
    )


def test_the_final_confidence_is_read_from_the_prediction() -> None:
    assert confidence_in("I'll get one evening a week back; 45% now") == 45
    assert confidence_in("2 evenings a week, so 60") == 60
    assert confidence_in("70 percent, after 3 weeks") == 70
    assert confidence_in("it works") is None


def test_the_console_says_how_to_give_several_reasons(tmp_path: Path) -> None:
    result = console_runner.run_console(
        "impossible Write a novel\n20\nno time; no ideas\n",
        tmp_path,
        TOUCHSTONE_LOG_LEVEL="WARNING",
    )
    assert "separate them with ';'" in result.stdout
    assert "2 reasons noted" in result.stdout
