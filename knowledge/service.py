"""The knowledge base as the rest of Touchstone sees it: one object, async methods.

:class:`KnowledgeBase` owns the notes in memory, the vector store and the hybrid
retriever, and keeps them consistent: ingesting compares content hashes with what
the store already holds, so only new or changed chunks are embedded and chunks of
removed notes are deleted. The notes are the shipped ones plus those added with
``touchstone ingest PATH`` (see :mod:`knowledge.library`). Every blocking step
(reading files, embedding, chromadb) runs in a worker thread so the bot's event loop
never stalls.

Server-specific notes are persisted by the bot layer; it hands them to
:meth:`KnowledgeBase.add_guild_note` on start and whenever they change, and they are
only ever retrieved for their own server.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.answer import Answer, compose_answer
from knowledge.chunking import Chunk, chunk_note
from knowledge.corpus import Corpus
from knowledge.embeddings import MiniLMEmbeddings, release_freed_memory, shared_embeddings
from knowledge.library import library_dirs, read_incoming, save_notes
from knowledge.note import SHIPPED_NOTES_DIR, Note, NoteProblem, load_notes
from knowledge.retrieval import Retriever, SearchMode, SearchResult
from knowledge.static_vectors import shared_static_vectors
from knowledge.store import DEFAULT_COLLECTION, ChromaStore, StoreUnavailable

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

#: Vectors are computed and written in slices of this many chunks (progress granularity).
EMBED_SLICE = 64


@dataclass(frozen=True)
class IngestReport:
    """What an ingest did. ``chunks_added`` is also the number of chunks embedded."""

    notes: int
    chunks_added: int
    chunks_unchanged: int
    chunks_removed: int
    problems: list[NoteProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class AddNotesReport:
    """What adding notes did: the ids saved, and the re-index of the library that followed.

    A batch is taken whole or not at all: with ``problems`` nothing was saved or
    indexed (``index`` is None), so a typo in one note never leaves the library
    half-updated.
    """

    added: list[str]
    updated: list[str]
    unchanged: list[str]
    problems: list[NoteProblem]
    index: IngestReport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and (self.index is None or self.index.ok)


def _as_tags(tags: Sequence[str] | str | None) -> list[str] | None:
    if tags is None:
        return None
    items = [tags] if isinstance(tags, str) else list(tags)
    cleaned = [t.strip().lower() for t in items if t.strip()]
    return cleaned or None


class KnowledgeBase:
    """Notes, their index, search and cited answers.

    Give it a local chroma directory (``chroma_path``) or a chroma server
    (``chroma_url``), the directories holding shipped notes (by default the notes
    that come with Touchstone) and, to let :meth:`add_notes` work, the directory
    where added notes are kept (``added_notes_dir``), read with the shipped ones.
    """

    def __init__(
        self,
        chroma_path: Path | None = None,
        *,
        chroma_url: str | None = None,
        notes_dirs: Sequence[Path] | None = None,
        added_notes_dir: Path | None = None,
        collection: str = DEFAULT_COLLECTION,
        embeddings: MiniLMEmbeddings | None = None,
    ) -> None:
        self.embeddings = embeddings or shared_embeddings()
        self.store = ChromaStore(
            chroma_path, url=chroma_url, collection=collection, embeddings=self.embeddings
        )
        self.notes_dirs: list[Path] = list(notes_dirs or [SHIPPED_NOTES_DIR])
        self.added_notes_dir = added_notes_dir
        self.retriever = Retriever(self.store, self.embeddings)
        self._shipped: dict[str, Note] = {}
        self._guild_notes: dict[int, dict[str, Note]] = {}
        self._chunks: dict[tuple[int, str], list[Chunk]] = {}
        self._loaded = False
        self._last_report: IngestReport | None = None
        self._dirty = True
        self._corpus_lock = threading.Lock()
        self._write_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    @classmethod
    def from_settings(
        cls, settings: Settings, *, notes_dirs: Sequence[Path] | None = None
    ) -> KnowledgeBase:
        """The knowledge base configured by ``TOUCHSTONE_CHROMA_URL`` / ``_CHROMA_PATH``.

        Every process built from the same settings reads the same added notes, so the
        bot's start-up keeps what ``touchstone ingest PATH`` added.
        """
        added = settings.resolved_notes_dir
        if settings.chroma_url is not None:
            return cls(
                chroma_url=str(settings.chroma_url), notes_dirs=notes_dirs, added_notes_dir=added
            )
        return cls(settings.resolved_chroma_path, notes_dirs=notes_dirs, added_notes_dir=added)

    def _write_lock(self) -> asyncio.Lock:
        """One writer at a time per event loop (the CLI and tests may use several loops).

        Writers in different loops (threads) are still serialised by chromadb itself and
        by the corpus lock; this lock keeps concurrent ingests in one loop from
        embedding the same chunks twice.
        """
        loop = asyncio.get_running_loop()
        lock = self._write_locks.get(loop)
        if lock is None:
            lock = self._write_locks[loop] = asyncio.Lock()
        return lock

    # -- indexing ---------------------------------------------------------------

    def library_dirs(self) -> list[Path]:
        """The directories the library is read from now (they change with add_notes)."""
        return library_dirs(self.notes_dirs, self.added_notes_dir)

    async def ensure_index(self) -> IngestReport:
        """Make sure the shipped notes are loaded and indexed; ingest when missing or stale.

        Stale means the stored chunk hashes differ from the notes on disk. Cheap when
        nothing changed: hashes are compared, nothing is embedded.
        """
        if self._loaded and self._last_report is not None:
            return self._last_report
        return await self.ingest()

    async def ingest(
        self, paths: Sequence[Path] | None = None, *, progress: bool = False
    ) -> IngestReport:
        """(Re)index the library: the shipped notes from ``paths`` (default: this base's
        notes dirs) and the added notes.

        Unchanged chunks are kept, changed and new ones embedded, and chunks of notes
        that are gone are deleted. Bad notes are skipped and listed in the report.
        """
        async with self._write_lock():
            if paths is not None:
                self.notes_dirs = list(paths)
            report = await asyncio.to_thread(
                lambda: self._ingest_sync(self.library_dirs(), progress)
            )
            self._last_report = report
            return report

    async def add_notes(
        self, paths: Sequence[Path], *, replace: bool = False, progress: bool = False
    ) -> AddNotesReport:
        """Add or update the notes in ``paths`` (files or directories) and index them.

        The notes are validated as ``/knowledge add`` validates a server's note, saved
        in ``added_notes_dir`` under their ids (a note with a stored id replaces it), and
        the library is re-indexed, so the rest of it stays and the next start keeps
        them. ``replace`` makes the given notes the whole library instead. With any
        problem nothing is saved or indexed.
        """
        if self.added_notes_dir is None:
            raise ValueError("this knowledge base has no directory for added notes")
        if not paths:
            raise ValueError("no notes given (re-indexing the library is ingest())")
        async with self._write_lock():
            report = await asyncio.to_thread(self._add_notes_sync, list(paths), replace, progress)
            if report.index is not None:
                self._last_report = report.index
            return report

    def _add_notes_sync(self, paths: list[Path], replace: bool, progress: bool) -> AddNotesReport:
        assert self.added_notes_dir is not None
        # The notes an added one may not shadow: the shipped ones, unless replaced.
        others = [d for d in self.library_dirs() if d != self.added_notes_dir]
        shipped = [] if replace else load_notes(others)[0]
        incoming, problems = read_incoming(paths, shipped)
        if problems:
            return AddNotesReport([], [], [], problems)
        saved = save_notes(self.added_notes_dir, incoming, replace=replace)
        index = self._ingest_sync(self.library_dirs(), progress)
        return AddNotesReport(saved.added, saved.updated, saved.unchanged, [], index)

    def _ingest_sync(self, paths: list[Path], progress: bool) -> IngestReport:
        notes, problems = load_notes(paths)
        wanted: dict[str, Chunk] = {}
        chunks_by_note: dict[tuple[int, str], list[Chunk]] = {}
        for note in notes:
            chunks = chunk_note(note)
            chunks_by_note[(0, note.id)] = chunks
            for chunk in chunks:
                wanted[chunk.id] = chunk
        stored = self.store.ids_for_scope(0)
        to_add = [chunk for chunk_id, chunk in wanted.items() if chunk_id not in stored]
        to_remove = sorted(stored - wanted.keys())
        if not notes and problems:
            # Every note failed: keep the old index rather than wiping it.
            to_remove = []
        self._embed_and_store(to_add, progress=progress)
        if to_remove:
            self.store.delete(0, to_remove)
        with self._corpus_lock:
            self._shipped = {note.id: note for note in notes}
            self._chunks = {k: v for k, v in self._chunks.items() if k[0] != 0}
            self._chunks.update(chunks_by_note)
            self._dirty = True
            self._loaded = True
        report = IngestReport(
            notes=len(notes),
            chunks_added=len(to_add),
            chunks_unchanged=len(wanted) - len(to_add),
            chunks_removed=len(to_remove),
            problems=problems,
        )
        log.info(
            "knowledge ingest: %d notes, %d chunks added, %d unchanged, %d removed, %d problems",
            report.notes,
            report.chunks_added,
            report.chunks_unchanged,
            report.chunks_removed,
            len(report.problems),
        )
        return report

    def _embed_and_store(self, chunks: list[Chunk], *, progress: bool) -> None:
        if not chunks:
            return
        from tqdm import tqdm

        show = progress and sys.stderr.isatty()
        with tqdm(
            total=len(chunks), desc="embedding", unit="chunk", disable=not show, file=sys.stderr
        ) as bar:
            for start in range(0, len(chunks), EMBED_SLICE):
                part = chunks[start : start + EMBED_SLICE]
                vectors = self.embeddings.embed_array([c.index_text for c in part])
                self.store.add(part, vectors)
                bar.update(len(part))

    async def add_guild_note(self, guild_id: int, note: Note) -> int:
        """Index a server's note (replacing an older version); returns chunks embedded."""
        if guild_id <= 0:
            raise ValueError("guild_id must be a positive Discord id")
        note = note.model_copy(update={"guild_id": guild_id})
        async with self._write_lock():
            return await asyncio.to_thread(self._add_guild_note_sync, guild_id, note)

    def _add_guild_note_sync(self, guild_id: int, note: Note) -> int:
        chunks = chunk_note(note)
        stored = self.store.ids_for_scope(guild_id, note.id)
        to_add = [chunk for chunk in chunks if chunk.id not in stored]
        stale = sorted(stored - {chunk.id for chunk in chunks})
        self._embed_and_store(to_add, progress=False)
        if stale:
            self.store.delete(guild_id, stale)
        with self._corpus_lock:
            self._guild_notes.setdefault(guild_id, {})[note.id] = note
            self._chunks[(guild_id, note.id)] = chunks
            self._dirty = True
        return len(to_add)

    async def remove_guild_note(self, guild_id: int, note_id: str) -> bool:
        """Unindex a server's note; True if it was known or stored."""
        async with self._write_lock():
            return await asyncio.to_thread(self._remove_guild_note_sync, guild_id, note_id)

    def _remove_guild_note_sync(self, guild_id: int, note_id: str) -> bool:
        stored = self.store.ids_for_scope(guild_id, note_id)
        if stored:
            self.store.delete(guild_id, sorted(stored))
        with self._corpus_lock:
            known = self._guild_notes.get(guild_id, {}).pop(note_id, None) is not None
            self._chunks.pop((guild_id, note_id), None)
            self._dirty = True
        return known or bool(stored)

    def _current_corpus(self) -> Corpus:
        """The in-memory corpus, rebuilt once after any change (not once per change)."""
        with self._corpus_lock:
            if self._dirty:
                notes: dict[tuple[int, str], Note] = {(0, n.id): n for n in self._shipped.values()}
                for guild_id, guild_notes in self._guild_notes.items():
                    notes.update({(guild_id, n.id): n for n in guild_notes.values()})
                chunks = [c for key in notes for c in self._chunks.get(key, [])]
                self.retriever.replace_corpus(Corpus(notes, chunks))
                self._dirty = False
            return self.retriever.corpus

    # -- reading ----------------------------------------------------------------

    async def search(
        self,
        query: str,
        k: int = 5,
        tags: Sequence[str] | str | None = None,
        kind: str | None = None,
        guild_id: int | None = None,
        *,
        mode: SearchMode = SearchMode.HYBRID,
    ) -> list[SearchResult]:
        """The ``k`` best notes for ``query``, one result per note.

        ``guild_id`` adds that server's notes to the shipped ones; ``tags`` keeps notes
        carrying any of the tags; ``kind`` keeps one kind.
        """
        if not self._loaded:
            await self.ensure_index()
        try:
            return await asyncio.to_thread(
                self._search_sync, query, k, _as_tags(tags), kind, guild_id, mode
            )
        except StoreUnavailable:
            raise
        except Exception as exc:
            # A vector-store server that went away raises its client's own errors; name
            # the real problem so adapters can say "the library is unreachable".
            if not await asyncio.to_thread(self.store.ping):
                raise StoreUnavailable(
                    f"the vector store at {self.store.describe()} is unreachable"
                ) from exc
            raise

    def _search_sync(
        self,
        query: str,
        k: int,
        tags: list[str] | None,
        kind: str | None,
        guild_id: int | None,
        mode: SearchMode,
    ) -> list[SearchResult]:
        self._current_corpus()
        return self.retriever.search(query, k, tags=tags, kind=kind, guild_id=guild_id, mode=mode)

    async def answer(
        self, question: str, k: int = 3, guild_id: int | None = None, *, gentle: bool = False
    ) -> Answer:
        """A short, cited reply to ``question`` built from the best ``k`` notes.

        ``gentle`` (the question is about self-worth or shame) leaves out notes that
        put the blame on the reader.
        """
        results = await self.search(question, k=k + 2 if gentle else k, guild_id=guild_id)
        if gentle:
            results = [r for r in results if not self._blame_framed(r)][:k]

        def note_for(result: SearchResult) -> Note | None:
            return self.get_note(result.note_id, guild_id=result.guild_id)

        titles = {note.id: note.title for note in self.list_notes(guild_id=guild_id)}
        # Composing ranks the note's sentences by meaning (static vectors, numpy): CPU
        # work that would hold up every other interaction if it ran on the event loop.
        return await asyncio.to_thread(compose_answer, question, results, note_for, titles=titles)

    def _blame_framed(self, result: SearchResult) -> bool:
        note = self.get_note(result.note_id, guild_id=result.guild_id)
        return note is not None and note.blame_framed

    def _shipped_notes(self) -> dict[str, Note]:
        """The shipped notes, read from disk on first use if nothing was ingested yet.

        Lets browsing (/techniques) work before the index is built; problems are
        reported by the ingest that follows.
        """
        if not self._loaded and not self._shipped:
            notes, _problems = load_notes(self.library_dirs())
            with self._corpus_lock:
                if not self._loaded and not self._shipped:
                    self._shipped = {note.id: note for note in notes}
        return self._shipped

    def get_note(self, note_id: str, guild_id: int | None = None) -> Note | None:
        """A note by id: the server's own note first, then the shipped one."""
        if guild_id:
            note = self._guild_notes.get(guild_id, {}).get(note_id)
            if note is not None:
                return note
        return self._shipped_notes().get(note_id)

    def list_notes(
        self, kind: str | None = None, tag: str | None = None, guild_id: int | None = None
    ) -> list[Note]:
        """Notes visible to a server (shipped + its own), optionally filtered, by title.

        Works before :meth:`ensure_index` too (the notes are then read from disk).
        """
        notes: dict[str, Note] = dict(self._shipped_notes())
        if guild_id:
            notes.update(self._guild_notes.get(guild_id, {}))
        wanted_tag = tag.strip().lower() if tag else None
        selected = [
            note
            for note in notes.values()
            if (kind is None or note.kind == kind)
            and (wanted_tag is None or wanted_tag in note.tags)
        ]
        return sorted(selected, key=lambda note: note.title.lower())

    @property
    def problems(self) -> list[NoteProblem]:
        """Problems found by the last ingest (bad notes that were skipped)."""
        return list(self._last_report.problems) if self._last_report else []

    def warm_up(self) -> None:
        """Load the embedding model and the static sentence vectors now (blocking).

        Both are otherwise loaded by the first question that needs them, on whichever
        thread gets there first, while a burst of interactions waits behind it.
        """
        self.embeddings.warm_up()
        shared_static_vectors()
        if self._loaded:
            self._current_corpus()  # BM25, spelling and phrasing matrix, built once now
        release_freed_memory()  # the table is decompressed and converted through copies

    async def check(self) -> bool:
        """True when the vector store is reachable."""
        return await asyncio.to_thread(self.store.ping)

    def close(self) -> None:
        self.store.close()
