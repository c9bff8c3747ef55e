"""Cutting notes into retrieval chunks that follow the note's own headings.

A chunk is the unit both BM25 and the vector index score. Chunks follow ``##`` sections
so a snippet shows one coherent idea, and a size cap keeps each chunk inside the
embedding model's 256-token window (anything beyond it would be silently ignored).
The front-matter fields (summary, when to use, five-minute version) become a chunk of
their own: they are written to say what the note is for, which is exactly what a
question matches best.

Each chunk's id is a hash of everything that affects how it is indexed or shown, so an
unchanged chunk keeps its id across runs and re-ingesting an unchanged corpus embeds
nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from knowledge.note import Note

if TYPE_CHECKING:
    from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

#: About 180 words: safely inside all-MiniLM-L6-v2's 256-token window.
MAX_CHUNK_CHARS = 900
CHUNK_OVERLAP_CHARS = 120
SUMMARY_HEADING = "Summary"
STEPS_HEADING = "Steps"
#: Each of a note's phrasings (how members describe the situation) is a chunk of its own
#: under this heading: one short text per vector, so a question that reads like one
#: phrasing is close to it instead of to an average of all of them.
PHRASING_HEADING = "In members' words"

_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3")]


@dataclass(frozen=True)
class Chunk:
    """One indexed piece of a note, with the note's metadata copied in for filtering."""

    id: str
    note_id: str
    title: str
    kind: str
    tags: tuple[str, ...]
    heading: str
    guild_id: int
    text: str
    position: int

    @property
    def content_hash(self) -> str:
        """The id is the content hash (kept under both names for readability)."""
        return self.id

    @property
    def is_phrasing(self) -> bool:
        """A member's wording of the situation: evidence for ranking, never shown as a passage."""
        return self.heading == PHRASING_HEADING

    @property
    def index_text(self) -> str:
        """What gets embedded and BM25-tokenised: the title and heading give the body context.

        A phrasing is indexed alone: it never names the technique, and adding the title
        would pull it towards questions that do.
        """
        if self.is_phrasing:
            return self.text
        return f"{self.title}. {self.heading}. {self.text}"

    def metadata(self) -> dict[str, str | int | bool]:
        """Flat metadata for the vector store; one boolean key per tag so tags can be filtered."""
        meta: dict[str, str | int | bool] = {
            "note_id": self.note_id,
            "title": self.title,
            "kind": self.kind,
            "heading": self.heading,
            "guild_id": self.guild_id,
            "tags": ",".join(self.tags),
        }
        for tag in self.tags:
            meta[tag_key(tag)] = True
        return meta


def tag_key(tag: str) -> str:
    """The metadata key that marks a chunk with ``tag``."""
    return f"tag_{tag}"


@lru_cache(maxsize=1)
def _splitters() -> tuple[MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter]:
    from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

    return (
        MarkdownHeaderTextSplitter(headers_to_split_on=_HEADERS, strip_headers=True),
        RecursiveCharacterTextSplitter(
            chunk_size=MAX_CHUNK_CHARS,
            chunk_overlap=CHUNK_OVERLAP_CHARS,
            separators=["\n\n", "\n", ". ", " ", ""],
        ),
    )


def _content_hash(note: Note, heading: str, text: str) -> str:
    payload: dict[str, Any] = {
        "note": note.id,
        "guild": note.scope,
        "title": note.title,
        "kind": note.kind,
        "tags": note.tags,
        "heading": heading,
        "text": text,
    }
    if heading == PHRASING_HEADING:
        # Phrasings moved to a collection of their own; a new id retires the copies an
        # older index kept among the passages (ingest deletes ids it no longer wants).
        payload["store"] = "phrasings"
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()[:32]


def _sections(note: Note) -> list[tuple[str, str]]:
    """(heading, text) pieces: the front-matter summary, the steps, then the body by heading."""
    sections: list[tuple[str, str]] = [
        (
            SUMMARY_HEADING,
            f"{note.summary}\nWhen to use: {note.when_to_use}\n"
            f"Five-minute version: {note.five_minute_version}",
        )
    ]
    if note.steps:
        numbered = "\n".join(f"{n}. {step}" for n, step in enumerate(note.steps, start=1))
        sections.append((STEPS_HEADING, numbered))
    if note.body.strip():
        header_splitter, size_splitter = _splitters()
        for doc in size_splitter.split_documents(header_splitter.split_text(note.body)):
            meta = doc.metadata
            heading = str(meta.get("h3") or meta.get("h2") or meta.get("h1") or "Overview")
            sections.append((heading, doc.page_content.strip()))
    sections.extend((PHRASING_HEADING, phrasing) for phrasing in note.phrasings)
    return sections


def chunk_note(note: Note) -> list[Chunk]:
    """Split a note into chunks; identical pieces within one note are kept once."""
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for heading, text in _sections(note):
        if not text:
            continue
        # Long front-matter pieces are capped the same way as body sections.
        pieces = [text] if len(text) <= MAX_CHUNK_CHARS else _splitters()[1].split_text(text)
        for piece in pieces:
            chunk_id = _content_hash(note, heading, piece)
            if chunk_id in seen:
                continue
            seen.add(chunk_id)
            chunks.append(
                Chunk(
                    id=chunk_id,
                    note_id=note.id,
                    title=note.title,
                    kind=note.kind,
                    tags=tuple(note.tags),
                    heading=heading,
                    guild_id=note.scope,
                    text=piece,
                    position=len(chunks),
                )
            )
    return chunks


def chunk_notes(notes: list[Note]) -> list[Chunk]:
    """All chunks of ``notes``, in note order."""
    return [chunk for note in notes for chunk in chunk_note(note)]
