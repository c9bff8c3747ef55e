"""The KnowledgeBase facade against a real chromadb directory and real embeddings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.answer import NOTHING_FOUND
from knowledge.chunking import chunk_note
from knowledge.note import load_notes
from knowledge.retrieval import SearchMode
from knowledge.service import KnowledgeBase
from tests.knowledge.conftest import FIXTURE_NOTES

GUILD_A = 111_111_111_111
GUILD_B = 222_222_222_222

GUILD_NOTE = """---
id: {id}
title: Server Reading Circle
kind: pattern
tags: [community, reading]
source: {{title: "Our server handbook", author: "The moderators", date: "2024"}}
summary: Each Sunday the server reads one paper together and posts a one-line takeaway in the reading-circle channel.
when_to_use: When you want company and accountability for reading papers on this server.
five_minute_version: Post the paper you are reading this week in the reading-circle channel with one question about it.
---
## What it is

A weekly reading circle for quasar astrophysics papers hosted by this server.
"""


def guild_note(note_id: str = "reading-circle"):  # type: ignore[no-untyped-def]
    from knowledge.note import parse_note

    return parse_note(GUILD_NOTE.format(id=note_id), f"{note_id}.md")


async def test_phrasings_never_take_a_place_in_the_vector_search(
    fresh_kb: KnowledgeBase,
) -> None:
    """A note's phrasings are kept apart from its passages: a question worded like a
    phrasing still finds the note, the passages the vector search returns are all real
    passages, and removing the note removes its phrasings too."""
    await fresh_kb.ingest()
    note = guild_note().model_copy(
        update={
            "phrasings": [
                "we never manage to finish the papers we pick, any ideas",
                "looking for people to read astro papers with every week",
            ]
        }
    )
    await fresh_kb.add_guild_note(GUILD_A, note)
    phrasing_ids = {
        c.id for c in chunk_note(note.model_copy(update={"guild_id": GUILD_A})) if c.is_phrasing
    }
    assert len(phrasing_ids) == 2
    assert phrasing_ids <= fresh_kb.store.ids_for_scope(GUILD_A)

    question = "we never finish the papers we pick for the group"
    vector = fresh_kb.embeddings.embed_array([question])[0]
    hits = fresh_kb.store.query(vector, 50, scope=GUILD_A)
    assert hits and not phrasing_ids & {hit.chunk_id for hit in hits}
    found = await fresh_kb.search(question, k=3, guild_id=GUILD_A)
    assert found[0].note_id == "reading-circle"

    assert await fresh_kb.remove_guild_note(GUILD_A, "reading-circle")
    assert not fresh_kb.store.ids_for_scope(GUILD_A)


# -- reading a shared index ---------------------------------------------------------


async def test_search_finds_the_obvious_note(fixture_kb: KnowledgeBase) -> None:
    results = await fixture_kb.search("how can I remember vocabulary for months", k=3)
    assert results[0].note_id == "spaced-repetition"
    top = results[0]
    assert top.title == "Spaced Repetition" and top.kind == "technique"
    assert top.tags == ["learning", "memory"]
    assert top.source["author"] == "Another Author"
    assert top.snippet and top.score > 0 and top.similarity > 0.3
    assert len({r.note_id for r in results}) == len(results)  # one result per note


@pytest.mark.parametrize("mode", list(SearchMode))
async def test_every_mode_returns_results(fixture_kb: KnowledgeBase, mode: SearchMode) -> None:
    results = await fixture_kb.search("sunk cost of a failing project", k=2, mode=mode)
    assert results and results[0].note_id == "sunk-cost"


async def test_tag_and_kind_filters(fixture_kb: KnowledgeBase) -> None:
    query = "how to remember what I read"
    by_tag = await fixture_kb.search(query, k=5, tags=["decisions"])
    assert [r.note_id for r in by_tag] == ["sunk-cost"]
    by_tags = await fixture_kb.search(query, k=5, tags=["focus", "decisions"])
    assert {r.note_id for r in by_tags} == {"sunk-cost", "pomodoro-sprint"}
    by_kind = await fixture_kb.search(query, k=5, kind="exercise")
    assert [r.note_id for r in by_kind] == ["pomodoro-sprint"]
    assert await fixture_kb.search(query, k=5, kind="pattern") == []
    assert await fixture_kb.search(query, k=5, tags="memory", kind="principle") == []


async def test_answer_cites_its_sources(fixture_kb: KnowledgeBase) -> None:
    answer = await fixture_kb.answer(
        "I can't get myself to start a big task, my phone distracts me"
    )
    assert answer.found
    assert answer.citations[0].note_id == answer.results[0].note_id == "pomodoro-sprint"
    cited = {c.note_id for c in answer.citations}
    assert cited <= {r.note_id for r in answer.results}
    numbers = [c.number for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    # Every citation number appears in the text, and every number in the text is a citation.
    in_text = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert in_text == set(numbers)
    assert "**Pomodoro Sprint** [1]" in answer.text
    assert "Five-minute version" in answer.text and "1. Choose one task." in answer.text
    assert (
        '[1] Pomodoro Sprint — Fourth Author, "Working in short sprints" (2020-05)' in answer.text
    )
    assert len(answer.text) <= 1900


async def test_answer_for_an_unrelated_question(fixture_kb: KnowledgeBase) -> None:
    answer = await fixture_kb.answer("What's the capital of Mongolia?")
    assert not answer.found
    assert answer.text == NOTHING_FOUND and "/techniques" in answer.text


async def test_get_and_list_notes(fixture_kb: KnowledgeBase) -> None:
    note = fixture_kb.get_note("goal-factoring")
    assert note is not None and note.title == "Goal Factoring"
    assert fixture_kb.get_note("nope") is None
    assert [n.id for n in fixture_kb.list_notes(kind="technique")] == [
        "goal-factoring",
        "spaced-repetition",
    ]
    assert [n.id for n in fixture_kb.list_notes(tag="focus")] == ["pomodoro-sprint"]
    assert len(fixture_kb.list_notes()) == 4


async def test_check_and_empty_queries(fixture_kb: KnowledgeBase) -> None:
    assert await fixture_kb.check()
    assert await fixture_kb.search("   ") == []
    assert await fixture_kb.search("anything", k=0) == []


# -- changing an index --------------------------------------------------------------


async def test_reingest_embeds_nothing(fresh_kb: KnowledgeBase) -> None:
    first = await fresh_kb.ingest()
    assert first.notes == 4 and first.chunks_added > 0 and first.chunks_unchanged == 0
    second = await fresh_kb.ingest()
    assert (second.chunks_added, second.chunks_removed) == (0, 0)
    assert second.chunks_unchanged == first.chunks_added
    # A new process over the same directory sees the index as current too.
    reopened = KnowledgeBase(
        fresh_kb.store.path,
        chroma_url=fresh_kb.store.url,
        collection=fresh_kb.store.collection_name,
        notes_dirs=fresh_kb.notes_dirs,
    )
    third = await reopened.ensure_index()
    assert third.chunks_added == 0 and third.chunks_unchanged == first.chunks_added
    assert (await reopened.search("flashcards", k=1))[0].note_id == "spaced-repetition"


async def test_changed_note_reembeds_only_its_changed_chunks(fresh_kb: KnowledgeBase) -> None:
    first = await fresh_kb.ingest()
    notes_dir = fresh_kb.notes_dirs[0]
    path = notes_dir / "sunk-cost.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Imagine a new person", "Picture a newcomer"),
        encoding="utf-8",
    )
    report = await fresh_kb.ingest()
    assert (report.chunks_added, report.chunks_removed) == (1, 1)
    assert report.chunks_unchanged == first.chunks_added - 1
    assert fresh_kb.store.count() == first.chunks_added
    results = await fresh_kb.search("picture a newcomer taking over", k=1, mode=SearchMode.BM25)
    assert results[0].note_id == "sunk-cost" and "newcomer" in results[0].snippet


async def test_removed_note_is_unindexed_and_bad_note_reported(fresh_kb: KnowledgeBase) -> None:
    first = await fresh_kb.ingest()
    notes_dir = fresh_kb.notes_dirs[0]
    pomodoro_ids = fresh_kb.store.ids_for_scope(0, "pomodoro-sprint")
    assert pomodoro_ids
    (notes_dir / "pomodoro-sprint.md").unlink()
    (notes_dir / "broken.md").write_text("---\nid: broken\n---\n", encoding="utf-8")
    report = await fresh_kb.ingest()
    assert report.notes == 3 and report.chunks_added == 0
    assert report.chunks_removed == len(pomodoro_ids)
    assert not report.ok
    assert all(str(p).startswith(str(notes_dir / "broken.md")) for p in report.problems)
    assert fresh_kb.store.ids_for_scope(0, "pomodoro-sprint") == set()
    assert fresh_kb.store.count() == first.chunks_added - len(pomodoro_ids)
    assert fresh_kb.get_note("pomodoro-sprint") is None
    results = await fresh_kb.search("25-minute timer phone distraction", k=5)
    assert "pomodoro-sprint" not in {r.note_id for r in results}


async def test_guild_notes_stay_in_their_guild(fresh_kb: KnowledgeBase) -> None:
    await fresh_kb.ingest()
    embedded = await fresh_kb.add_guild_note(GUILD_A, guild_note())
    assert embedded > 0
    query = "weekly reading circle for quasar astrophysics papers"
    for mode in SearchMode:
        in_a = await fresh_kb.search(query, k=5, guild_id=GUILD_A, mode=mode)
        assert in_a[0].note_id == "reading-circle" and in_a[0].guild_id == GUILD_A
        for other in (GUILD_B, None):
            elsewhere = await fresh_kb.search(query, k=5, guild_id=other, mode=mode)
            assert "reading-circle" not in {r.note_id for r in elsewhere}
    # Shipped notes are still visible to the guild.
    mixed = await fresh_kb.search("flashcards", k=5, guild_id=GUILD_A)
    assert mixed[0].note_id == "spaced-repetition"
    answer = await fresh_kb.answer("is there a reading circle for papers here?", guild_id=GUILD_A)
    assert answer.citations[0].note_id == "reading-circle"
    assert fresh_kb.get_note("reading-circle", guild_id=GUILD_A) is not None
    assert fresh_kb.get_note("reading-circle", guild_id=GUILD_B) is None
    assert fresh_kb.get_note("reading-circle") is None
    assert "reading-circle" in {n.id for n in fresh_kb.list_notes(guild_id=GUILD_A)}
    assert "reading-circle" not in {n.id for n in fresh_kb.list_notes(guild_id=GUILD_B)}

    # Re-adding the same note embeds nothing; a shipped re-ingest leaves guild notes alone.
    assert await fresh_kb.add_guild_note(GUILD_A, guild_note()) == 0
    report = await fresh_kb.ingest()
    assert report.chunks_removed == 0
    assert fresh_kb.store.ids_for_scope(GUILD_A)

    assert await fresh_kb.remove_guild_note(GUILD_A, "reading-circle")
    assert not fresh_kb.store.ids_for_scope(GUILD_A)
    after = await fresh_kb.search(query, k=5, guild_id=GUILD_A)
    assert "reading-circle" not in {r.note_id for r in after}
    assert not await fresh_kb.remove_guild_note(GUILD_A, "reading-circle")


async def test_guild_note_with_a_shipped_id_shadows_it_only_in_its_guild(
    fresh_kb: KnowledgeBase,
) -> None:
    await fresh_kb.ingest()
    await fresh_kb.add_guild_note(GUILD_A, guild_note("sunk-cost"))
    mine = fresh_kb.get_note("sunk-cost", guild_id=GUILD_A)
    shipped = fresh_kb.get_note("sunk-cost")
    assert mine is not None and mine.title == "Server Reading Circle"
    assert shipped is not None and shipped.title == "Sunk Cost Check"


async def test_ingest_of_only_broken_notes_keeps_the_index(
    fresh_kb: KnowledgeBase, tmp_path: Path
) -> None:
    first = await fresh_kb.ingest()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.md").write_text("nothing", encoding="utf-8")
    report = await fresh_kb.ingest([broken])
    assert report.notes == 0 and report.chunks_removed == 0 and report.problems
    assert fresh_kb.store.count() == first.chunks_added


def test_fixture_notes_are_valid() -> None:
    assert load_notes([FIXTURE_NOTES])[1] == []


def test_browsing_works_before_the_index_exists(tmp_path: Path) -> None:
    kb = KnowledgeBase(tmp_path / "chroma", notes_dirs=[FIXTURE_NOTES])
    assert [n.id for n in kb.list_notes(kind="principle")] == ["sunk-cost"]
    assert kb.get_note("goal-factoring") is not None
    assert not (tmp_path / "chroma").exists()  # nothing was indexed or opened
