"""Adding notes to the library (``touchstone ingest PATH``), against a real chromadb.

The fixture notes stand in for the shipped library; added notes go to a directory of
their own, as ``KnowledgeBase.from_settings`` sets it up. What matters is what a
person sees afterwards: the new note and the old library are both found, also by a
new process over the same index, and a refused batch leaves no trace.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from knowledge.library import REPLACED_MARKER
from knowledge.note import MAX_NOTE_BYTES
from knowledge.retrieval import SearchMode
from knowledge.service import KnowledgeBase
from tests.knowledge.conftest import copy_fixture_notes

CIRCLE = """---
id: reading-circle
title: Quasar Reading Circle
kind: pattern
tags: [community, reading]
source: {{title: "Our handbook", author: "The organisers", date: "2024"}}
summary: Each Sunday the group reads one quasar astrophysics paper together and posts a one-line takeaway.
when_to_use: When you want company and accountability for reading papers.
five_minute_version: Post the paper you are reading this week with one question about it.
---
## What it is

A weekly reading circle for {topic} papers, with a takeaway from everyone.
"""

CIRCLE_QUERY = "weekly reading circle for quasar astrophysics papers"


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def kb(tmp_path: Path, open_kb: Any) -> Iterator[KnowledgeBase]:
    """The fixture notes as the shipped library, indexed, and a place for added notes."""
    base: KnowledgeBase = open_kb(
        tmp_path / "chroma",
        [copy_fixture_notes(tmp_path / "shipped")],
        added_notes_dir=tmp_path / "data" / "notes",
    )
    yield base
    base.close()


def reopen(kb: KnowledgeBase) -> KnowledgeBase:
    """The same index, library and added notes, as the next start of the process sees them."""
    return KnowledgeBase(
        kb.store.path,
        chroma_url=kb.store.url,
        collection=kb.store.collection_name,
        notes_dirs=kb.notes_dirs,
        added_notes_dir=kb.added_notes_dir,
    )


async def top_ids(kb: KnowledgeBase, query: str, k: int = 3) -> list[str]:
    return [r.note_id for r in await kb.search(query, k=k)]


async def test_an_added_note_joins_the_library_and_survives_a_restart(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    shipped = await kb.ingest()
    # The file name need not be the id: the note is kept under its id.
    draft = write(tmp_path / "incoming", "my-draft.md", CIRCLE.format(topic="quasar"))

    report = await kb.add_notes([draft])

    assert report.ok and report.added == ["reading-circle"]
    assert report.index is not None
    assert report.index.notes == shipped.notes + 1 and report.index.chunks_removed == 0
    assert report.index.chunks_unchanged == shipped.chunks_added
    assert kb.added_notes_dir is not None
    assert (kb.added_notes_dir / "reading-circle.md").read_text(encoding="utf-8") == (
        draft.read_text(encoding="utf-8")
    )
    assert (await top_ids(kb, CIRCLE_QUERY))[0] == "reading-circle"
    assert (await top_ids(kb, "how can I remember vocabulary for months"))[0] == (
        "spaced-repetition"
    )
    assert kb.get_note("reading-circle") is not None and len(kb.list_notes()) == 5

    draft.unlink()  # the library keeps its own copy
    restarted = reopen(kb)
    try:
        again = await restarted.ensure_index()
        assert (again.chunks_added, again.chunks_removed, again.problems) == (0, 0, [])
        assert again.notes == 5
        for mode in SearchMode:
            found = await restarted.search(CIRCLE_QUERY, k=3, mode=mode)
            assert found[0].note_id == "reading-circle", mode
        assert (await top_ids(restarted, "sunk cost of a failing project"))[0] == "sunk-cost"
    finally:
        restarted.close()


async def test_a_changed_version_replaces_the_old_chunks(kb: KnowledgeBase, tmp_path: Path) -> None:
    await kb.ingest()
    first = await kb.add_notes([write(tmp_path / "v1", "circle.md", CIRCLE.format(topic="quasar"))])
    assert first.index is not None
    old_ids = kb.store.ids_for_scope(0, "reading-circle")
    count = kb.store.count()

    changed = write(tmp_path / "v2", "circle.md", CIRCLE.format(topic="exoplanet"))
    report = await kb.add_notes([changed])

    assert report.ok and (report.added, report.updated) == ([], ["reading-circle"])
    assert report.index is not None and report.index.chunks_added >= 1
    assert report.index.chunks_removed == report.index.chunks_added
    new_ids = kb.store.ids_for_scope(0, "reading-circle")
    assert new_ids != old_ids and kb.store.count() == count
    results = await kb.search("reading circle for exoplanet papers", k=1, mode=SearchMode.BM25)
    assert results[0].note_id == "reading-circle" and "exoplanet" in results[0].snippet
    note = kb.get_note("reading-circle")
    assert note is not None and "exoplanet" in note.body and "quasar papers" not in note.body

    same = await kb.add_notes([changed])
    assert same.unchanged == ["reading-circle"] and same.index is not None
    assert (same.index.chunks_added, same.index.chunks_removed) == (0, 0)


async def test_replace_makes_the_given_notes_the_whole_library(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    await kb.ingest()
    await kb.add_notes([write(tmp_path / "a", "earlier.md", CIRCLE.format(topic="quasar"))])
    # An id of a shipped note is fine here: the shipped notes leave the library.
    sunk_cost = (kb.notes_dirs[0] / "sunk-cost.md").read_text(encoding="utf-8")
    own = write(tmp_path / "mine", "sunk-cost.md", sunk_cost.replace("Sunk Cost", "Our Sunk Cost"))

    report = await kb.add_notes([own.parent], replace=True)

    assert report.ok and report.index is not None
    assert report.index.notes == 1 and report.index.chunks_removed > 0
    assert [n.title for n in kb.list_notes()] == ["Our Sunk Cost Check"]
    assert kb.get_note("spaced-repetition") is None and kb.get_note("reading-circle") is None
    assert "spaced-repetition" not in await top_ids(kb, "remember vocabulary flashcards", k=5)
    assert await top_ids(kb, "sunk cost of a failing project") == ["sunk-cost"]
    assert kb.added_notes_dir is not None
    assert sorted(p.name for p in kb.added_notes_dir.iterdir()) == [
        REPLACED_MARKER,
        "sunk-cost.md",
    ]
    assert len(kb.store.ids_for_scope(0)) == report.index.chunks_unchanged + (
        report.index.chunks_added
    )

    restarted = reopen(kb)
    try:
        again = await restarted.ensure_index()
        assert (again.notes, again.chunks_added, again.chunks_removed) == (1, 0, 0)
    finally:
        restarted.close()

    # The way back, as the marker file says: delete it and re-index (the own copy of
    # sunk-cost goes too, or the shipped one would shadow it and the ingest say so).
    (kb.added_notes_dir / REPLACED_MARKER).unlink()
    (kb.added_notes_dir / "sunk-cost.md").unlink()
    back = await kb.ingest()
    assert back.ok and back.notes == 4
    assert (await top_ids(kb, "how can I remember vocabulary for months"))[0] == (
        "spaced-repetition"
    )


async def test_a_batch_with_a_bad_note_changes_nothing(kb: KnowledgeBase, tmp_path: Path) -> None:
    await kb.ingest()
    count = kb.store.count()
    incoming = tmp_path / "incoming"
    good = write(incoming, "circle.md", CIRCLE.format(topic="quasar"))
    bad_kind = write(
        incoming, "bad.md", CIRCLE.format(topic="x").replace("kind: pattern", "kind: trick")
    )
    clash = write(
        incoming,
        "clash.md",
        (kb.notes_dirs[0] / "sunk-cost.md").read_text(encoding="utf-8"),
    )
    huge = write(tmp_path / "big", "huge.md", "x" * (MAX_NOTE_BYTES + 1))
    missing = tmp_path / "nowhere.md"

    report = await kb.add_notes([incoming, huge, missing])

    assert not report.ok and report.index is None
    assert (report.added, report.updated, report.unchanged) == ([], [], [])
    problems = [str(p) for p in report.problems]
    # Every bad note is named, with its file and field, in one go.
    assert problems == [
        f"{missing}: no such file or directory",
        f"{bad_kind}: kind: must be one of technique, principle, exercise, pattern (got 'trick')",
        f"{clash}: id: 'sunk-cost' is already the id of a shipped note "
        f"({kb.notes_dirs[0] / 'sunk-cost.md'}); give this note another id",
        f"{huge}: the note is larger than {MAX_NOTE_BYTES} bytes",
    ]
    # The good note of the batch was not added either: nothing is half-written.
    assert kb.store.count() == count
    assert kb.added_notes_dir is not None and not kb.added_notes_dir.exists()
    assert kb.get_note("reading-circle") is None
    assert "reading-circle" not in await top_ids(kb, CIRCLE_QUERY, k=5)

    also_refused = await kb.add_notes([good, bad_kind], replace=True)
    assert also_refused.index is None and kb.store.count() == count
    assert kb.get_note("spaced-repetition") is not None


async def test_one_id_twice_in_a_batch_and_an_empty_directory_are_refused(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    first = write(tmp_path / "one", "circle.md", CIRCLE.format(topic="quasar"))
    second = write(tmp_path / "two", "circle-copy.md", CIRCLE.format(topic="pulsar"))
    (tmp_path / "empty").mkdir()

    report = await kb.add_notes([first, second, tmp_path / "empty"])

    assert [str(p) for p in report.problems] == [
        f"{tmp_path / 'empty'}: no .md notes in this directory",
        f"{second}: id: 'reading-circle' is also the id of {first}",
    ]
    assert report.index is None
