"""Retrieval against a real ``chroma run`` server, as a multi-process deployment uses it."""

from __future__ import annotations

from pathlib import Path

from knowledge.service import KnowledgeBase
from tests.knowledge.conftest import copy_fixture_notes, free_port


async def test_search_and_guild_filter_over_http(chroma_url: str, tmp_path: Path) -> None:
    from tests.knowledge.test_service import GUILD_A, GUILD_B, guild_note

    kb = KnowledgeBase(chroma_url=chroma_url, notes_dirs=[copy_fixture_notes(tmp_path / "notes")])
    assert await kb.check()
    first = await kb.ingest()
    assert first.chunks_added > 0
    results = await kb.search("how can I remember vocabulary for months", k=2)
    assert results[0].note_id == "spaced-repetition"

    await kb.add_guild_note(GUILD_A, guild_note())
    query = "weekly reading circle for quasar astrophysics papers"
    assert (await kb.search(query, k=3, guild_id=GUILD_A))[0].note_id == "reading-circle"
    assert "reading-circle" not in {
        r.note_id for r in await kb.search(query, k=5, guild_id=GUILD_B)
    }

    # A second client (another bot process) sees the same index: nothing to embed.
    other = KnowledgeBase(chroma_url=chroma_url, notes_dirs=kb.notes_dirs)
    report = await other.ensure_index()
    assert report.chunks_added == 0 and report.chunks_unchanged == first.chunks_added


async def test_unreachable_server_is_reported(tmp_path: Path) -> None:
    kb = KnowledgeBase(chroma_url=f"http://127.0.0.1:{free_port()}", notes_dirs=[tmp_path])
    assert not await kb.check()
