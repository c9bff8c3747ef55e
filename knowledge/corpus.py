"""The in-memory corpus the retriever searches: every indexed chunk, with its filters.

Split out of :mod:`knowledge.retrieval` so the data the searches run over (chunks,
BM25 index, guild/kind/tag masks, the phrasings' vectors) lives apart from the
ranking and fusion logic that reads it (and so ``knowledge/retrieval.py`` stays
under the 500-line module limit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from knowledge.bm25 import BM25Index, tokenize
from knowledge.chunking import Chunk, chunk_note
from knowledge.note import Note
from knowledge.spelling import SpellingCorrector


@dataclass
class Corpus:
    """The chunks of every indexed note in memory, with BM25 and filter arrays.

    Immutable once built: a change builds a new corpus and swaps it in, so searches
    running in other threads never see a half-updated index.
    """

    notes: dict[tuple[int, str], Note]
    chunks: list[Chunk]
    index_of: dict[str, int] = field(init=False)
    bm25: BM25Index = field(init=False)
    guilds: npt.NDArray[np.int64] = field(init=False)
    kinds: npt.NDArray[np.str_] = field(init=False)
    _tag_masks: dict[str, npt.NDArray[np.bool_]] = field(init=False)
    _scope_sizes: dict[int, int] = field(init=False)
    speller: SpellingCorrector = field(init=False)
    #: Notes that have members' phrasings (a server's own notes often have none).
    with_phrasings: frozenset[tuple[int, str]] = field(init=False)
    #: Chunk indexes of the phrasings whose vectors are held in memory, and the vectors:
    #: every phrasing is scored exactly against every question (a few hundred rows, one
    #: matrix product), so a large library's long chunks cannot crowd them out of the
    #: vector search's top results.
    #: Each note's first text chunk (its summary): the passage shown when only its
    #: phrasings matched.
    summary_chunk: dict[tuple[int, str], int] = field(init=False)
    phrasing_rows: npt.NDArray[np.int64] = field(init=False)
    phrasing_matrix: npt.NDArray[np.float32] = field(init=False)

    def __post_init__(self) -> None:
        self.index_of = {chunk.id: i for i, chunk in enumerate(self.chunks)}
        self.speller = SpellingCorrector(chunk.text for chunk in self.chunks)
        self.with_phrasings = frozenset(
            (chunk.guild_id, chunk.note_id) for chunk in self.chunks if chunk.is_phrasing
        )
        self.summary_chunk = {}
        for i, chunk in enumerate(self.chunks):
            if not chunk.is_phrasing:
                self.summary_chunk.setdefault((chunk.guild_id, chunk.note_id), i)
        self.phrasing_rows = np.zeros(0, dtype=np.int64)
        self.phrasing_matrix = np.zeros((0, 0), dtype=np.float32)

    def hold_phrasing_vectors(self, vectors: dict[str, npt.NDArray[np.float32]]) -> None:
        """Keep the phrasings' vectors in memory (before the corpus is swapped in)."""
        rows = [
            i for i, chunk in enumerate(self.chunks) if chunk.is_phrasing and chunk.id in vectors
        ]
        self.phrasing_rows = np.array(rows, dtype=np.int64)
        if rows:
            self.phrasing_matrix = np.stack([vectors[self.chunks[i].id] for i in rows])
        self.bm25 = BM25Index([tokenize(chunk.index_text) for chunk in self.chunks])
        self.guilds = np.array([c.guild_id for c in self.chunks], dtype=np.int64)
        self.kinds = np.array([c.kind for c in self.chunks], dtype=np.str_)
        tag_rows: dict[str, list[int]] = {}
        for i, chunk in enumerate(self.chunks):
            for tag in chunk.tags:
                tag_rows.setdefault(tag, []).append(i)
        self._tag_masks = {}
        self._scope_sizes = {}
        for chunk in self.chunks:
            if not chunk.is_phrasing:
                self._scope_sizes[chunk.guild_id] = self._scope_sizes.get(chunk.guild_id, 0) + 1
        for tag, rows in tag_rows.items():
            mask = np.zeros(len(self.chunks), dtype=np.bool_)
            mask[rows] = True
            self._tag_masks[tag] = mask

    @classmethod
    def from_notes(cls, notes: Sequence[Note], extra_chunks: Sequence[Chunk] = ()) -> Corpus:
        chunks = [chunk for note in notes for chunk in chunk_note(note)]
        chunks.extend(extra_chunks)
        return cls({(n.scope, n.id): n for n in notes}, chunks)

    def has_scope(self, scope: int) -> bool:
        return self.scope_size(scope) > 0

    def scope_size(self, scope: int) -> int:
        """How many passage chunks a scope (0 = shipped, else a server) has in memory.

        Phrasings are left out: they live in their own collection and are scored in
        memory, so they never take a place in the vector search's results.
        """
        sizes = self._scope_sizes
        return sizes.get(scope, 0)

    def mask(
        self, guild_id: int | None, kind: str | None, tags: Sequence[str] | None
    ) -> npt.NDArray[np.bool_]:
        visible: npt.NDArray[np.bool_] = self.guilds == 0
        if guild_id:
            visible |= self.guilds == int(guild_id)
        if kind:
            visible &= self.kinds == kind
        if tags:
            any_tag = np.zeros(len(self.chunks), dtype=np.bool_)
            for tag in tags:
                tag_mask = self._tag_masks.get(tag)
                if tag_mask is not None:
                    any_tag |= tag_mask
            visible &= any_tag
        return visible
