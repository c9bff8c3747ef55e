"""Chunking, the BM25 tokenizer and index, and the embedding model."""

from __future__ import annotations

import asyncio

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import InMemoryVectorStore
from rank_bm25 import BM25Okapi

from knowledge.bm25 import BM25Index, tokenize
from knowledge.chunking import MAX_CHUNK_CHARS, STEPS_HEADING, SUMMARY_HEADING, chunk_note
from knowledge.embeddings import DIMENSIONS, MiniLMEmbeddings, shared_embeddings
from knowledge.langchain_embeddings import as_langchain
from knowledge.note import load_notes
from tests.knowledge.conftest import FIXTURE_NOTES


def fixture_note(note_id: str):  # type: ignore[no-untyped-def]
    notes, _ = load_notes([FIXTURE_NOTES])
    return next(note for note in notes if note.id == note_id)


def test_chunks_follow_headings_and_include_front_matter() -> None:
    note = fixture_note("goal-factoring")
    chunks = chunk_note(note)
    headings = [chunk.heading for chunk in chunks]
    assert headings == [
        SUMMARY_HEADING,
        STEPS_HEADING,
        "What it is",
        "Why it works",
        "Common mistakes",
    ]
    summary = chunks[0]
    assert note.summary in summary.text and note.five_minute_version in summary.text
    for chunk in chunks:
        assert chunk.note_id == "goal-factoring" and chunk.title == "Goal Factoring"
        assert chunk.kind == "technique" and chunk.tags == ("motivation", "planning")
        assert chunk.guild_id == 0
        assert not chunk.text.startswith("#")
    assert len({chunk.id for chunk in chunks}) == len(chunks)


def test_long_sections_are_capped() -> None:
    note = fixture_note("sunk-cost")
    long_body = "## Long\n\n" + " ".join(f"Sentence number {i} is here." for i in range(400))
    chunks = chunk_note(note.model_copy(update={"body": long_body}))
    long_chunks = [chunk for chunk in chunks if chunk.heading == "Long"]
    assert len(long_chunks) > 5
    assert all(len(chunk.text) <= MAX_CHUNK_CHARS for chunk in chunks)


def test_chunk_ids_are_content_hashes() -> None:
    note = fixture_note("sunk-cost")
    first = [chunk.id for chunk in chunk_note(note)]
    assert first == [chunk.id for chunk in chunk_note(note)]
    edited = note.model_copy(update={"body": note.body.replace("Imagine", "Picture")})
    changed = [chunk.id for chunk in chunk_note(edited)]
    assert len(set(first) - set(changed)) == 1  # only the edited section
    for_guild = [chunk.id for chunk in chunk_note(note.model_copy(update={"guild_id": 5}))]
    assert not set(first) & set(for_guild)


def test_tokenizer_stems_and_drops_stopwords() -> None:
    assert tokenize("I keep procrastinating on my Notes") == ["keep", "procrastinat", "note"]
    assert tokenize("procrastination") == tokenize("procrastinate")
    assert tokenize("the and of") == []
    assert tokenize("planning plans planned") == ["plan", "plan", "plan"]


def test_bm25_index_matches_rank_bm25() -> None:
    texts = [
        chunk.index_text for note in load_notes([FIXTURE_NOTES])[0] for chunk in chunk_note(note)
    ]
    docs = [tokenize(text) for text in texts]
    for query in ("remember vocabulary", "goals habit", "sunk cost project", "zzz unknown"):
        tokens = tokenize(query)
        expected = BM25Okapi(docs).get_scores(tokens)
        assert np.allclose(BM25Index(docs).scores(tokens), expected, atol=1e-4)


def test_embeddings_are_unit_vectors_and_semantic() -> None:
    embedder = shared_embeddings()
    vectors = embedder.embed_array(
        [
            "How do I stop procrastinating?",
            "I keep putting off my work.",
            "The recipe needs two eggs.",
        ]
    )
    assert vectors.shape == (3, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    # Batching and ordering do not change the vectors.
    single = np.array(embedder.embed_query("I keep putting off my work."))
    assert np.allclose(single, vectors[1], atol=1e-4)
    assert embedder.embed_array([]).shape == (0, DIMENSIONS)


def test_long_text_is_truncated_not_an_error() -> None:
    vector = MiniLMEmbeddings(threads=1).embed_query("word " * 2000)
    assert len(vector) == DIMENSIONS


async def test_async_embedding_leaves_the_event_loop_free() -> None:
    embedder = shared_embeddings()
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    vectors = await embedder.aembed_documents(
        [f"sentence number {i} about habits" for i in range(64)]
    )
    done.set()
    await task
    assert len(vectors) == 64
    assert ticks > 10  # the loop kept running other work while the model ran


async def test_the_embedder_works_inside_a_langchain_vector_store() -> None:
    """Anyone building on langchain can use the offline model in its components."""
    store = InMemoryVectorStore(embedding=as_langchain())
    await store.aadd_texts(
        ["Break the task into a five-minute first step.", "Whisk two eggs with the flour."]
    )
    (best,) = await store.asimilarity_search("I keep putting off my thesis", k=1)
    assert best.page_content.startswith("Break the task")
    assert isinstance(as_langchain(), Embeddings)
