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
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from knowledge.note import Note
from knowledge.ranking import shipped_weights
from knowledge.retrieval import SearchResult
from knowledge.static_vectors import shared_static_vectors

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
    decision: Decision = field(default_factory=lambda: Decision.ANSWER)
    #: The ranker's confidence that the first note answers the question (0-1).
    confidence: float = 0.0

    @property
    def found(self) -> bool:
        return bool(self.citations)

    @property
    def abstained(self) -> bool:
        return self.decision is Decision.DECLINE


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


def _sentences(text: str) -> list[str]:
    flat = re.sub(r"\s+", " ", text).strip()
    return [part for part in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])", flat) if part]


def _body_sentences(note: Note) -> list[str]:
    """The note's body sentences that can stand alone: no headings, lists or tables."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n", note.body):
        stripped = paragraph.strip()
        if not stripped or stripped.startswith(("#", "|", "-", "*", ">")) or stripped[0].isdigit():
            continue
        sentences.extend(_sentences(stripped))
    return [s for s in dict.fromkeys(sentences) if 40 <= len(s) <= 300]


def opening(question: str, note: Note) -> str:
    """What the note is, then the sentence of its body closest to the question.

    Without a model, this is how the answer speaks to what the person said: of
    everything the note says, it leads with what bears on their situation.
    """
    summary = first_sentences(note.summary, 1)
    body = _body_sentences(note)
    if not body:
        return first_sentences(note.summary, 2)
    vectors = shared_static_vectors().embed([question, *body])
    closeness = vectors[1:] @ vectors[0]
    return f"{summary} {body[int(closeness.argmax())]}"


def humanise(text: str, titles: dict[str, str]) -> str:
    """Note ids become titles and seed file references disappear from user-facing text."""
    text = _SEED_PAREN.sub("", text)
    text = _SEED_REF.sub("the source essay", text)
    if not titles:
        return text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(titles, key=len)[::-1])) + r")\b")
    return pattern.sub(lambda match: titles[match.group(1)], text)


_SEED_PAREN = re.compile(r"\s*\(seed \d+\)")
_SEED_REF = re.compile(r"\bseed \d+\b")


def _primary_block(question: str, result: SearchResult, note: Note | None) -> list[str]:
    lines: list[str] = []
    if note is None:
        lines.append(f"**{result.title}** [1]: {result.snippet}")
        return lines
    lines.append(f"**{note.title}** [1]: {opening(question, note)}")
    lines.append("")
    lines.append(f"**Five-minute version:** {note.five_minute_version.strip()}")
    if note.steps:
        lines.append("")
        lines.append("**First steps:**")
        for n, step in enumerate(note.steps[:MAX_FIRST_STEPS], start=1):
            lines.append(f"{n}. {step}")
    return lines


class Decision(StrEnum):
    """What the evidence allows: a cited answer, a hedge with two candidates, or a decline."""

    ANSWER = "answer"
    HEDGE = "hedge"
    DECLINE = "decline"


def decide(results: Sequence[SearchResult], min_similarity: float = MIN_SIMILARITY) -> Decision:
    """Calibrated evidence decides: decline when the question probably has no answer
    in the library, hedge when it has but the first note is unsure, else answer.
    Without a ranker, the old cosine floor decides."""
    if not results:
        return Decision.DECLINE
    weights = shipped_weights()
    if weights is None:
        return Decision.ANSWER if results[0].similarity >= min_similarity else Decision.DECLINE
    if results[0].answerable < weights.decline_below:
        return Decision.DECLINE
    if results[0].confidence >= weights.answer_at or len(results) < 2:
        return Decision.ANSWER
    return Decision.HEDGE


def _related(results: Sequence[SearchResult]) -> list[SearchResult]:
    """Other notes worth a line: confident on their own, not just the next in line."""
    weights = shipped_weights()
    if weights is None:
        return [r for r in results[1:] if r.similarity >= MIN_SECONDARY_SIMILARITY]
    top = results[0].confidence
    return [r for r in results[1:] if r.confidence >= max(weights.answer_at, top / 2)]


def _hedge(question: str, results: Sequence[SearchResult], note_for: NoteLookup) -> Answer:
    shown = list(results[:2])
    lines = ["I'm not sure which note fits best. Two that might:"]
    for number, result in enumerate(shown, start=1):
        note = note_for(result)
        idea = first_sentences(note.summary, 1) if note is not None else result.snippet
        lines.append(f"• **{result.title}** [{number}]: {idea}")
    lines += ["", "Tell me a bit more about your situation, or browse /techniques.", ""]
    citations = [_citation(number, r) for number, r in enumerate(shown, start=1)]
    lines += ["**Sources**", *(c.line() for c in citations)]
    return Answer("\n".join(lines), citations, list(results), Decision.HEDGE, shown[0].confidence)


NoteLookup = Callable[[SearchResult], Note | None]


def compose_answer(
    question: str,
    results: Sequence[SearchResult],
    note_for: NoteLookup,
    *,
    min_similarity: float = MIN_SIMILARITY,
    max_chars: int = MAX_ANSWER_CHARS,
    titles: dict[str, str] | None = None,
) -> Answer:
    """Write a short, cited reply to ``question`` from ranked ``results``.

    ``note_for`` looks up the full note of a result (for its five-minute version and
    steps); ``titles`` maps note ids to titles so ids in note text read as titles.
    """
    decision = decide(results, min_similarity) if question.strip() else Decision.DECLINE
    confidence = results[0].confidence if results else 0.0
    if decision is Decision.DECLINE:
        return Answer(NOTHING_FOUND, [], list(results), decision, confidence)
    if decision is Decision.HEDGE:
        hedge = _hedge(question, results, note_for)
        return replace(hedge, text=humanise(hedge.text, titles or {}))
    primary = results[0]
    citations = [_citation(1, primary)]
    body = _primary_block(question, primary, note_for(primary))
    also: list[str] = []
    for result in _related(results):
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
        return humanise("\n".join(parts).strip(), titles or {})

    text = render(also)
    while len(text) > max_chars and also:
        also.pop()
        text = render(also)
    citations = citations[: 1 + len(also)]
    if len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return Answer(text, citations, list(results), decision, confidence)
