"""Retrieval quality on the development questions: hit@3 for hybrid and both baselines.

``tests/data/ask_dev.yaml`` is a list of ``{question, expected: [note ids]}``; a hit is
any expected id among the top three notes. Hybrid must reach 0.9 and must not be worse
than BM25 alone or vectors alone, measured here on the same index, or fusion is not
earning its keep.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.note import SHIPPED_NOTES_DIR
from knowledge.retrieval import SearchMode
from knowledge.service import KnowledgeBase

DEV_SET = Path(__file__).resolve().parents[1] / "data" / "ask_dev.yaml"


def load_dev_set() -> list[dict[str, Any]]:
    if not DEV_SET.exists():
        pytest.skip(f"{DEV_SET} does not exist yet (written with the notes)")
    items = yaml.safe_load(DEV_SET.read_text(encoding="utf-8")) or []
    assert isinstance(items, list) and items, f"{DEV_SET} must be a non-empty list"
    return items


@pytest.fixture(scope="module")
def shipped_kb(tmp_path_factory: pytest.TempPathFactory, open_kb: Any) -> Iterator[KnowledgeBase]:
    kb: KnowledgeBase = open_kb(tmp_path_factory.mktemp("hit3") / "chroma", [SHIPPED_NOTES_DIR])
    asyncio.run(kb.ingest())
    yield kb
    kb.close()


async def hit_at_3(
    kb: KnowledgeBase, items: list[dict[str, Any]], mode: SearchMode
) -> tuple[float, list[str]]:
    hits, misses = 0, []
    for item in items:
        results = await kb.search(item["question"], k=3, mode=mode)
        found = [r.note_id for r in results]
        if set(found) & set(item["expected"]):
            hits += 1
        else:
            misses.append(f"{item['question']!r}: expected {item['expected']}, got {found}")
    return hits / len(items), misses


async def test_hit_at_3(shipped_kb: KnowledgeBase) -> None:
    items = load_dev_set()
    known = {note.id for note in shipped_kb.list_notes()}
    unknown = sorted({i for item in items for i in item["expected"]} - known)
    assert not unknown, f"ask_dev.yaml expects notes that do not exist: {unknown}"
    scores: dict[SearchMode, float] = {}
    for mode in SearchMode:
        scores[mode], misses = await hit_at_3(shipped_kb, items, mode)
        print(f"\nhit@3 {mode.value}: {scores[mode]:.3f} ({len(items)} questions)")
        if mode is SearchMode.HYBRID:
            print("\n".join(f"  miss: {m}" for m in misses))
    assert scores[SearchMode.HYBRID] >= 0.9
    assert scores[SearchMode.HYBRID] >= scores[SearchMode.BM25]
    assert scores[SearchMode.HYBRID] >= scores[SearchMode.VECTOR]
