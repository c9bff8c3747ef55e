"""``touchstone check-advice`` end to end, as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POST = "Made my first loaf of bread today, a bit flat but tasty!"
DUMP = (
    "You need to knead for 10 minutes. Make sure you weigh everything. Don't use all-purpose "
    "flour. You should get a Dutch oven. Watch out for underproofing."
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "check-advice", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_human_report_for_a_flagged_draft() -> None:
    result = run("--post", POST, "--reply", DUMP)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("FLAGGED")
    assert "Gentler version:" in result.stdout
    assert "Kept aside" in result.stdout
    assert "      > " in result.stdout  # the sentences behind the reason, quoted
    assert "  - Make sure you weigh everything." in result.stdout  # kept aside


def test_json_report_and_given_intent() -> None:
    inferred = json.loads(run("--post", POST, "--reply", DUMP, "--json").stdout)
    result = run("--post", POST, "--reply", DUMP, "--intent", "details", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["intent"] == "details" and report["intent_source"] == "given"
    assert "want details" in report["intent_reason"]
    assert report["language"] == "en" and report["checked"] is True
    # Saying the poster asked for details makes the same pile much less of a problem.
    assert inferred["flagged"] and report["score"] < inferred["score"] - 0.2


def test_sensitivity_changes_the_verdict() -> None:
    # One tip, offered: a close call, between the cuts of sensitivity 0 (0.8) and 1 (0.2).
    reply = "Lovely! If you want, weigh the flour next time, it makes loaves more even."
    low = json.loads(run("--post", POST, "--reply", reply, "--json", "--sensitivity", "0").stdout)
    high = json.loads(run("--post", POST, "--reply", reply, "--json", "--sensitivity", "1").stdout)
    assert low["score"] == high["score"]
    assert (low["flagged"], high["flagged"]) == (False, True)


def test_jsonl_batch(tmp_path: Path) -> None:
    src = tmp_path / "drafts.jsonl"
    src.write_text(
        json.dumps({"post": POST, "reply": DUMP})
        + "\n\n"
        + json.dumps({"post": POST, "reply": "So tasty! What flour?", "intent": "sharing"})
        + "\n"
        + json.dumps({"post": POST, "reply": DUMP, "intent": None})
        + "\n",
        encoding="utf-8",
    )
    result = run("--jsonl", str(src))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["flagged"] for line in lines] == [True, False, True]
    for line in lines:
        assert {"flagged", "score", "reasons", "suggestion"} <= set(line)


def _assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0
    assert result.stdout == ""
    error = result.stderr.strip()
    assert "\n" not in error and "Traceback" not in error
    for needle in needles:
        assert needle in error


def test_missing_reply_is_a_one_line_error() -> None:
    _assert_one_line_error(run("--post", POST), "--reply")


def test_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    _assert_one_line_error(run("--jsonl", str(tmp_path / "nope.jsonl")), "nope.jsonl")


def test_bad_json_line_reports_its_number(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text(json.dumps({"post": "a", "reply": "b"}) + "\n{not json\n", encoding="utf-8")
    _assert_one_line_error(run("--jsonl", str(src)), ":2:")


def test_bad_fields_and_sensitivity(tmp_path: Path) -> None:
    src = tmp_path / "fields.jsonl"
    src.write_text(json.dumps({"post": "a", "reply": "b", "intent": "vibes"}) + "\n")
    _assert_one_line_error(run("--jsonl", str(src)), ":1:", "intent")
    src.write_text(json.dumps({"post": "a"}) + "\n")
    _assert_one_line_error(run("--jsonl", str(src)), ":1:", "reply")
    _assert_one_line_error(run("--post", "a", "--reply", "b", "--sensitivity", "3"), "sensitivity")
