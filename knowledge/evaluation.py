"""Measuring /ask on a question set: hit@1, hit@3, declines, by kind of question.

A question set is JSON lines (``id``, ``question``, ``expected`` note ids, ``kind``)
or the YAML development list. A question with no expected note (off-topic, or
distress that needs people rather than a technique) should be declined; any other
question counts as wrongly refused when Touchstone declines it. A hedged answer
("not sure; two notes that might fit") is not a refusal.

Used by the benchmark (on the frozen blind set) and by the ranker's training (on
the tuning questions, with cross-validation).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from knowledge.answer import MIN_SIMILARITY, Decision, decide
from knowledge.retrieval import SearchMode, SearchResult

if TYPE_CHECKING:
    from knowledge.retrieval import Retriever


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    expected: tuple[str, ...]
    kind: str

    @property
    def answerable(self) -> bool:
        return bool(self.expected)


def load_questions(path: Path) -> list[Question]:
    """Questions from a ``.jsonl`` set or the ``.yaml`` development list."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        rows = yaml.safe_load(text) or []
    questions = []
    for number, row in enumerate(rows):
        questions.append(
            Question(
                id=str(row.get("id", f"{path.stem}-{number}")),
                question=str(row["question"]),
                expected=tuple(row.get("expected") or ()),
                kind=str(row.get("kind", "dev")),
            )
        )
    return questions


@dataclass(frozen=True)
class Outcome:
    """What Touchstone did with one question."""

    question: Question
    ranked: tuple[str, ...]
    declined: bool

    @property
    def hit1(self) -> bool:
        return bool(self.ranked[:1]) and self.ranked[0] in self.question.expected

    @property
    def hit3(self) -> bool:
        return any(note in self.question.expected for note in self.ranked[:3])


def outcome(question: Question, results: Sequence[SearchResult], declined: bool) -> Outcome:
    return Outcome(question, tuple(r.note_id for r in results), declined)


@dataclass
class Tally:
    answerable: int = 0
    hit1: int = 0
    hit3: int = 0
    refused: int = 0
    unanswerable: int = 0
    declined: int = 0

    def add(self, item: Outcome) -> None:
        if item.question.answerable:
            self.answerable += 1
            self.hit1 += item.hit1
            self.hit3 += item.hit3
            self.refused += item.declined
        else:
            self.unanswerable += 1
            self.declined += item.declined

    def rates(self) -> dict[str, float | None]:
        def rate(part: int, whole: int) -> float | None:
            return round(part / whole, 3) if whole else None

        return {
            "hit@1": rate(self.hit1, self.answerable),
            "hit@3": rate(self.hit3, self.answerable),
            "wrongly_refused": rate(self.refused, self.answerable),
            "declined": rate(self.declined, self.unanswerable),
        }


@dataclass
class Report:
    overall: Tally = field(default_factory=Tally)
    by_kind: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))

    @classmethod
    def of(cls, outcomes: Sequence[Outcome]) -> Report:
        report = cls()
        for item in outcomes:
            report.overall.add(item)
            report.by_kind[item.question.kind].add(item)
        return report

    def lines(self, label: str) -> list[str]:
        def fmt(tally: Tally) -> str:
            rates = tally.rates()
            return "  ".join(
                f"{name} {'-' if value is None else f'{value:.3f}'}"
                for name, value in rates.items()
            )

        lines = [f"{label:<10} all ({self.overall.answerable}+{self.overall.unanswerable}): "]
        lines[0] += fmt(self.overall)
        for kind in sorted(self.by_kind):
            tally = self.by_kind[kind]
            lines.append(f"{'':<10} {kind} ({tally.answerable}+{tally.unanswerable}): {fmt(tally)}")
        return lines


def declined_by(mode: SearchMode, results: Sequence[SearchResult]) -> bool:
    """Whether Touchstone would decline: the ranker for hybrid, simple rules for baselines.

    The baselines decline the way a single-signal system would: vector-only below the
    old cosine floor, BM25-only when no word matches.
    """
    if mode is SearchMode.HYBRID:
        return decide(results) is Decision.DECLINE
    if mode is SearchMode.VECTOR:
        return not results or results[0].similarity < MIN_SIMILARITY
    return not results


def evaluate(
    retriever: Retriever, questions: Sequence[Question], mode: SearchMode
) -> list[Outcome]:
    """Run every question through search in ``mode`` (blocking) and record what happened."""
    outcomes = []
    for question in questions:
        results = retriever.search(question.question, 3, mode=mode)
        outcomes.append(outcome(question, results, declined_by(mode, results)))
    return outcomes
