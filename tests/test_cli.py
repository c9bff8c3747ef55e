"""The command line as a person uses it: console, doctor, one-line errors."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from tests.console_runner import run_bot

REPO_ROOT = Path(__file__).resolve().parents[1]


def run(
    args: list[str], tmp_path: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    return run_bot(args, tmp_path / "data", stdin, **env)


def test_run_without_a_token_opens_the_console_and_prints_about(tmp_path: Path) -> None:
    result = run(["run"], tmp_path, stdin="about\nquit\n")
    assert result.returncode == 0, result.stderr
    assert "What it stores about you" in result.stdout
    assert "offline console" in result.stderr


def test_a_database_from_a_newer_version_stops_the_start_in_one_line(tmp_path: Path) -> None:
    """Its migration fails in the child process; the operator reads why, not a trace."""
    (tmp_path / "data").mkdir()
    with sqlite3.connect(tmp_path / "data" / "touchstone.db") as db:
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        db.execute("INSERT INTO alembic_version VALUES ('9999')")
    result = run(["run"], tmp_path, stdin="quit\n")
    assert result.returncode != 0
    assert "touchstone: the database migration failed" in result.stderr
    assert "9999" in result.stderr and "Traceback" not in result.stderr


def test_console_reports_unknown_commands_in_one_line_and_keeps_going(tmp_path: Path) -> None:
    result = run(["console"], tmp_path, stdin="frobnicate\nhelp\n")
    assert result.returncode == 0
    assert "error: unknown command 'frobnicate'" in result.stdout
    assert "/about" in result.stdout and "Traceback" not in result.stdout + result.stderr


def test_doctor_passes_on_a_fresh_install_without_showing_secrets(tmp_path: Path) -> None:
    result = run(["doctor"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "database" in result.stdout and "FAIL" not in result.stdout
    assert "notes index: not built yet" in result.stdout

    secret = "super-secret-token-value-123456"
    with_token = run(["doctor"], tmp_path, TOUCHSTONE_TOKEN=secret)
    assert with_token.returncode == 0
    assert "configured (not shown)" in with_token.stdout
    assert secret not in with_token.stdout + with_token.stderr


def test_doctor_names_an_invalid_setting_and_fails(tmp_path: Path) -> None:
    result = run(["doctor"], tmp_path, TOUCHSTONE_DATABASE_URL="nonsense://")
    assert result.returncode != 0
    (line,) = result.stderr.strip().splitlines()
    assert "TOUCHSTONE_DATABASE_URL" in line and "Traceback" not in result.stderr


def test_doctor_fails_when_the_database_is_unreachable(tmp_path: Path) -> None:
    result = run(
        ["doctor"], tmp_path, TOUCHSTONE_DATABASE_URL="postgresql://u:hunter2pass@127.0.0.1:1/x"
    )
    assert result.returncode == 1
    assert "FAIL  database" in result.stdout
    assert "hunter2pass" not in result.stdout + result.stderr


def test_sync_commands_needs_a_token(tmp_path: Path) -> None:
    result = run(["sync-commands"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "touchstone: sync-commands needs TOUCHSTONE_TOKEN"


def test_console_takes_plain_answers_in_a_dialogue_and_free_text_with_apostrophes(
    tmp_path: Path,
) -> None:
    script = 'impossible learn the cello in a year\n60\nI don\'t have time\nanswer "my job eats evenings"\n'
    result = run(["console"], tmp_path, stdin=script)
    assert result.returncode == 0
    out = result.stdout
    assert "error" not in out.lower(), out
    assert "1. I don't have time" in out
