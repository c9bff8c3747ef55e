"""Defects 1-3 of issue 14: what a plain line does in ``touchstone console``.

Each test runs the real console as a subprocess, fed a script as a person would type
it, and checks what that person reads and the exit code.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests import console_runner

IMPOSSIBLE_TO_LABEL = "impossible Write a novel\n20\nno time\nconcrete\n"


def run(script: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return console_runner.run_console(script, data_dir, TOUCHSTONE_LOG_LEVEL="WARNING", **env)


def test_an_invalid_plain_answer_is_one_line_and_the_question_stays(tmp_path: Path) -> None:
    result = run(IMPOSSIBLE_TO_LABEL + "7\nmaybe\nhard\n", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.count("error: Choose one of:") == 2, result.stdout
    # the question stayed open, and the valid answer then moved on
    assert "What makes it hard, and what is a concrete first step" in result.stdout


def test_bad_confidence_and_bad_ready_answer_do_not_crash(tmp_path: Path) -> None:
    script = "impossible Write a novel\nlots\n20\n/dialogue end\ncrux solo Rest or run\nmaybe\n"
    result = run(script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "Give your confidence as a number" in result.stdout
    assert "Choose one of: Ready (agree)." in result.stdout


def test_answers_starting_with_command_words_are_answers(tmp_path: Path) -> None:
    script = (
        "impossible Write a novel\n20\n"
        "quit my day job first; no savings\n"  # two reasons, not "quit"
        "help from family is missing\n"  # an obstacle under reason 1, not "help"
        "concrete\nconcrete\ninconvenient\nhard\nhard\n"  # labels: 1.1, 2, then reason 1
        "ask my partner tonight for feedback\n"  # the next action, not /ask
        "/dialogue list\n"
    )
    result = run(script, tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "2 reasons noted" in out
    assert "1.1. help from family is missing" in out
    assert "Touchstone console commands" not in out, "help ran instead of being an answer"
    assert "#1 impossible (active)" in out, "the explicit /dialogue list ran"
    assert "error" not in out.lower(), out
    exported = run("/dialogue export\n", tmp_path).stdout
    assert "ask my partner tonight for feedback" in exported


def test_the_waiting_line_says_commands_need_a_slash(tmp_path: Path) -> None:
    out = run("impossible Write a novel\n", tmp_path).stdout
    assert "→ waiting for you (type your answer as a plain line; commands need a leading /" in out


def test_outside_a_waiting_state_commands_work_with_or_without_slash(tmp_path: Path) -> None:
    out = run("about\n/about\nclock\n/clock\n", tmp_path).stdout
    assert out.count("What it stores about you") == 2
    assert out.count("Simulated time:") == 2


def test_help_lists_every_console_command_and_help_x_shows_usage(tmp_path: Path) -> None:
    out = run("help\nhelp as\nhelp /clock\nhelp nothing-like-it\n", tmp_path).stdout
    listing = out.split("'help COMMAND'")[0]
    for name in ("as", "answer", "dm", "clock", "dialogue", "coach", "config", "quit"):
        assert f"\n  {name} " in listing, name
    assert "usage: as NAME COMMAND ..." in out
    assert "usage: clock | clock advance 1d" in out
    assert "error: no command 'nothing-like-it'" in out


def test_the_invited_partner_answers_with_1_or_yes(tmp_path: Path) -> None:
    out = run('crux maya "Remote work is better"\n1\n', tmp_path).stdout
    assert "maya accepted." in out and "unknown command" not in out, out
    out = run('/dialogue end\ncrux sam "Remote work is better"\nyes\n', tmp_path / "b").stdout
    assert "sam accepted." in out, out


def test_orient_prompts_take_plain_text_then_commands_need_a_slash(tmp_path: Path) -> None:
    script = (
        "coach start Europe/Berlin 07:00\nclock advance 1h30m\n"
        "ask my manager about the grant first\n"  # an orient answer, not /ask
        "/practice log 20 piano\n"
    )
    out = run(script, tmp_path, TOUCHSTONE_SIMULATED_CLOCK_START="2026-03-27T05:00:00+00:00")
    text = out.stdout
    assert "type your answer as a plain line" in text
    assert "Saved (1 today)." in text
    assert "Logged 20 min of piano" in text
