"""Retrieval quality on the development questions: hit@3 for hybrid and both baselines.

``tests/data/ask_dev.yaml`` is a list of ``{question, expected: [note ids]}``; a hit is
any expected id among the top three notes. Hybrid must reach 0.9 and must not be worse
than BM25 alone or vectors alone, measured here on the same index, or fusion is not
earning its keep.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.answer import NOTHING_FOUND, Decision, first_sentences, opening
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


# -- how /ask decides (the shipped ranker on the shipped notes) ---------------------------

NOTE_ID_OR_SEED = r"\b(?:seed \d+|[a-z]+(?:-[a-z]+){1,5})\b"


async def test_off_topic_questions_are_declined_kindly(shipped_kb: KnowledgeBase) -> None:
    for question in (
        "what's the weather in Paris tomorrow",
        "how do I reset my router password",
        "recipe for chocolate cake",
    ):
        answer = await shipped_kb.answer(question)
        assert answer.abstained, (question, answer.text)
        assert answer.text == NOTHING_FOUND and "/techniques" in answer.text


async def test_a_situation_finds_its_note_without_naming_it(shipped_kb: KnowledgeBase) -> None:
    answer = await shipped_kb.answer(
        "two hours a day on twitter instead of reading and deleting the app never sticks"
    )
    assert not answer.abstained
    assert answer.decision in (Decision.ANSWER, Decision.HEDGE)
    assert 0.0 < answer.confidence <= 1.0


async def test_a_misspelt_word_is_mended_before_searching(shipped_kb: KnowledgeBase) -> None:
    clean = await shipped_kb.search("I keep procrastinating on my thesis chapter", k=3)
    typo = await shipped_kb.search("I keep procrastinatng on my thesis chaptr", k=3)
    assert [r.note_id for r in typo][:1] == [r.note_id for r in clean][:1]


async def test_answers_never_show_note_ids_or_seed_files(shipped_kb: KnowledgeBase) -> None:
    ids = {note.id for note in shipped_kb.list_notes() if "-" in note.id}
    for item in load_dev_set():
        answer = await shipped_kb.answer(item["question"])
        leaked = {m for m in re.findall(NOTE_ID_OR_SEED, answer.text) if m in ids}
        assert not leaked, (item["question"], leaked)
        assert not re.search(r"\bseed \d+", answer.text), item["question"]


async def test_self_worth_questions_never_get_a_blame_framed_note(
    shipped_kb: KnowledgeBase,
) -> None:
    question = (
        "everyone else in my lab seems wrong about everything and I'm the only one who sees it"
    )
    plain = await shipped_kb.search(question, k=5)
    assert "metacognitive-blindspots" in {r.note_id for r in plain}, "the case must be real"
    gentle = await shipped_kb.answer(question, gentle=True)
    assert "metacognitive-blindspots" not in {r.note_id for r in gentle.results}
    assert "Metacognitive Blind Spots" not in gentle.text


async def test_the_opening_is_the_notes_sentences_closest_to_the_question(
    shipped_kb: KnowledgeBase,
) -> None:
    note = shipped_kb.get_note("chestertons-fence")
    assert note is not None
    about_habits = opening("should I drop my habit of never checking email before noon", note)
    about_teams = opening("our team has a weird rule nobody remembers the reason for", note)
    first = first_sentences(note.summary, 1)
    assert about_habits.startswith(first) and about_teams.startswith(first)
    assert about_habits != about_teams, "each opening leads with what bears on the question"
    flat_body = " ".join(note.body.split())
    for text in (about_habits, about_teams):
        assert text.removeprefix(first).strip() in flat_body
