"""Hybrid retrieval: BM25 and vector similarity, fused by reciprocal rank, one hit per note.

Keyword search finds exact terms ("pomodoro", "sunk cost") that embeddings blur;
embeddings find paraphrases ("I keep putting things off") that share no word with the
note. Reciprocal rank fusion combines the two rankings without having to calibrate
BM25 scores against cosine similarities. Results are then grouped by note, because
a user wants a technique, not three fragments of the same page.

BM25-only and vector-only modes exist so their quality can be measured against the
hybrid in the same run (see ``tests/knowledge/test_hit_at_3.py`` and the benchmark).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge.bm25 import tokenize
from knowledge.chunking import Chunk
from knowledge.corpus import Corpus
from knowledge.embeddings import MiniLMEmbeddings
from knowledge.note import Note
from knowledge.ranking import NoteEvidence, RankerWeights, feature_rows, shipped_weights
from knowledge.store import ChromaStore, VectorHit, build_where

#: The usual RRF constant: damps the gap between rank 1 and rank 2 of a single list.
RRF_K = 60
#: How many candidates each ranking contributes before fusion.
MIN_CANDIDATES = 40
#: Notes whose phrasings come closest to a question are candidates even when neither
#: ranking reached them.
PHRASING_CANDIDATES = 10
SNIPPET_CHARS = 320


class SearchMode(StrEnum):
    HYBRID = "hybrid"
    BM25 = "bm25"
    VECTOR = "vector"


@dataclass(frozen=True)
class SearchResult:
    """One note found for a query, with its best-matching passage.

    ``score`` is the fused rank score (only comparable within one query);
    ``similarity`` is the cosine similarity of the best chunk to the query
    (0 when the vector ranking did not see this note), usable as an absolute
    relevance signal.
    """

    note_id: str
    title: str
    tags: list[str]
    kind: str
    source: dict[str, Any]
    score: float
    snippet: str
    similarity: float = 0.0
    heading: str = ""
    guild_id: int | None = None
    #: How likely this note answers the question (0-1), from the ranker; comparable
    #: across questions, which is what abstention needs.
    confidence: float = 0.0
    #: How likely the question has an answer in the library at all (same for every
    #: result of one search); what decides whether to decline.
    answerable: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.note_id,
            "title": self.title,
            "tags": self.tags,
            "kind": self.kind,
            "source": self.source,
            "score": round(self.score, 6),
            "similarity": round(self.similarity, 4),
            "confidence": round(self.confidence, 4),
            "answerable": round(self.answerable, 4),
            "snippet": self.snippet,
        }


def make_snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The chunk's text, cut at a sentence (or word) boundary near ``limit``."""
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    sentence_end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    if sentence_end >= limit // 2:
        return cut[: sentence_end + 1]
    return cut[: cut.rfind(" ")].rstrip(",;:") + " …"


@dataclass
class Rankings:
    """What one query found: each ranking's (chunk index, score) pairs, and its vector."""

    bm25: list[tuple[int, float]] = field(default_factory=list)
    vector: list[tuple[int, float]] = field(default_factory=list)
    query_vector: npt.NDArray[np.float32] | None = None
    #: (chunk index, cosine) of every visible phrasing held in memory.
    phrasings: list[tuple[int, float]] = field(default_factory=list)


