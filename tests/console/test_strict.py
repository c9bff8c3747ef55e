"""Defect 8 of issue 14: a scripted console can stop at its first error, non-zero."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import console_runner

SCRIPT = "about\nfrobnicate\nabout\n"


def test_by_default_the_console_keeps_going_and_exits_0(tmp_path: Path) -> None:
    result = console_runner.run_console(SCRIPT, tmp_path)
    assert result.returncode == 0
    assert result.stdout.count("What it stores about you") == 2


@pytest.mark.parametrize(
    ("args", "env"),
    [(["console", "--strict"], {}), (["console"], {"TOUCHSTONE_CONSOLE_STRICT": "1"})],
)
def test_strict_stops_at_the_first_error_with_exit_1(
    tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    result = console_runner.run_bot(args, tmp_path, SCRIPT + "quit\n", **env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.count("What it stores about you") == 1
    assert "stopped at line 2: strict mode ends at the first error" in result.stdout


def test_strict_counts_a_printed_refusal_as_an_error(tmp_path: Path) -> None:
    script = "coach start Mars/Olympus 07:00\nabout\n"
    result = console_runner.run_bot(["console", "--strict"], tmp_path, script)
    assert result.returncode == 1
    assert "I don't know the time zone 'Mars/Olympus'" in result.stdout
    assert "What it stores about you" not in result.stdout


def test_strict_passes_a_clean_script(tmp_path: Path) -> None:
    result = console_runner.run_bot(["console", "--strict"], tmp_path, "about\nquit\n")
    assert result.returncode == 0
