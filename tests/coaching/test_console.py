"""Coaching in the offline console, driven like a person scripting ``touchstone console``.

One real ``python -m bot console`` process reads a script on standard input: coaching
in Europe/Berlin across the switch to summer time, answers in "DMs", the practice log,
stats, a push, then export and delete. The assertions are on what the person reads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.console_runner import run_bot

# Friday 27 March 2026, 06:00 in Berlin; Berlin moves to summer time on Sunday 29 March.
START = "2026-03-27T05:00:00+00:00"

# Once the morning prompts arrive, a plain line is an answer to them: commands take a "/".
SCRIPT = """\
coach start Mars/Olympus 07:00
coach start Europe/Berlin 25:00
coach start Europe/Berlin 07:00
clock advance 1h30m
dm The grant report matters most today.
dm Roughly on track.
/practice log many piano
/practice log 25 piano practised="C major scales" noticed="left hand lags"
/clock advance tomorrow
/clock advance 1d
/practice log 30 Piano
/clock advance 1d
/clock advance 12h
/practice push start piano 10
/practice log 150 piano
/practice push status
/practice stats
/mydata export
/mydata delete
/practice stats
/mydata delete confirm
/practice stats
/clock advance 2d
/mydata export
quit
"""


def run_console(data_dir: Path, script: str) -> str:
    result = run_bot(["console"], data_dir, script, TOUCHSTONE_SIMULATED_CLOCK_START=START)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result.stdout


def in_order(output: str, *snippets: str) -> None:
    """Each snippet appears, after the previous one."""
    position = 0
    for snippet in snippets:
        found = output.find(snippet, position)
        assert found >= 0, f"{snippet!r} missing after position {position} in:\n{output}"
        position = found + len(snippet)


def dm_headers(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("[DM to you]")]


def exports(data_dir: Path) -> list[dict[str, Any]]:
    files = sorted((data_dir / "console-files").glob("mydata-1-*.json"))
    return [json.loads(path.read_text(encoding="utf-8")) for path in files]


def test_a_scripted_week_of_coaching_then_export_and_delete(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    output = run_console(data_dir, SCRIPT)

    # Bad input gets a clear one-line answer; nothing is set up by it.
    in_order(
        output,
        "I don't know the time zone 'Mars/Olympus'. Type a city, e.g. Europe/Berlin",
        "'25:00' is not a time of day; try 07:30.",
        "Coaching is on.",
        "Morning prompts: every day at 07:00 (Europe/Berlin).",
        "Next one: Friday 27 March, 07:00.",
        "[DM to you]\nCoaching is on.",
        "Reply to the morning prompts right here, in this DM.",
    )

    # One orient each morning at 07:00 local, also on the Sunday of the DST switch,
    # then the weekly review on Sunday evening; nothing twice.
    assert dm_headers(output) == [
        "[DM to you]",
        "[DM to you] MORNING ORIENT · FRIDAY 27 MARCH",
        "[DM to you] MORNING ORIENT · SATURDAY 28 MARCH",
        "[DM to you] MORNING ORIENT · SUNDAY 29 MARCH",
        "[DM to you] YOUR WEEK · 23 MAR TO 29 MAR",
    ], "and nothing after /mydata delete"
    in_order(
        output,
        "MORNING ORIENT · FRIDAY 27 MARCH",
        "1. What is the most important thing I could work on today?",
        "[button: Quick version: type '/coach quick']",
        "Simulated time: 2026-03-27T06:30+00:00",
        "Saved (1 today).",
        "Saved (2 today).",
        "error: MINUTES must be a number",
        "Logged 25 min of piano. Today: 25 min. Streak: 1 day.",
        "error: clock advance 1d | 3h | 30m | 1d12h",
        "MORNING ORIENT · SATURDAY 28 MARCH",
        "Simulated time: 2026-03-28T06:30+00:00",
        "Logged 30 min of piano. Today: 30 min. Streak: 2 days.",
        "MORNING ORIENT · SUNDAY 29 MARCH",
        "Simulated time: 2026-03-29T06:30+00:00",
        "YOUR WEEK · 23 MAR TO 29 MAR",
        "55 min of practice over 7 days (2 days with practice).",
        "Mon 0 · Tue 0 · Wed 0 · Thu 0 · Fri 25 · Sat 30 · Sun 0",
        "From your morning answers:\n> The grant report matters most today.\n> Roughly on track.",
        "[attachment: ",
        "Simulated time: 2026-03-29T18:30+00:00",
    )
    chart = data_dir / "console-files" / "practice-week-2026-03-29.png"
    assert chart.read_bytes().startswith(b"\x89PNG")

    # The push counts practice from its start; stats cover all of it.
    in_order(
        output,
        "Push started: 10 hours of piano.",
        "Logged 150 min of piano.",
        "Milestone: 25% of your piano push (2.5 of 10 h).",
        "piano: 2.5 of 10 h (25%)",
        "205 min of practice over 30 days (3 days with practice). Streak: 3 days.",
        "- piano: 205 min",
        "Push on piano: 2.5 of 10 h",
        "Everything stored about you: ",
        # Delete asks first; until confirmed, nothing is gone.
        "This erases everything stored about you. Type 'mydata delete confirm'.",
        "205 min of practice over 30 days",
        "Deleted everything Touchstone stored about you (",
        "3 practice logs",
        "0 min of practice over 30 days (0 days with practice). Streak: 0 days.",
        "Simulated time: 2026-03-31T18:30+00:00",
        "Everything stored about you: ",
    )

    before, after = exports(data_dir)
    logs = before["tables"]["practice_logs"]
    assert sorted(row["minutes"] for row in logs) == [25, 30, 150]
    assert {row["skill"] for row in logs} == {"piano"}
    first = next(row for row in logs if row["minutes"] == 25)
    assert (first["practised"], first["noticed"]) == ("C major scales", "left hand lags")
    answers = [row["text"] for row in before["tables"]["orient_answers"]]
    assert answers == ["The grant report matters most today.", "Roughly on track."]
    assert before["tables"]["coaching_profiles"][0]["timezone"] == "Europe/Berlin"
    # Exporting again after the delete kept the first copy and holds nothing of theirs.
    assert after["tables"] == {}


def test_server_default_prompts_reach_the_member_in_the_console(tmp_path: Path) -> None:
    """Issue 14 #6, as a person sees it: the server's prompts arrive in the morning DM,
    set with coach server-prompts or with config set."""
    script = (
        "coach server-prompts What will I ship today?; Who needs me?\n"
        "coach start Europe/Berlin 07:00\n"
        "clock advance 1h30m\n"
        "/config set coaching.default_prompts One thing? | Second thing?\n"
        "/clock advance 1d\n"
    )
    output = run_console(tmp_path / "data", script)
    in_order(
        output,
        "[DM to you] MORNING ORIENT",
        "1. What will I ship today?\n2. Who needs me?\n",
        "[DM to you] MORNING ORIENT",
        "1. One thing?\n2. Second thing?\n",
    )
    assert "most important thing" not in output
