"""Splitting a draft into the points a reader perceives: bullets and sentences.

Everything downstream (counting instructions, keeping points aside, picking one
tip) works on these points, and every point is an exact slice of the draft so
nothing the writer wrote can be silently reworded or lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BULLET = re.compile(r"^[ \t]*(?:[-*•‣▪–]|\d{1,2}[.)])[ \t]+")
_BOUNDARY = re.compile(r"[.!?…]+[\"')\]]*\s+")
_STARTS_SENTENCE = re.compile(r"[\"'(\[]?[A-Z0-9`¿¡]")
_STARTS_ANY = re.compile(r"\S")
_ABBREVIATIONS = frozenset(
    {"e.g.", "i.e.", "etc.", "vs.", "dr.", "mr.", "mrs.", "ms.", "no.", "op.", "approx.", "st."}
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "i'm",
        "i've",
        "it's",
        "that's",
        "don't",
        "can't",
        "won't",
        "you're",
        "you'll",
        "really",
        "today",
        "tonight",
        "yesterday",
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "years",
        "first",
        "ever",
        "time",
        "finally",
        "just",
        "still",
        "got",
        "get",
        "much",
        "many",
        "thing",
        "things",
        "bit",
        "lot",
        "lots",
        "like",
        "one",
        "two",
        "three",
    ]
)


@dataclass(frozen=True)
class Point:
    """One bullet or sentence of a draft; ``text`` == draft[start:end]."""

    text: str
    start: int
    end: int
    bullet: bool


def split_points(text: str, *, any_case: bool = False) -> list[Point]:
    """Split ``text`` into bullets (one point each) and sentences, keeping offsets.

    ``any_case`` also ends a sentence before a lowercase word, as chat is written
    ("lol. good luck. you'll need anki"); the rule signals keep the stricter split.
    """
    points: list[Point] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        line_start = offset
        offset += len(line)
        body = line.rstrip("\r\n")
        if not body.strip():
            continue
        marker = _BULLET.match(body)
        if marker:
            _append(points, text, line_start + marker.end(), line_start + len(body), bullet=True)
            continue
        for start, end in _sentence_spans(body, any_case=any_case):
            _append(points, text, line_start + start, line_start + end, bullet=False)
    return points


def _append(points: list[Point], text: str, start: int, end: int, *, bullet: bool) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        points.append(Point(text[start:end], start, end, bullet))


def _sentence_spans(line: str, *, any_case: bool = False) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    starts = _STARTS_ANY if any_case else _STARTS_SENTENCE
    for match in _BOUNDARY.finditer(line):
        nxt = line[match.end() : match.end() + 2]
        if not nxt or not starts.match(nxt):
            continue
        last_token = line[start : match.start() + 1].split()[-1:] or [""]
        if last_token[0].lower() in _ABBREVIATIONS:
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(line)))
    return spans


def sentences(text: str) -> list[str]:
    """Sentences of one point (a bullet may hold several)."""
    return [text[s:e].strip() for s, e in _sentence_spans(text) if text[s:e].strip()]


def word_count(text: str) -> int:
    """Whitespace-separated tokens: what a reader experiences as length."""
    return len(text.split())


def content_stems(text: str) -> set[str]:
    """Crude stems of the meaningful words, for 'did the post mention this?' checks."""
    stems: set[str] = set()
    for raw in _WORD.findall(text.lower()):
        word = raw.replace("’", "'").strip("'-")
        if len(word) < 3 or word in _STOPWORDS:
            continue
        stems.add(word[:5])
    return stems


_WARM = re.compile(
    r"\b(?:congrat\w*|well done|nice|great|awesome|amazing|love|proud|welcome|good job|"
    r"nicely|brilliant|lovely|cool|yay|enjoy|glad|happy|excited|keep (?:it )?up|"
    r"you got this|rooting|thanks?|thank you)\b|[!❤\U0001F389\U0001F64C\U0001F44F\U0001F4AA\U0001F60A]",
    re.IGNORECASE,
)


def is_warm(text: str) -> bool:
    """Praise, thanks or excitement somewhere in ``text``."""
    return bool(_WARM.search(text))
