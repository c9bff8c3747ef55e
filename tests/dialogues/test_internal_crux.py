"""Issue 14: internal double crux is its own protocol (protocols.md): two parts named
neutrally, one says one thing and the other finds something true in it, alternating,
noticing when the disagreement is about something else, ending with each part's needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialogues import InvalidAnswer, Place
from bot.storage import Database
from tests import console_runner
from tests.dialogues.helpers import ALICE, make_service
from tests.dialogues.test_exercises import NOTES


async def test_parts_alternate_and_each_finds_something_true_in_the_other(
    database: Database,
) -> None:
    svc = make_service(database)
    info = await svc.start_crux(ALICE, None, "Whether to run tonight", Place())
    assert info.spec == "internal"
    await svc.answer(info.id, ALICE.user_id, "ready")
    with pytest.raises(InvalidAnswer, match="'lazy' judges the part"):
        await svc.answer(info.id, ALICE.user_id, "the lazy part")
    await svc.answer(info.id, ALICE.user_id, "the part that wants rest")
    turn = await svc.answer(info.id, ALICE.user_id, "the part that wants fitness")
    assert turn.prompt is not None
    assert turn.prompt.text.startswith("*As the part that wants rest:* Say one thing")
    turn = await svc.answer(info.id, ALICE.user_id, "My legs are sore")
    assert turn.prompt is not None
    assert turn.prompt.text.startswith("*As the part that wants fitness:* the part that wants")
    assert "What is true in it?" in turn.prompt.text and "My legs are sore" in turn.prompt.text
    turn = await svc.answer(info.id, ALICE.user_id, "Soreness is real")
    assert turn.prompt is not None and turn.prompt.key == "say2"
    assert turn.prompt.text.startswith("*As the part that wants fitness:* Say one thing")
    await svc.answer(info.id, ALICE.user_id, "Skipping makes me restless")
    turn = await svc.answer(info.id, ALICE.user_id, "I do sleep worse after skipping")
    assert turn.prompt is not None and turn.prompt.key == "check1"
    turn = await svc.answer(info.id, ALICE.user_id, "whether I trust my training plan")
    assert turn.prompt is not None and "*whether I trust my training plan*" in turn.prompt.text
    await svc.answer(info.id, ALICE.user_id, "The plan has rest days")
    await svc.answer(info.id, ALICE.user_id, "It was made when I was calm")
    await svc.answer(info.id, ALICE.user_id, "The plan is old")
    await svc.answer(info.id, ALICE.user_id, "Old plans can still be right")
    turn = await svc.answer(info.id, ALICE.user_id, "heard")
    assert turn.prompt is not None and turn.prompt.key == "need:a"
    await svc.answer(info.id, ALICE.user_id, "One real rest day a week")
    await svc.answer(info.id, ALICE.user_id, "To move a little every day")
    turn = await svc.answer(info.id, ALICE.user_id, "A 20-minute walk tonight")
    assert turn.finished
    summary = await svc.summary(info.id)
    assert summary is not None
    assert "**Between:** the part that wants rest and the part that wants fitness" in summary.text
    assert "the part that wants fitness finds true in it: Soreness is real" in summary.text
    assert "not Whether to run tonight, but whether I trust my training plan" in summary.text
    assert "- the part that wants rest: One real rest day a week" in summary.text
    assert "**A step for both:** A 20-minute walk tonight" in summary.text
    exported = await svc.export_markdown(info.id, ALICE.user_id)
    assert "Side A" not in exported and "the part that wants rest" in exported


async def test_named_sides_are_checked_and_the_exercise_starts_it(database: Database) -> None:
    svc = make_service(database)
    with pytest.raises(InvalidAnswer, match="judges"):
        await svc.start_crux(ALICE, None, "Exercise today", Place(), sides=("lazy", "body"))
    info = await svc.start_exercise(ALICE, NOTES["internal-double-crux"], Place())
    prompt = await svc.current_prompt(info.id)
    assert info.spec == "internal" and prompt is not None and prompt.key == "topic"


FULL = """\
crux solo Whether to go running tonight
ready
the lazy part
the part that wants rest
the part that wants fitness
My legs are sore from Sunday; running now risks an injury
Yes: the soreness is real, and an injury would cost me weeks
I feel flat and restless when I skip two days in a row
True: the last two times I skipped, I slept worse
It is really about whether I trust my training plan
The plan has rest days for a reason
Fair: the plan was written when I was calmer than today
The plan is three months old and I am fitter now
Being fitter is real, and the plan could be updated
heard
One full rest day a week that nothing can take
To move a little every day, even a walk
A 20-minute walk tonight, and rewrite the plan on Sunday
/dialogue export
"""


def test_a_full_internal_double_crux_in_the_console(tmp_path: Path) -> None:
    result = console_runner.run_console(FULL, tmp_path, TOUCHSTONE_LOG_LEVEL="WARNING")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in out + result.stderr
    assert "'lazy' judges the part" in out
    assert out.count("error") == 1, out
    assert "Part 1: the part that wants rest" in out
    assert "As the part that wants fitness:" in out and "the part that wants rest said:" in out
    assert "What is true in it?" in out
    assert "turns out to be about: It is really about whether I trust my training plan" in out
    summary = out.split("SUMMARY")[1]
    assert "What each part needs" in summary
    assert "the part that wants rest: One full rest day a week that nothing can take" in summary
    assert "the part that wants fitness: To move a little every day, even a walk" in summary
    assert "A step for both: A 20-minute walk tonight" in summary
    exported = (tmp_path / "exports" / "dialogue-1.md").read_text()
    assert "True: the last two times I skipped, I slept worse" in exported
    assert "Side A" not in exported


async def test_a_side_left_blank_is_asked_for(database: Database) -> None:
    """The Discord form may name one side, both or none; blank ones are asked for."""
    svc = make_service(database)
    info = await svc.start_crux(ALICE, None, "Exercise today", Place(), sides=("", "Side B"))
    await svc.answer(info.id, ALICE.user_id, "ready")
    prompt = await svc.current_prompt(info.id)
    assert prompt is not None and prompt.key == "name:a"
    info = await svc.start_crux(ALICE, None, "Exercise today", Place(), sides=("rest", ""))
    await svc.answer(info.id, ALICE.user_id, "ready")
    prompt = await svc.current_prompt(info.id)
    assert prompt is not None and prompt.key == "name:b"
