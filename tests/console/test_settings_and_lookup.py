"""Defects 5 and 7 of issue 14: server settings apply in the console; exercises are
found by name, and time zone abbreviations are understood (and named back)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.coaching.timeparse import parse_timezone, timezone_note
from bot.dialogues.exercise_lookup import find_exercise
from knowledge.service import KnowledgeBase
from tests import console_runner

NOTES = Path(__file__).parents[1] / "knowledge" / "fixtures" / "notes"


def run(script: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return console_runner.run_console(script, data_dir, TOUCHSTONE_LOG_LEVEL="WARNING")


def test_server_settings_apply_to_console_dialogues(tmp_path: Path) -> None:
    script = (
        "config set dialogues.enabled impossible, exercise\n"
        "crux maya Remote work is better\n"
        "config set dialogues.max_depth 1\n"
        "impossible Write a novel\n"
    )
    out = run(script, tmp_path).stdout
    assert "moderators have turned off crux dialogues" in out, out
    assert "maya, do you accept?" not in out
    assert "down to 1 level)" in out, out


@pytest.mark.parametrize(
    "typed", ['name:"resolve cycle"', "resolve cycle", "Resolve Cycle", "resolv cycle"]
)
def test_exercise_by_name_or_near_miss(tmp_path: Path, typed: str) -> None:
    out = run(f"exercise {typed}\n", tmp_path).stdout
    assert "Resolve Cycle: Set a five-minute timer" in out, out


def test_exercise_miss_suggests_and_list_shows_no_ids(tmp_path: Path) -> None:
    out = run("exercise\n/exercise goal factorin\n/exercise zzzz qqqq\n", tmp_path).stdout
    assert "- Resolve Cycle" in out and "resolve-cycle:" not in out
    assert "Goal Factoring: " in out, "the near miss started the exercise"
    assert "error: No exercise called 'zzzz qqqq'." in out


def test_find_exercise_in_the_domain(tmp_path: Path) -> None:
    notes = KnowledgeBase(tmp_path / "chroma").list_notes()
    for typed in ("resolve cycle", "resolve-cycle", "Resolve  Cycle!", "resolv cycle"):
        found = find_exercise(notes, typed).note
        assert found is not None and found.id == "resolve-cycle", typed
    coze = find_exercise(notes, "comfort zone exploration").note
    assert coze is not None and coze.id == "comfort-zone-exploration"
    miss = find_exercise(notes, "nothing like any exercise")
    assert miss.note is None
    assert find_exercise(notes, "").note is None
    fixtures = KnowledgeBase(tmp_path / "other", notes_dirs=[NOTES]).list_notes()
    assert find_exercise(fixtures, "resolve cycle").note is None


@pytest.mark.parametrize(
    ("typed", "zone"),
    [("CET", "Europe/Berlin"), ("cest", "Europe/Berlin"), ("EST", "America/New_York")],
)
def test_time_zone_abbreviations_are_accepted_and_named(typed: str, zone: str) -> None:
    assert parse_timezone(typed) == zone
    assert timezone_note(typed, zone) == f"{typed.upper()} taken as {zone} " + (
        f"(it follows {zone}'s summer time)."
    )
    assert timezone_note("Europe/Berlin", "Europe/Berlin") == ""


def test_console_coach_start_with_cet_says_which_zone(tmp_path: Path) -> None:
    out = run("coach start CET 07:00\n", tmp_path).stdout
    assert "Coaching is on. CET taken as Europe/Berlin" in out, out
    assert "(Europe/Berlin)" in out
