"""The same dialogues from a script through ``python -m bot console`` (a real subprocess)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests import console_runner

REPO = Path(__file__).resolve().parents[2]

IMPOSSIBLE = """\
impossible "Write a novel this year"
answer 25%
answer "I have no time; I can't write well"
answer "My job takes 50 hours a week"
answer "The weekly report eats Friday afternoons"
answer concrete
answer inconvenient
answer hard
answer hard
answer hard
answer "Ask my manager whether the report can be scripted"
answer "Write 100 words tonight"
answer "One evening a week back; 45% now"
answer "1 week"
dialogue export
"""

CRUX = """\
as alice crux bob "Remote work is better for junior engineers"
as alice answer accept
as bob accept
as alice answer "I agree"
as bob answer "I agree"
as alice answer "Juniors at home do just as well"
as bob answer "Juniors need to sit next to seniors"
as alice answer 65
as bob answer 70
as bob answer none
as alice answer "Remote juniors close as many tickets by month 6"
as bob answer "Office juniors close more tickets by month 6"
as alice answer "Juniors learn faster from code review than from sitting together"
as carol answer "let me in"
as bob answer "Juniors learn more by sitting together than from code review"
as alice answer yes
as bob answer yes
as alice answer yes
as bob answer yes
as alice answer settle
as alice answer experiment
as bob answer "Pair two juniors remotely and two in the office for a quarter"
as alice answer "in 3 months"
as alice answer yes
as bob answer yes
as alice answer no
as bob answer no
as alice dialogue export
"""


def run_console(script: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return console_runner.run_console(script, data_dir, TOUCHSTONE_LOG_LEVEL="WARNING")


def test_why_impossible_runs_from_a_script(tmp_path: Path) -> None:
    result = run_console(IMPOSSIBLE, tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "error" not in out.lower(), out
    assert "1.1.1. The weekly report eats Friday afternoons — *merely inconvenient*" in out
    assert (tmp_path / "exports" / "dialogue-1.png").read_bytes().startswith(b"\x89PNG")
    exported = (tmp_path / "exports" / "dialogue-1.md").read_text()
    assert "Write 100 words tonight" in exported and "## Summary" in exported
    # every question printed once
    assert out.split("SUMMARY")[0].count("Very specifically, why is *that* impossible?") == 3


def test_two_person_double_crux_runs_from_a_script(tmp_path: Path) -> None:
    result = run_console(CRUX, tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    # alice can't accept bob's invitation; carol is not in the dialogue
    assert len(errors) == 2, out
    assert "This question is for bob" in errors[0]
    assert "carol has no dialogue" in errors[1]
    assert "alice has submitted their cruxes (hidden)" in out
    hidden_part = out.split("alice has submitted their cruxes (hidden)")[0]
    assert "Juniors learn faster from code review" not in hidden_part.split("Office juniors")[-1]
    assert "Double crux confirmed" in out
    assert "Agreed test (experiment): Pair two juniors" in out
    assert (tmp_path / "exports" / "dialogue-1.png").read_bytes().startswith(b"\x89PNG")
