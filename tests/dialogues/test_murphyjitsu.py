"""Issue 14: Murphyjitsu loops. "If you would still not be surprised, find the next
failure"; it stops when failure of the plan would surprise you."""

from __future__ import annotations

from pathlib import Path

from bot.dialogues import Place
from bot.storage import Database
from tests import console_runner
from tests.dialogues.helpers import ALICE, make_service
from tests.dialogues.test_exercises import NOTES


async def test_it_loops_until_failure_would_surprise(database: Database) -> None:
    svc = make_service(database)
    info = await svc.start_exercise(ALICE, NOTES["murphyjitsu"], Place())
    await svc.answer(info.id, ALICE.user_id, "Ship the beta to 10 users by Friday")
    turn = await svc.answer(info.id, ALICE.user_id, "no")
    assert turn.prompt is not None and turn.prompt.key == "reason1"
    await svc.answer(info.id, ALICE.user_id, "The signup flow breaks on mobile")
    await svc.answer(info.id, ALICE.user_id, "Test signup on two phones today")
    turn = await svc.answer(info.id, ALICE.user_id, "no")  # still not surprised
    assert turn.prompt is not None and turn.prompt.key == "reason2"
    assert "find the next failure" in turn.prompt.text
    await svc.answer(info.id, ALICE.user_id, "Nobody replies to the invite email")
    await svc.answer(info.id, ALICE.user_id, "Invite them in person on Tuesday")
    turn = await svc.answer(info.id, ALICE.user_id, "yes")
    assert turn.finished
    summary = await svc.summary(info.id)
    assert summary is not None
    assert "**Failure 2:** Nobody replies to the invite email" in summary.text
    assert "After 2 rounds, failure would surprise you." in summary.text


async def test_surprised_at_once_needs_no_round(database: Database) -> None:
    svc = make_service(database)
    info = await svc.start_exercise(ALICE, NOTES["murphyjitsu"], Place())
    await svc.answer(info.id, ALICE.user_id, "Walk 20 minutes after lunch this week")
    turn = await svc.answer(info.id, ALICE.user_id, "Yes, I'd be surprised")
    assert turn.finished


SCRIPT = """\
exercise murphyjitsu
Ship the beta to 10 users by Friday
no
The signup flow breaks on mobile
Test signup on two phones today
2
Nobody replies to the invite email
Invite them in person on Tuesday
no
The server runs out of memory with 10 users
Load-test with 20 fake users on Thursday
yes
"""


def test_a_looping_murphyjitsu_in_the_console(tmp_path: Path) -> None:
    result = console_runner.run_console(SCRIPT, tmp_path, TOUCHSTONE_LOG_LEVEL="WARNING")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "error" not in out.lower(), out
    assert out.count("Still not surprised: find the next failure") == 2
    summary = out.split("SUMMARY")[1]
    assert "Failure 3: The server runs out of memory with 10 users" in summary
    assert "Fix: Load-test with 20 fake users on Thursday" in summary
    assert "After 3 rounds, failure would surprise you." in summary
