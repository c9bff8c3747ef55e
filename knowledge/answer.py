"""Composing a reply from retrieved notes, with no language model.

A list of search hits makes the user do the work; a good reply says what to try and
how to start, and credits where the idea comes from. This composer takes the best
note's idea and its five-minute version or first steps, mentions one or two other
relevant notes in a line each, and numbers every note it draws on, [1], [2], with a
sources list (author, title, date, link), so the original authors get the credit.

When nothing is close enough to the question, it says so kindly and points to
/techniques instead of dressing up an unrelated note as an answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from knowledge.chunking import STEPS_HEADING, SUMMARY_HEADING
from knowledge.note import Note
from knowledge.retrieval import SearchResult

#: Below this cosine similarity the best match is treated as unrelated to the question.
#: Chosen from measurements on the shipped notes: on-topic questions score about
#: 0.33-0.7, off-topic ones ("chocolate cake", "weather in Paris") 0.05-0.21.
MIN_SIMILARITY = 0.26
#: Secondary notes must be at least this close to be mentioned.
MIN_SECONDARY_SIMILARITY = 0.30
#: Discord's message limit is 2,000 characters; leave room for a prefix.
MAX_ANSWER_CHARS = 1900
MAX_FIRST_STEPS = 3

NOTHING_FOUND = (
    "I couldn't find a note that fits that question. Try rephrasing it with the "
    'situation you\'re in (for example "I keep putting off writing"), or browse '
    "everything with /techniques."
)


@dataclass(frozen=True)
class Citation:
    """A numbered reference from the answer to a note and the work it is based on."""

    number: int
    note_id: str
    title: str
    author: str | None = None
    source_title: str | None = None
    date: str | None = None
    url: str | None = None
    document: str | None = None

    def line(self) -> str:
        """``[1] Note title — Author, "Source title" (date) <url>``."""
        credit: list[str] = []
        if self.author:
            credit.append(self.author)
        if self.source_title:
            credit.append(f'"{self.source_title}"')
        text = f"[{self.number}] {self.title}"
        if credit:
            text += " — " + ", ".join(credit)
        if self.date:
            text += f" ({self.date})"
        if self.url:
            text += f" <{self.url}>"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "id": self.note_id,
            "title": self.title,
            "author": self.author,
            "source_title": self.source_title,
            "date": self.date,
            "url": self.url,
            "document": self.document,
        }


@dataclass(frozen=True)
class Answer:
    text: str
    citations: list[Citation] = field(default_factory=list)
    results: list[SearchResult] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.citations)


def first_sentences(text: str, count: int = 2) -> str:
    """The first ``count`` sentences of ``text`` (whitespace flattened)."""
    flat = re.sub(r"\s+", " ", text).strip()
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])", flat)
    return " ".join(parts[:count]).strip()


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _citation(number: int, result: SearchResult) -> Citation:
    source = result.source
    return Citation(
        number=number,
        note_id=result.note_id,
        title=result.title,
        author=source.get("author"),
        source_title=source.get("title"),
        date=source.get("date"),
        url=source.get("url"),
        document=source.get("document"),
    )


def _is_prose_passage(result: SearchResult) -> bool:
    """True for a body passage worth quoting (not the summary, steps, or a bullet list)."""
    if result.heading in (SUMMARY_HEADING, STEPS_HEADING) or not result.snippet:
        return False
    return not re.match(r"^\s*(?:[-*•]|\d+[.)])\s", result.snippet)


def _primary_block(result: SearchResult, note: Note | None) -> list[str]:
    lines: list[str] = []
    if note is None:
        lines.append(f"**{result.title}** [1]: {result.snippet}")
        return lines
    lines.append(f"**{note.title}** [1]: {first_sentences(note.summary, 2)}")
    lines.append(f"It helps {_lower_first(first_sentences(note.when_to_use, 1))}")
    if _is_prose_passage(result):
        # The passage that matched says how the note bears on this particular question.
        lines.append(f"> {first_sentences(result.snippet, 2)}")
    lines.append("")
    lines.append(f"**Five-minute version:** {note.five_minute_version.strip()}")
    if note.steps:
        lines.append("")
        lines.append("**First steps:**")
        for n, step in enumerate(note.steps[:MAX_FIRST_STEPS], start=1):
            lines.append(f"{n}. {step}")
    return lines


def compose_answer(
    question: str,
    results: Sequence[SearchResult],
    note_for: Callable[[SearchResult], Note | None],
    *,
    min_similarity: float = MIN_SIMILARITY,
    max_chars: int = MAX_ANSWER_CHARS,
) -> Answer:
    """Write a short, cited reply to ``question`` from ranked ``results``.

    ``note_for`` looks up the full note of a result (for its five-minute version and
    steps). Only results that clear the similarity floor are used; if none does, the
    reply says nothing relevant was found.
    """
    relevant = [r for r in results if r.similarity >= min_similarity]
    if not relevant or not question.strip():
        return Answer(NOTHING_FOUND, [], list(results))
    primary, others = (
        relevant[0],
        [r for r in relevant[1:] if r.similarity >= MIN_SECONDARY_SIMILARITY],
    )
    citations = [_citation(1, primary)]
    body = _primary_block(primary, note_for(primary))
    also: list[str] = []
    for result in others:
        number = len(citations) + 1
        citations.append(_citation(number, result))
        note = note_for(result)
        idea = first_sentences(note.summary, 1) if note is not None else result.snippet
        also.append(f"• **{result.title}** [{number}]: {idea}")

    def render(also_lines: list[str]) -> str:
        parts = list(body)
        if also_lines:
            parts += ["", "**Also relevant:**", *also_lines]
        parts += ["", "**Sources**"]
        parts += [c.line() for c in citations[: 1 + len(also_lines)]]
        return "\n".join(parts).strip()

    text = render(also)
    while len(text) > max_chars and also:
        also.pop()
        text = render(also)
    citations = citations[: 1 + len(also)]
    if len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return Answer(text, citations, list(results))
