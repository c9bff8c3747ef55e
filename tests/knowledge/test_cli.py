"""``touchstone ingest`` and ``touchstone ask`` as a user runs them, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.knowledge.conftest import FIXTURE_NOTES

REPO = Path(__file__).resolve().parents[2]


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
    notes = tmp_path / "notes"
    notes.mkdir()
    for path in FIXTURE_NOTES.glob("*.md"):
        (notes / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    done = run_cli(tmp_path, "ingest", str(notes), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "4 notes ingested:" in done.stdout and "0 unchanged, 0 removed" in done.stdout

    (notes / "bad-kind.md").write_text(
        (notes / "sunk-cost.md")
        .read_text(encoding="utf-8")
        .replace("id: sunk-cost", "id: bad-kind")
        .replace("kind: principle", "kind: trick"),
        encoding="utf-8",
    )
    done = run_cli(tmp_path, "ingest", str(notes), "--no-progress")
    assert done.returncode == 1
    assert "4 notes ingested: 0 chunks added" in done.stdout
    assert f"problem: {notes / 'bad-kind.md'}: kind: must be one of" in done.stdout


def test_ask_rejects_bad_arguments(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "ask", "  ")
    assert done.returncode == 2 and "touchstone: the question is empty" in done.stderr
    done = run_cli(tmp_path, "ask", "hello", "--k", "0")
    assert done.returncode == 2 and "--k" in done.stderr
