"""Deciding between candidate notes from all the evidence, with a calibrated confidence.

Reciprocal rank fusion only sees ranks: a note ranked first by both lists wins even
when both lists were scraping the bottom, so it can't say when nothing fits, and
hub notes (the long, general ones) ride high in every list. Here each candidate
note gets a few numbers (how close the question is to the note's text and to the
members' phrasings, how much keyword evidence there is, how far it is from the best
candidate on each), and a small logistic model, trained on questions with known
answers (``python -m knowledge.ranker_training``), turns them into the probability
that the note answers the question. That one number ranks the notes and decides
whether to answer, hedge, or decline.

The weights live in ``knowledge/model/ranker.json``. Without them (or for an unknown
format) the fused rank score orders the notes and the confidence is the best cosine,
which is how Touchstone ranked before.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

RANKER_FILE = Path(__file__).resolve().parent / "model" / "ranker.json"
RANKER_FORMAT = 2

FEATURE_NAMES: tuple[str, ...] = (
    "cos_content",
    "cos_phrase",
    "cos_phrase_2",
    "cos_best",
    "cos_best_gap",
    "cos_phrase_gap",
    "bm25_log",
    "bm25_relative",
    "rrf",
    "vector_rank_inv",
    "bm25_rank_inv",
    "hub",
    "topicality",
)


@dataclass
class NoteEvidence:
    """What the two rankings say about one note for one question."""

    cos_content: float = 0.0
    cos_phrase: float = 0.0
    cos_phrase_2: float = 0.0
    bm25: float = 0.0
    rrf: float = 0.0
    vector_rank: int | None = None
    bm25_rank: int | None = None
    hub: float = 0.0
    #: How much the question reads like a practice question at all (same for every
    #: candidate of one question): what lets the ranker decline "how do I reset my
    #: router" even when a note about routines is the nearest thing.
    topicality: float = 0.0

    def add_similarity(self, similarity: float, *, phrasing: bool) -> None:
        if not phrasing:
            self.cos_content = max(self.cos_content, similarity)
        elif similarity > self.cos_phrase:
            self.cos_phrase_2, self.cos_phrase = self.cos_phrase, similarity
        else:
            self.cos_phrase_2 = max(self.cos_phrase_2, similarity)

    def fill_unseen(self, floor: float, *, has_phrasings: bool = True) -> None:
        """Similarities the search did not fetch are taken as the lowest it did fetch.

        A note without phrasings (a server's own note, usually) lets its text stand in
        for them, so it competes on what it has instead of losing for what it lacks.
        """
        self.cos_content = self.cos_content or floor
        if not has_phrasings:
            self.cos_phrase = self.cos_phrase_2 = self.cos_content
            return
        self.cos_phrase = self.cos_phrase or floor
        self.cos_phrase_2 = self.cos_phrase_2 or floor

    @property
    def cos_best(self) -> float:
        return max(self.cos_content, self.cos_phrase)


def feature_rows(evidence: list[NoteEvidence]) -> list[list[float]]:
    """One feature vector per candidate; gaps are relative to the best candidate."""
    top_cos = max((e.cos_best for e in evidence), default=0.0)
    top_phrase = max((e.cos_phrase for e in evidence), default=0.0)
    top_bm25 = max((e.bm25 for e in evidence), default=0.0)
    rows: list[list[float]] = []
    for e in evidence:
        rows.append(
            [
                e.cos_content,
                e.cos_phrase,
                e.cos_phrase_2,
                e.cos_best,
                e.cos_best - top_cos,
                e.cos_phrase - top_phrase,
                math.log1p(e.bm25),
                e.bm25 / top_bm25 if top_bm25 > 0 else 0.0,
                e.rrf * 60.0,
                1.0 / (1 + e.vector_rank) if e.vector_rank is not None else 0.0,
                1.0 / (1 + e.bm25_rank) if e.bm25_rank is not None else 0.0,
                e.hub,
                e.topicality,
            ]
        )
    return rows


def logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class RankerWeights:
    """A logistic model over :data:`FEATURE_NAMES`, with standardisation and the cut-offs."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    #: Below this answerability Touchstone declines; above it, a first note below
    #: ``answer_at`` confidence gets a hedge (two candidates) instead of an answer.
    decline_below: float
    answer_at: float
    hubs: dict[str, float]
    #: A logistic model over the question's MiniLM vector: practice question or not.
    topic_coef: tuple[float, ...] = ()
    topic_intercept: float = 0.0
    #: Question level: is any note an answer? Over the log-odds of the two best notes'
    #: confidence and the topicality.
    answerable_coef: tuple[float, ...] = (0.0, 0.0, 0.0)
    answerable_intercept: float = 0.0

    def answerability(self, confidences: list[float], topicality: float) -> float:
        """Probability that the question has an answer in the library at all."""
        best = [*sorted(confidences, reverse=True), 0.0, 0.0]
        z = self.answerable_intercept + topicality * self.answerable_coef[2]
        z += logit(best[0]) * self.answerable_coef[0] + logit(best[1]) * self.answerable_coef[1]
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def topicality(self, vector: npt.NDArray[np.float32] | None) -> float:
        """The topic model's log-odds for the question vector (0 without one)."""
        if vector is None or len(self.topic_coef) != len(vector):
            return 0.0
        return float(np.dot(np.asarray(self.topic_coef, dtype=np.float32), vector)) + (
            self.topic_intercept
        )

    def probability(self, row: list[float]) -> float:
        z = self.intercept
        for value, mean, scale, coef in zip(row, self.mean, self.scale, self.coef, strict=True):
            z += coef * (value - mean) / scale
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def load_weights(path: Path = RANKER_FILE) -> RankerWeights | None:
    """The shipped ranker, or None when the file is missing or of another format."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("format") != RANKER_FORMAT or tuple(data.get("features", ())) != FEATURE_NAMES:
        return None
    return RankerWeights(
        mean=tuple(data["mean"]),
        scale=tuple(data["scale"]),
        coef=tuple(data["coef"]),
        intercept=float(data["intercept"]),
        decline_below=float(data["decline_below"]),
        answer_at=float(data["answer_at"]),
        hubs={str(k): float(v) for k, v in data.get("hubs", {}).items()},
        topic_coef=tuple(float(v) for v in data.get("topic_coef", ())),
        topic_intercept=float(data.get("topic_intercept", 0.0)),
        answerable_coef=tuple(float(v) for v in data["answerable_coef"]),
        answerable_intercept=float(data["answerable_intercept"]),
    )


@lru_cache(maxsize=1)
def shipped_weights() -> RankerWeights | None:
    return load_weights()
