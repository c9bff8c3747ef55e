"""``touchstone ingest`` and ``touchstone ask`` as a user runs them, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.note import SHIPPED_NOTES_DIR
from tests.knowledge.conftest import FIXTURE_NOTES

REPO = Path(__file__).resolve().parents[2]

CIRCLE = """---
id: reading-circle
title: Quasar Reading Circle
kind: pattern
tags: [community, reading]
source: {title: "Our handbook", author: "The organisers", date: "2024"}
summary: Each Sunday the group reads one quasar astrophysics paper together and posts a takeaway.
when_to_use: When you want company and accountability for reading papers.
five_minute_version: Post the paper you are reading this week with one question about it.
---
A weekly reading circle for quasar astrophysics papers, with a takeaway from everyone.
"""


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHSTONE_")}
    env["TOUCHSTONE_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=data_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_ask_json_builds_the_index_on_first_use(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "ask", "How do I get better at a skill through practice?", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["answer"] and "[1]" in payload["answer"]
    assert payload["care"] is False
    assert 1 <= len(payload["results"]) <= 3
    first = payload["results"][0]
    assert set(first) >= {"id", "title", "tags", "source", "score", "snippet"}
    assert payload["citations"][0]["id"] == first["id"]
    assert (tmp_path / "chroma").is_dir()

    again = run_cli(tmp_path, "ask", "practice", "--k", "1")
    assert again.returncode == 0, again.stderr
    assert "Sources" in again.stdout and "Matches:" in again.stdout

    hurting = run_cli(tmp_path, "ask", "what's the point, I fail at everything", "--json")
    assert hurting.returncode == 0, hurting.stderr
    kind = json.loads(hurting.stdout)
    assert kind["care"] is True and kind["citations"] == [] and kind["results"] == []
    assert "not alone" in kind["answer"] and "[1]" not in kind["answer"]


def test_ingest_reports_counts_and_problems(tmp_path: Path) -> None:
    notes = tmp_path / "fixtures"
    notes.mkdir()
    for path in FIXTURE_NOTES.glob("*.md"):
        (notes / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    # --replace keeps this test small: the four fixture notes are the whole library.
    done = run_cli(tmp_path, "ingest", "--replace", str(notes), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert f"The library is now the given 4 notes (kept in {tmp_path / 'notes'})." in done.stdout
    assert "4 notes in the library:" in done.stdout and "0 unchanged, 0 removed" in done.stdout

    # A bad note in the library is reported by the re-index; the good ones stay indexed.
    (tmp_path / "notes" / "bad-kind.md").write_text(
        (notes / "sunk-cost.md")
        .read_text(encoding="utf-8")
        .replace("id: sunk-cost", "id: bad-kind")
        .replace("kind: principle", "kind: trick"),
        encoding="utf-8",
    )
    done = run_cli(tmp_path, "ingest", "--no-progress")
    assert done.returncode == 1
    assert "4 notes ingested: 0 chunks added" in done.stdout
    bad = tmp_path / "notes" / "bad-kind.md"
    assert f"problem: {bad}: kind: must be one of" in done.stdout


def test_ingest_path_adds_to_the_library_and_doctor_agrees(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "ingest", "--replace", str(FIXTURE_NOTES)).returncode == 0
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "circle.md").write_text(CIRCLE, encoding="utf-8")

    done = run_cli(tmp_path, "ingest", str(incoming / "circle.md"), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "added 1 (reading-circle), updated 0, unchanged 0" in done.stdout
    assert "5 notes in the library:" in done.stdout and ", 0 removed" in done.stdout
    for question, expected in (
        ("weekly reading circle for quasar astrophysics papers", "reading-circle"),
        ("how can I remember vocabulary for months", "spaced-repetition"),
    ):
        asked = run_cli(tmp_path, "ask", question, "--json", "--k", "1")
        assert asked.returncode == 0, asked.stderr
        assert json.loads(asked.stdout)["results"][0]["id"] == expected
    doctor = run_cli(tmp_path, "doctor")
    assert "notes index: up to date: 5 notes" in doctor.stdout, doctor.stdout

    # A bad note is refused with its file and field, and nothing changes.
    (incoming / "circle.md").write_text(
        CIRCLE.replace("kind: pattern", "kind: trick"), encoding="utf-8"
    )
    refused = run_cli(tmp_path, "ingest", str(incoming), "--no-progress")
    assert refused.returncode == 1
    assert refused.stdout.splitlines() == [
        "Nothing was changed: every note must be valid before any is added.",
        f"problem: {incoming / 'circle.md'}: kind: must be one of technique, principle, "
        "exercise, pattern (got 'trick')",
        "1 problem(s); fix them and run the same command again.",
    ]
    assert "kind: pattern" in (tmp_path / "notes" / "reading-circle.md").read_text(encoding="utf-8")
    assert "up to date: 5 notes" in run_cli(tmp_path, "doctor").stdout


def test_replace_needs_paths(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "ingest", "--replace")
    assert done.returncode == 2 and "--replace needs the notes" in done.stderr
    assert not (tmp_path / "chroma").exists()


@pytest.mark.slow
def test_ingest_of_one_note_keeps_the_shipped_library(tmp_path: Path) -> None:
    """The reported bug: `touchstone ingest one-note.md` removed the shipped library."""
    note = tmp_path / "one-note.md"
    note.write_text(CIRCLE, encoding="utf-8")
    shipped = len(list(SHIPPED_NOTES_DIR.glob("*.md")))

    done = run_cli(tmp_path, "ingest", str(note), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert f"{shipped + 1} notes in the library:" in done.stdout
    assert ", 0 removed" in done.stdout
    for question, expected in (
        ("weekly reading circle for quasar astrophysics papers", "reading-circle"),
        ("how do I practise deliberately to get better at a skill", "deliberate-practice"),
    ):
        asked = run_cli(tmp_path, "ask", question, "--json", "--k", "3")
        assert asked.returncode == 0, asked.stderr
        assert expected in [r["id"] for r in json.loads(asked.stdout)["results"]]
    doctor = run_cli(tmp_path, "doctor")
    assert f"notes index: up to date: {shipped + 1} notes" in doctor.stdout, doctor.stdout
    again = run_cli(tmp_path, "ingest", "--no-progress")
    assert f"{shipped + 1} notes ingested: 0 chunks added" in again.stdout
    assert ", 0 removed" in again.stdout


def test_ask_rejects_bad_arguments(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "ask", "  ")
    assert done.returncode == 2 and "touchstone: the question is empty" in done.stderr
    done = run_cli(tmp_path, "ask", "hello", "--k", "0")
    assert done.returncode == 2 and "--k" in done.stderr
