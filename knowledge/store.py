"""The vector index: a chromadb collection of chunk embeddings, local or on a server.

A local ``PersistentClient`` directory is the default; a configured chroma URL switches
to ``HttpClient`` so several bot processes can share one index. Touchstone always
computes embeddings itself and hands chromadb the vectors: chromadb's default
embedding function downloads a model from the internet, which must never happen.

Each scope has its own collection: shipped notes in one, each server's notes in
another. chromadb's local engine evaluates a metadata filter by scanning, which costs
~70 ms per query at 10,000 chunks against ~3 ms unfiltered; separate collections
keep the common query (shipped notes, or shipped + one server) filter-free.

Members' phrasings of each note sit in a second collection per scope. They are scored
exactly in memory against every question (see ``knowledge.retrieval``); kept among
the passages they filled most of the vector search's places, and a passage the
search did not reach looked as distant as the farthest one it did.

All methods block; :class:`knowledge.service.KnowledgeBase` calls them from worker
threads. chromadb is imported on first use because the import alone costs ~0.7 s.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt

from knowledge.chroma_import import import_chromadb
from knowledge.chunking import Chunk, tag_key
from knowledge.embeddings import MiniLMEmbeddings, chroma_embedding_function

DEFAULT_COLLECTION = "touchstone_knowledge"
#: chromadb caps one write; stay well under it so huge ingests go in slices.
WRITE_BATCH = 1000


class StoreUnavailable(RuntimeError):
    """The vector store cannot be opened or reached."""


@dataclass(frozen=True)
class VectorHit:
    chunk_id: str
    similarity: float


def build_where(
    *, kind: str | None = None, tags: Sequence[str] | None = None
) -> dict[str, Any] | None:
    """The chromadb filter for kind and tags (several tags: any of them), or None."""
    clauses: list[dict[str, Any]] = []
    if kind:
        clauses.append({"kind": kind})
    if tags:
        tag_clauses: list[dict[str, Any]] = [{tag_key(tag): True} for tag in tags]
        clauses.append(tag_clauses[0] if len(tag_clauses) == 1 else {"$or": tag_clauses})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class ChromaStore:
    """One chromadb collection holding Touchstone's chunk vectors (cosine space)."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        url: str | None = None,
        collection: str = DEFAULT_COLLECTION,
        embeddings: MiniLMEmbeddings | None = None,
    ) -> None:
        if path is None and url is None:
            raise ValueError("a chroma path or a chroma URL is required")
        self.path = path
        self.url = url
        self.collection_name = collection
        self._embeddings = embeddings
        self._lock = threading.Lock()
        self._client: Any = None
        self._collections: dict[tuple[int, bool], Any] = {}

    def describe(self) -> str:
        return self.url if self.url else str(self.path)

    def collection_for(self, scope: int, *, phrasings: bool = False) -> str:
        """Collection name of a scope: 0 is the shipped notes, otherwise a server's id."""
        name = self.collection_name if scope == 0 else f"{self.collection_name}_g{int(scope)}"
        return f"{name}_phrasings" if phrasings else name

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        with self._lock:
            if self._client is None:
                try:
                    chromadb = import_chromadb()
                    from chromadb.config import Settings as ChromaSettings

                    chroma_settings = ChromaSettings(anonymized_telemetry=False)
                    if self.url:
                        parts = urlsplit(self.url)
                        client = chromadb.HttpClient(
                            host=parts.hostname or "127.0.0.1",
                            port=parts.port or (443 if parts.scheme == "https" else 8000),
                            ssl=parts.scheme == "https",
                            settings=chroma_settings,
                        )
                    else:
                        assert self.path is not None
                        self.path.mkdir(parents=True, exist_ok=True)
                        client = chromadb.PersistentClient(
                            path=str(self.path), settings=chroma_settings
                        )
                    self._client = client
                except Exception as exc:
                    raise StoreUnavailable(
                        f"cannot open the vector store at {self.describe()}: {exc}"
                    ) from exc
            return self._client

    def _open(self, scope: int = 0, *, phrasings: bool = False) -> Any:
        key = (scope, phrasings)
        collection = self._collections.get(key)
        if collection is not None:
            return collection
        client = self._connect()
        with self._lock:
            if key not in self._collections:
                try:
                    self._collections[key] = client.get_or_create_collection(
                        self.collection_for(scope, phrasings=phrasings),
                        embedding_function=chroma_embedding_function(self._embeddings),
                        configuration={"hnsw": {"space": "cosine"}},
                    )
                except Exception as exc:
                    raise StoreUnavailable(
                        f"cannot open the vector store at {self.describe()}: {exc}"
                    ) from exc
            return self._collections[key]

    def _both(self, scope: int) -> tuple[Any, Any]:
        """The scope's passage collection and its phrasing collection."""
        return self._open(scope), self._open(scope, phrasings=True)

    def ping(self) -> bool:
        """True when the store answers (a server is up, a directory is usable)."""
        try:
            self._connect().heartbeat()
            return True
        except Exception:
            return False

    def count(self, scope: int = 0) -> int:
        """Stored chunks of one scope, phrasings included."""
        return sum(int(collection.count()) for collection in self._both(scope))

    def ids_for_scope(self, scope: int, note_id: str | None = None) -> set[str]:
        """Ids of stored chunks of one scope (0 = shipped), optionally of one note."""
        where: dict[str, Any] | None = {"note_id": note_id} if note_id is not None else None
        ids: set[str] = set()
        for collection in self._both(scope):
            offset, page = 0, 10_000
            while True:
                got = collection.get(where=where, include=[], limit=page, offset=offset)
                ids.update(got["ids"])
                if len(got["ids"]) < page:
                    break
                offset += page
        return ids

    def add(self, chunks: Sequence[Chunk], vectors: npt.NDArray[np.float32]) -> None:
        """Store chunks with their precomputed vectors (upsert: re-adding is harmless)."""
        by_place: dict[tuple[int, bool], list[int]] = {}
        for row, chunk in enumerate(chunks):
            by_place.setdefault((chunk.guild_id, chunk.is_phrasing), []).append(row)
        for (scope, phrasings), rows in by_place.items():
            collection = self._open(scope, phrasings=phrasings)
            for start in range(0, len(rows), WRITE_BATCH):
                part = rows[start : start + WRITE_BATCH]
                collection.upsert(
                    ids=[chunks[r].id for r in part],
                    embeddings=vectors[part],
                    documents=[chunks[r].text for r in part],
                    metadatas=[chunks[r].metadata() for r in part],
                )

    def vectors(self, scope: int, ids: Sequence[str]) -> dict[str, npt.NDArray[np.float32]]:
        """The stored vectors of ``ids`` in one scope (missing ids are left out)."""
        found: dict[str, npt.NDArray[np.float32]] = {}
        for collection in reversed(self._both(scope)):
            missing = [chunk_id for chunk_id in ids if chunk_id not in found]
            for batch in _batches(missing, WRITE_BATCH):
                got = collection.get(ids=list(batch), include=["embeddings"])
                for chunk_id, vector in zip(got["ids"], got["embeddings"], strict=True):
                    found[chunk_id] = np.asarray(vector, dtype=np.float32)
        return found

    def delete(self, scope: int, ids: Sequence[str]) -> None:
        """Delete chunks wherever they are kept (deleting an absent id is harmless)."""
        for collection in self._both(scope):
            for batch in _batches(list(ids), WRITE_BATCH):
                collection.delete(ids=list(batch))

    def query(
        self,
        vector: npt.NDArray[np.float32],
        n: int,
        *,
        scope: int = 0,
        where: dict[str, Any] | None = None,
    ) -> list[VectorHit]:
        """The ``n`` nearest passage chunks to ``vector`` in one scope (never phrasings)."""
        collection = self._open(scope)
        got = collection.query(
            query_embeddings=[vector], n_results=n, where=where, include=["distances"]
        )
        ids = got["ids"][0] if got["ids"] else []
        distances = got["distances"][0] if got.get("distances") else [1.0] * len(ids)
        # cosine space: distance = 1 - cosine similarity.
        return [VectorHit(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=False)]

    def close(self) -> None:
        """Drop the client (chromadb keeps no sockets open for a local directory)."""
        with self._lock:
            self._collections = {}
            self._client = None
