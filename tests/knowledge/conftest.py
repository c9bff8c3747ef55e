"""Fixtures for the knowledge tests: real chromadb in temporary directories, real embeddings.

Indexing costs a few seconds of embedding, so modules share one ingested index
(module-scoped) and tests that change the index build their own small one.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.service import KnowledgeBase

FIXTURE_NOTES = Path(__file__).parent / "fixtures" / "notes"


def copy_fixture_notes(target: Path) -> Path:
    """A writable copy of the fixture notes (tests edit and delete notes in it)."""
    shutil.copytree(FIXTURE_NOTES, target)
    return target


@pytest.fixture(scope="module")
def fixture_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """A knowledge base with the fixture notes ingested, shared by one test module.

    Tests using it must not change it (use ``fresh_kb`` for that).
    """
    root = tmp_path_factory.mktemp("kb")
    kb = KnowledgeBase(root / "chroma", notes_dirs=[copy_fixture_notes(root / "notes")])
    report = asyncio.run(kb.ingest())
    assert report.problems == []
    yield kb
    kb.close()


@pytest.fixture
def fresh_kb(tmp_path: Path) -> Iterator[KnowledgeBase]:
    """An empty knowledge base over a writable copy of the fixture notes."""
    kb = KnowledgeBase(tmp_path / "chroma", notes_dirs=[copy_fixture_notes(tmp_path / "notes")])
    yield kb
    kb.close()
