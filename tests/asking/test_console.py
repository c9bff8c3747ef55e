"""/ask's follow-ups in the offline console, as a person scripting ``touchstone console``.

After an answer, ``another`` and ``unhelpful`` do what the two buttons do in Discord;
a question that shows distress gets the kind reply, and ``share`` posts it in the
help channel once the server has one; the moderator's summary and export follow.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from knowledge.service import KnowledgeBase
from tests.console_runner import run_console

QUESTION = "how do I practise every day?"
HURTING = "i feel so stupid compared to everyone in my lab"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped notes indexed once, copied into each console's data directory."""
    path = tmp_path_factory.mktemp("asking-console") / "chroma"
    knowledge = KnowledgeBase(path)
    try:
        asyncio.run(knowledge.ensure_index())
    finally:
        knowledge.close()
    return path


def test_another_unhelpful_share_and_the_moderators_view(tmp_path: Path, index: Path) -> None:
    shutil.copytree(index, tmp_path / "chroma")
    export = tmp_path / "feedback.jsonl"
    script = (
        "another\n"  # nothing asked yet
        f"ask {QUESTION}\n"
        "another\n"
        "another\n"
        "unhelpful\n"
        f"ask {HURTING}\n"
        "share\n"  # no help channel yet
        "config set care.help_channel_id 555\n"
        "config set care.mentor_role_id 666\n"
        f"ask {HURTING}\n"
        "share\n"
        "share\n"
        "config feedback\n"
        f"config feedback-export {export}\n"
        "mydata export\n"
    )
    done = run_console(script, tmp_path)
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert "error: ask a question first" in out

    answer, _, rest = out.partition("Not what you needed?")
    first_note = answer.split("[1] ")[1].split(" — ")[0]
    assert "[1]" in answer and "Sources" in answer
    nexts = [part.split(" — ")[0] for part in rest.split("[1] ")[1:3]]
    assert len(nexts) == 2 and len({first_note, *nexts}) == 3, "another note, each time new"
    assert "it's recorded so the notes and their ranking can get better" in out
    assert "/techniques lets you browse" in out

    kind = out.split("YOU'RE NOT ALONE IN THIS")
    assert len(kind) == 3, "both distressed questions got the kind reply"
    assert "someone you trust" in kind[1] and "[1]" not in kind[1].split("error:")[0]
    assert "no longer has a help channel set" in kind[1]
    assert "post your question in channel 555" in kind[2]
    assert "The role 666 people here" in kind[2]
    assert "Posted in channel 555, as it appears there:" in kind[2]
    assert f"> {HURTING}" in kind[2]
    assert "already posted in channel 555" in kind[2]

    assert "3 presses on 1 answer." in out
    assert "1 didn't help, 1 asked for another" in out
    rows = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    assert [r["action"] for r in rows] == ["another", "another", "unhelpful"]
    assert rows[1]["shown_notes"][-1] == rows[0]["next_note"]

    (mine,) = tmp_path.rglob("mydata-*.json")
    tables = json.loads(mine.read_text(encoding="utf-8"))["tables"]
    assert {r["question"] for r in tables["asked_questions"]} == {QUESTION, HURTING}
    assert len(tables["answer_feedback"]) == 3