class Retriever:
    """Searches a :class:`Corpus` with BM25, the vector store, or both fused."""

    def __init__(self, store: ChromaStore, embeddings: MiniLMEmbeddings) -> None:
        self.store = store
        self.embeddings = embeddings
        self.corpus = Corpus({}, [])

    def replace_corpus(self, corpus: Corpus) -> None:
        """Swap in a new corpus, with its phrasings' vectors read from the store first."""
        by_scope: dict[int, list[str]] = {}
        for chunk in corpus.chunks:
            if chunk.is_phrasing:
                by_scope.setdefault(chunk.guild_id, []).append(chunk.id)
        vectors: dict[str, npt.NDArray[np.float32]] = {}
        for scope, ids in by_scope.items():
            vectors.update(self.store.vectors(scope, ids))
        corpus.hold_phrasing_vectors(vectors)
        self.corpus = corpus  # an atomic swap; readers keep the corpus they started with

    def bm25_ranking(
        self, corpus: Corpus, query: str, mask: npt.NDArray[np.bool_], n: int
    ) -> list[tuple[int, float]]:
        """(chunk index, BM25 score) of the best ``n`` visible chunks with any matching term."""
        if not corpus.chunks:
            return []
        scores = corpus.bm25.scores(tokenize(query))
        scores[~mask] = 0.0
        positive = int(np.count_nonzero(scores > 0))
        if positive == 0:
            return []
        n = min(n, positive)
        top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def vector_ranking(
        self,
        corpus: Corpus,
        vector: npt.NDArray[np.float32],
        n: int,
        guild_id: int | None,
        kind: str | None,
        tags: Sequence[str] | None,
    ) -> list[tuple[int, float]]:
        """(chunk index, cosine similarity) of the nearest ``n`` visible chunks.

        Queries the shipped collection and, when it has notes, the server's own, and
        merges them by similarity. Kind and tag filters are applied here, on an
        over-fetched unfiltered result, because chromadb's filtered search is slow;
        only when too few candidates survive is the filtered search used.
        """
        if not corpus.chunks:
            return []
        scopes = [0]
        if guild_id and corpus.has_scope(int(guild_id)):
            scopes.append(int(guild_id))
        filtered = bool(kind or tags)
        mask = corpus.mask(guild_id, kind, tags) if filtered else None
        ranked: list[tuple[int, float]] = []
        for scope in scopes:
            size = corpus.scope_size(scope)
            fetch = min(size, n * 4 if filtered else n)
            if fetch <= 0:
                continue
            kept = self._hits(corpus, self.store.query(vector, fetch, scope=scope), mask)
            if filtered and len(kept) < n and fetch < size:
                where = build_where(kind=kind, tags=tags)
                kept = self._hits(
                    corpus, self.store.query(vector, n, scope=scope, where=where), mask
                )
            ranked.extend(kept)
        ranked.sort(key=lambda pair: -pair[1])
        return ranked[:n]

    @staticmethod
    def _hits(
        corpus: Corpus, hits: list[VectorHit], mask: npt.NDArray[np.bool_] | None
    ) -> list[tuple[int, float]]:
        kept: list[tuple[int, float]] = []
        for hit in hits:
            index = corpus.index_of.get(hit.chunk_id)
            # Unknown ids are chunks stored by another process but not loaded here.
            if index is not None and (mask is None or mask[index]):
                kept.append((index, hit.similarity))
        return kept

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        tags: Sequence[str] | None = None,
        kind: str | None = None,
        guild_id: int | None = None,
        mode: SearchMode = SearchMode.HYBRID,
        query_vector: npt.NDArray[np.float32] | None = None,
    ) -> list[SearchResult]:
        """The best ``k`` notes for ``query`` within the filters (blocking).

        Misspelt words are mended first (towards the library's own words), so both
        rankings see the word the member meant.
        """
        corpus = self.corpus
        if k <= 0:
            return []
        found = self.rankings(
            query,
            max(MIN_CANDIDATES, k * 8),
            tags=tags,
            kind=kind,
            guild_id=guild_id,
            mode=mode,
            query_vector=query_vector,
        )
        ranker = shipped_weights() if mode is SearchMode.HYBRID else None
        return self._fuse(corpus, found, k, ranker)

    def rankings(
        self,
        query: str,
        n: int,
        *,
        tags: Sequence[str] | None = None,
        kind: str | None = None,
        guild_id: int | None = None,
        mode: SearchMode = SearchMode.HYBRID,
        query_vector: npt.NDArray[np.float32] | None = None,
    ) -> Rankings:
        """The BM25 and vector chunk rankings (top ``n`` each) for the mended query."""
        corpus = self.corpus
        query = corpus.speller.correct(query.strip())
        found = Rankings()
        if not query or not corpus.chunks:
            return found
        if mode in (SearchMode.HYBRID, SearchMode.BM25):
            found.bm25 = self.bm25_ranking(corpus, query, corpus.mask(guild_id, kind, tags), n)
        if mode in (SearchMode.HYBRID, SearchMode.VECTOR):
            found.query_vector = (
                query_vector
                if query_vector is not None
                else self.embeddings.embed_array([query])[0]
            )
            found.vector = self.vector_ranking(corpus, found.query_vector, n, guild_id, kind, tags)
            found.phrasings = self.phrasing_similarities(
                corpus, found.query_vector, corpus.mask(guild_id, kind, tags)
            )
        return found

    @staticmethod
    def phrasing_similarities(
        corpus: Corpus, vector: npt.NDArray[np.float32], mask: npt.NDArray[np.bool_]
    ) -> list[tuple[int, float]]:
        """(chunk index, cosine) of every visible phrasing: one small matrix product."""
        if not len(corpus.phrasing_rows):
            return []
        visible = mask[corpus.phrasing_rows]
        scores = corpus.phrasing_matrix[visible] @ vector
        return [
            (int(row), float(score))
            for row, score in zip(corpus.phrasing_rows[visible], scores, strict=True)
        ]

    def evidence(self, query: str, n: int = MIN_CANDIDATES) -> dict[tuple[int, str], NoteEvidence]:
        """Every candidate note's evidence for ``query`` (what the ranker is trained on)."""
        return self.note_evidence(self.corpus, self.rankings(query, n))[0]

    @staticmethod
    def add_phrasings(
        corpus: Corpus, found: Rankings, evidence: dict[tuple[int, str], NoteEvidence]
    ) -> None:
        """Exact phrasing similarities for every candidate, and the notes whose phrasings
        come closest join the candidates even when no ranking reached them."""
        by_note: dict[tuple[int, str], list[float]] = {}
        for index, score in found.phrasings:
            chunk = corpus.chunks[index]
            by_note.setdefault((chunk.guild_id, chunk.note_id), []).append(score)
        closest = sorted(by_note, key=lambda key: -max(by_note[key]))[:PHRASING_CANDIDATES]
        for key in {*closest, *(k for k in evidence if k in by_note)}:
            note = evidence.setdefault(key, NoteEvidence())
            for score in by_note[key]:
                note.add_similarity(score, phrasing=True)

    @classmethod
    def note_evidence(
        cls, corpus: Corpus, found: Rankings
    ) -> tuple[dict[tuple[int, str], NoteEvidence], dict[tuple[int, str], int]]:
        """Per note: what each ranking saw, and the chunk to quote from it.

        A note's rank in a list is the rank of its best chunk there, and it votes once
        per list (reciprocal rank fusion at note level): fusing chunk ranks would let a
        long note with many mediocre chunks outvote a short note with one excellent
        chunk. The passage shown is the note's best non-phrasing chunk, because a
        member's phrasing is evidence, not advice.
        """
        evidence: dict[tuple[int, str], NoteEvidence] = {}
        chunk_score: dict[int, float] = {}
        exact_phrasings = bool(found.phrasings)
        for ranking, is_vector in ((found.bm25, False), (found.vector, True)):
            seen: set[tuple[int, str]] = set()
            for chunk_rank, (index, score) in enumerate(ranking):
                chunk = corpus.chunks[index]
                key = (chunk.guild_id, chunk.note_id)
                note = evidence.setdefault(key, NoteEvidence())
                if is_vector and not (chunk.is_phrasing and exact_phrasings):
                    note.add_similarity(score, phrasing=chunk.is_phrasing)
                if not chunk.is_phrasing:
                    chunk_score[index] = chunk_score.get(index, 0.0) + 1.0 / (
                        RRF_K + chunk_rank + 1
                    )
                if key in seen:
                    continue
                note.rrf += 1.0 / (RRF_K + len(seen) + 1)
                if is_vector:
                    note.vector_rank = len(seen)
                else:
                    note.bm25 = score
                    note.bm25_rank = len(seen)
                seen.add(key)
        cls.add_phrasings(corpus, found, evidence)
        if found.vector:
            # A similarity the vector search did not reach is below its last hit, not 0.
            floor = min(score for _, score in found.vector)
            for key, note in evidence.items():
                note.fill_unseen(floor, has_phrasings=key in corpus.with_phrasings)
        best_chunk: dict[tuple[int, str], int] = {}
        for index, score in chunk_score.items():
            chunk = corpus.chunks[index]
            key = (chunk.guild_id, chunk.note_id)
            if key not in best_chunk or score > chunk_score[best_chunk[key]]:
                best_chunk[key] = index
        return evidence, best_chunk

    @classmethod
    def _fuse(
        cls,
        corpus: Corpus,
        found: Rankings,
        k: int,
        ranker: RankerWeights | None,
    ) -> list[SearchResult]:
        """Notes ordered by the ranker's confidence, or by fused rank without one."""
        evidence, best_chunk = cls.note_evidence(corpus, found)
        keys = list(evidence)
        if ranker is not None:
            topicality = ranker.topicality(found.query_vector)
            for key in keys:
                evidence[key].hub = ranker.hubs.get(key[1], 0.0) if key[0] == 0 else 0.0
                evidence[key].topicality = topicality
            rows = feature_rows([evidence[key] for key in keys])
            confidence = {key: ranker.probability(row) for key, row in zip(keys, rows, strict=True)}
            answerable = ranker.answerability(list(confidence.values()), topicality)
        else:
            confidence = {key: evidence[key].cos_best for key in keys}
            answerable = max(confidence.values(), default=0.0)
        order = sorted(
            keys,
            key=lambda key: (-(confidence[key] if ranker else evidence[key].rrf), key[1]),
        )
        results: list[SearchResult] = []
        for key in order[:k]:
            # Only phrasings matched when there is no best chunk: show the note's summary.
            index = best_chunk.get(key, corpus.summary_chunk.get(key))
            chunk = corpus.chunks[index] if index is not None else None
            results.append(
                cls._result(
                    key, corpus.notes.get(key), chunk, evidence[key], confidence[key], answerable
                )
            )
        return results

    @staticmethod
    def _result(
        key: tuple[int, str],
        note: Note | None,
        chunk: Chunk | None,
        evidence: NoteEvidence,
        confidence: float,
        answerable: float,
    ) -> SearchResult:
        source: dict[str, Any] = note.source.model_dump(exclude_none=True) if note else {}
        return SearchResult(
            note_id=key[1],
            title=note.title if note else (chunk.title if chunk else key[1]),
            tags=list(note.tags) if note else [],
            kind=str(note.kind) if note else "",
            source=source,
            score=evidence.rrf,
            snippet=make_snippet(chunk.text) if chunk else "",
            similarity=max(0.0, evidence.cos_best),
            heading=chunk.heading if chunk else "",
            guild_id=key[0] or None,
            confidence=confidence,
            answerable=answerable,
        )
