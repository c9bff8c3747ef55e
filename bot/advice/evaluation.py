"""Scoring the checker against hand-labelled cases, next to a fair length baseline.

Shared by the evaluation test and the benchmark so both report the same numbers.
The baseline ("flag any reply over N words", N chosen as the best on the labelled
data it is given) is what a naive check would do; beating it is the point of
reading intent and content at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.advice.models import Intent
from bot.advice.text import word_count


@dataclass(frozen=True)
class Case:
    """One labelled post/reply pair."""

    id: str
    domain: str
    scenario: str
    post: str
    reply: str
    intent: Intent
    flagged: bool

    @property
    def asks_for_depth(self) -> bool:
        """Carol's case: an explicit request for depth, answered in depth."""
        return self.scenario.startswith("depth_request")


def load_cases(path: Path) -> list[Case]:
    """Read a JSONL data set; ``intent: null`` means the checker must infer it."""
    cases: list[Case] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        cases.append(
            Case(
                id=row["id"],
                domain=row["domain"],
                scenario=row["scenario"],
                post=row["post"],
                reply=row["reply"],
                intent=Intent(row["intent"]) if row["intent"] else Intent.UNKNOWN,
                flagged=bool(row["flagged"]),
            )
        )
    return cases


@dataclass(frozen=True)
class Metrics:
    """Binary-classification figures, plus false alarms on explicit depth requests."""

    tp: int
    fp: int
    fn: int
    tn: int
    depth_false_alarms: int
    depth_requests: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def depth_false_alarm_rate(self) -> float:
        return self.depth_false_alarms / self.depth_requests if self.depth_requests else 0.0

    def summary(self) -> str:
        return (
            f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} "
            f"false alarms on depth requests={self.depth_false_alarms}/{self.depth_requests} "
            f"({self.depth_false_alarm_rate:.3f})"
        )


Predictor = Callable[[Case], bool]


def evaluate(predict: Predictor, cases: Iterable[Case]) -> Metrics:
    """Run ``predict`` on every case and count outcomes."""
    tp = fp = fn = tn = depth_fa = depth = 0
    for case in cases:
        flagged = predict(case)
        if flagged and case.flagged:
            tp += 1
        elif flagged:
            fp += 1
        elif case.flagged:
            fn += 1
        else:
            tn += 1
        if case.asks_for_depth:
            depth += 1
            depth_fa += int(flagged and not case.flagged)
    return Metrics(tp, fp, fn, tn, depth_fa, depth)


def length_predictor(max_words: int) -> Predictor:
    """The baseline: flag any reply longer than ``max_words`` words."""
    return lambda case: word_count(case.reply) > max_words


def best_length_threshold(cases: Sequence[Case]) -> tuple[int, Metrics]:
    """The N that gives the baseline its best F1 on ``cases`` (smallest N on ties)."""
    best: tuple[int, Metrics] | None = None
    for n in range(0, max(word_count(c.reply) for c in cases) + 1):
        metrics = evaluate(length_predictor(n), cases)
        if best is None or metrics.f1 > best[1].f1:
            best = (n, metrics)
    assert best is not None
    return best
