"""Labelled post/reply pairs, and scoring a checker on them by kind, next to baselines.

Shared by the training command, the tests and the benchmark so all of them read
the corpus the same way and report the same numbers. The record format and the
meaning of each kind are in ``corpus/LABELS.md``.

The length baseline ("flag any reply over N words", N chosen as the best on the
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

CORPUS_DIR: Path = Path(__file__).resolve().parent / "corpus"
TRAIN_DIR: Path = CORPUS_DIR / "train"
#: Written from LABELS.md alone by writers who saw neither the training data nor the
#: code, frozen before any tuning. Measured rarely; never trained or tuned on.
BLIND_PATH: Path = CORPUS_DIR / "blind.jsonl"
#: A second blind set (360 pairs, 23 voices, heavier on sarcasm, contempt and short
#: sincere replies), by another writer from LABELS.md alone, frozen on 2026-11-30
#: before the contextual gist was tried.
BLIND_V2_PATH: Path = CORPUS_DIR / "blind_v2.jsonl"
#: A third (300 pairs, near-twins of "encouragement plus one tip"), frozen the same day
#: and held in reserve; first measured for the weights trained with ``train_15``.
BLIND_V3_PATH: Path = CORPUS_DIR / "blind_v3.jsonl"
#: A fourth (329 pairs, 17 voices, at least 12 flagged and 12 fine per kind, 74 posts
#: asking for depth; one reply that matched a training reply word for word was
#: dropped), frozen on 2026-11-30; first measured for the verdict networks (train_16).
BLIND_V4_PATH: Path = CORPUS_DIR / "blind_v4.jsonl"
#: A fifth (332 pairs, 16 voices, at least 12 flagged and 12 fine per kind), frozen on
#: 2026-12-01 before train_17 (sarcasm and its friendly lookalikes) was added; first
#: measured for the weights trained with it.
BLIND_V5_PATH: Path = CORPUS_DIR / "blind_v5.jsonl"
#: A sixth (330 pairs, 16 voices, at least 12 flagged and 12 fine per kind, 56 fine
#: replies to posts asking for depth, every format), frozen on 2026-12-01 before
#: train_18 (near-misses of sarcasm, corrections, critique and caution) was added;
#: first measured for the weights trained with it.
BLIND_V6_PATH: Path = CORPUS_DIR / "blind_v6.jsonl"
#: A seventh (358 pairs, 16 voices, at least 12 flagged and 12 fine per kind, 59 fine
#: replies to posts asking for depth, forum tags that disagree with the text), written
#: from LABELS.md alone and frozen on 2026-12-01 before train_19 and train_20 were
#: added; first measured for the weights trained with them.
BLIND_V7_PATH: Path = CORPUS_DIR / "blind_v7.jsonl"
#: An eighth (356 pairs, 21 voices, at least 12 flagged and 12 fine per kind; four
#: replies that matched a training reply word for word were dropped, three of them
#: Bob's from seed 002), written from LABELS.md alone and frozen on 2026-12-01; measured
#: once for an intent variant that was not shipped and once for the shipped weights.
BLIND_V8_PATH: Path = CORPUS_DIR / "blind_v8.jsonl"
#: A ninth (352 pairs, 20+ voices, at least 12 flagged and 12 fine per kind, nine
#: languages; two replies that matched a training reply word for word were dropped),
#: written from LABELS.md alone and frozen on 2026-12-01; first measured for the
#: weights trained with train_21 (sarcasm twins, answers buried) and train_22 (depth
#: requests, misread intents, false-alarm traps).
BLIND_V9_PATH: Path = CORPUS_DIR / "blind_v9.jsonl"
BLIND_SETS: tuple[Path, ...] = (
    BLIND_PATH,
    BLIND_V2_PATH,
    BLIND_V3_PATH,
    BLIND_V4_PATH,
    BLIND_V5_PATH,
    BLIND_V6_PATH,
    BLIND_V7_PATH,
    BLIND_V8_PATH,
    BLIND_V9_PATH,
)
#: A tenth (360 pairs, 19 voices, at least 24 per kind, seven languages), written from
#: LABELS.md alone and frozen on 2026-12-01 before train_21 and train_22 were added;
#: not measured yet: held in reserve for the next change.
RESERVE_BLIND_PATH: Path = CORPUS_DIR / "blind_v10.jsonl"


class CorpusError(ValueError):
    """A corpus file that does not follow LABELS.md's record format."""


@dataclass(frozen=True)
class Case:
    """One labelled post/reply pair."""

    id: str
    voice: str
    kind: str
    post: str
    reply: str
    intent: Intent
    flagged: bool
    lang: str = "en"
    post_intent: str | None = None
    source: str = "written"

    @property
    def asks_for_depth(self) -> bool:
        """Carol's case: the poster asked for depth (by tag or in their words)."""
        return self.intent is Intent.DETAILS or self.post_intent == "details"


def _case(row: dict[str, object], where: str) -> Case:
    try:
        intent = row.get("intent")
        return Case(
            id=str(row["id"]),
            voice=str(row["voice"]),
            kind=str(row["kind"]),
            post=str(row["post"]),
            reply=str(row["reply"]),
            intent=Intent(str(intent)) if intent else Intent.UNKNOWN,
            flagged=bool(row["flagged"]),
            lang=str(row.get("lang") or "en"),
            post_intent=str(row["post_intent"]) if row.get("post_intent") else None,
            source=str(row.get("source") or "written"),
        )
    except (KeyError, ValueError) as exc:
        raise CorpusError(f"{where}: {exc}") from None


def load_cases(path: Path) -> list[Case]:
    """Read one JSONL file; ``intent: null`` means the checker must infer it."""
    cases: list[Case] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            cases.append(_case(json.loads(line), f"{path.name}:{number}"))
    return cases


def load_training() -> list[Case]:
    """Every training file, in a stable order (file name, then line)."""
    return [c for path in sorted(TRAIN_DIR.glob("*.jsonl")) for c in load_cases(path)]


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
    def false_alarm_rate(self) -> float:
        """Share of fine replies that were flagged."""
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    @property
    def depth_false_alarm_rate(self) -> float:
        """Share of fine replies to depth requests that were flagged."""
        return self.depth_false_alarms / self.depth_requests if self.depth_requests else 0.0

    def summary(self) -> str:
        return (
            f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} "
            f"false alarms={self.fp}/{self.fp + self.tn} ({self.false_alarm_rate:.3f}), "
            f"on depth requests={self.depth_false_alarms}/{self.depth_requests}"
        )


Predictor = Callable[[Case], bool]


def evaluate(predict: Predictor, cases: Iterable[Case]) -> Metrics:
    """Run ``predict`` on every case and count outcomes."""
    return score((c, predict(c)) for c in cases)


def score(outcomes: Iterable[tuple[Case, bool]]) -> Metrics:
    """Count outcomes of predictions already made."""
    tp = fp = fn = tn = depth_fa = depth = 0
    for case, flagged in outcomes:
        if flagged and case.flagged:
            tp += 1
        elif flagged:
            fp += 1
        elif case.flagged:
            fn += 1
        else:
            tn += 1
        if case.asks_for_depth and not case.flagged:
            depth += 1
            depth_fa += int(flagged)
    return Metrics(tp, fp, fn, tn, depth_fa, depth)


def by_kind(outcomes: Sequence[tuple[Case, bool]]) -> dict[str, Metrics]:
    """The same figures for each kind of the corpus."""
    kinds = sorted({c.kind for c, _ in outcomes})
    return {k: score([(c, f) for c, f in outcomes if c.kind == k]) for k in kinds}


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
