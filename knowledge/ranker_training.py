"""Train the note ranker: ``python -m knowledge.ranker_training`` (``make ask-model``).

Builds the index of the shipped notes in a temporary directory, measures how much
of a hub each note is, collects every candidate note's evidence for each training
question, fits a logistic model (scikit-learn, a development dependency), chooses
the decline and answer cut-offs from out-of-fold predictions, and writes
``knowledge/model/ranker.json``. Deterministic: the same notes and questions give
the same file.

Training questions: ``knowledge/training/*.jsonl`` and the development list
``tests/data/ask_dev.yaml``. The blind set (``tests/data/ask_blind.jsonl``) is never
read here; only the benchmark measures it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.evaluation import Question, load_questions
from knowledge.ranking import (
    FEATURE_NAMES,
    RANKER_FILE,
    RANKER_FORMAT,
    NoteEvidence,
    feature_rows,
    logit,
)
from knowledge.retrieval import MIN_CANDIDATES, Retriever
from knowledge.service import KnowledgeBase

REPO = Path(__file__).resolve().parents[1]
TRAINING_DIR = Path(__file__).resolve().parent / "training"
DEV_SET = REPO / "tests" / "data" / "ask_dev.yaml"
FOLDS = 5
C = 0.5
TOPIC_C = 1.0
#: Share of unanswerable training questions (out of fold) the cut-off must decline.
DECLINE_TARGET = 0.96


def training_questions() -> list[Question]:
    questions: list[Question] = []
    for path in sorted(TRAINING_DIR.glob("*.jsonl")):
        questions.extend(load_questions(path))
    if DEV_SET.exists():
        questions.extend(load_questions(DEV_SET))
    return questions


def hubness(retriever: Retriever, notes: Sequence[tuple[str, list[str]]]) -> dict[str, float]:
    """log((times in another note's top 3 + 1) / (fair share + 1)), by note content.

    A hub is a note whose text is close to everything: measured with the members'
    phrasings of the *other* notes as queries, so it is known before any question.
    """
    counts = {note_id: 0 for note_id, _ in notes}
    queries = 0
    for note_id, phrasings in notes:
        for phrasing in phrasings:
            evidence = retriever.evidence(phrasing)
            ranked = sorted(
                (key[1] for key in evidence if key[1] != note_id),
                key=lambda other: -evidence[(0, other)].cos_content,
            )
            for other in ranked[:3]:
                counts[other] = counts.get(other, 0) + 1
            queries += 1
    fair = 3 * queries / max(1, len(counts))
    return {note: round(math.log((n + 1) / (fair + 1)), 4) for note, n in sorted(counts.items())}


@dataclass
class Candidates:
    """Every training question's candidate notes (with evidence) and its vector."""

    questions: list[Question]
    evidence: list[dict[tuple[int, str], NoteEvidence]]
    vectors: np.ndarray


def candidates(
    retriever: Retriever, questions: Sequence[Question], hubs: dict[str, float]
) -> Candidates:
    evidence = []
    vectors = []
    for question in questions:
        found = retriever.rankings(question.question, MIN_CANDIDATES)
        notes = Retriever.note_evidence(retriever.corpus, found)[0]
        for key, item in notes.items():
            item.hub = hubs.get(key[1], 0.0)
        evidence.append(notes)
        vectors.append(found.query_vector)
    return Candidates(list(questions), evidence, np.array(vectors, dtype=np.float32))


def topic_model(positives: np.ndarray, negatives: np.ndarray) -> tuple[np.ndarray, float]:
    """Logistic regression on question vectors: practice question (1) or not (0)."""
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([positives, negatives])
    y = np.array([1] * len(positives) + [0] * len(negatives))
    model = LogisticRegression(C=TOPIC_C, class_weight="balanced", max_iter=3000).fit(x, y)
    return model.coef_[0], float(model.intercept_[0])


def topicality(
    data: Candidates, phrasing_vectors: np.ndarray, folds: list[np.ndarray] | None
) -> np.ndarray:
    """Each question's topic log-odds; out of fold when ``folds`` (test indices) are given."""
    answerable = np.array([q.answerable for q in data.questions])
    result = np.zeros(len(data.questions))
    for test in folds or [np.arange(len(data.questions))]:
        train = np.ones(len(data.questions), dtype=bool)
        if folds is not None:
            train[test] = False
        coef, intercept = topic_model(
            np.vstack([phrasing_vectors, data.vectors[train & answerable]]),
            data.vectors[train & ~answerable],
        )
        result[test] = data.vectors[test] @ coef + intercept
    return result


@dataclass
class Examples:
    rows: list[list[float]]
    labels: list[int]
    groups: list[int]
    notes: list[str]


def examples(data: Candidates, topic: np.ndarray) -> Examples:
    out = Examples([], [], [], [])
    for group, (question, evidence) in enumerate(zip(data.questions, data.evidence, strict=True)):
        keys = sorted(evidence)
        for key in keys:
            evidence[key].topicality = float(topic[group])
        for key, row in zip(keys, feature_rows([evidence[k] for k in keys]), strict=True):
            out.rows.append(row)
            out.labels.append(int(key[1] in question.expected))
            out.groups.append(group)
            out.notes.append(key[1])
    return out


def question_folds(count: int) -> list[np.ndarray]:
    """Deterministic folds over questions (every ``FOLDS``-th question per fold)."""
    return [np.arange(start, count, FOLDS) for start in range(FOLDS)]


def out_of_fold(data: Examples) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y, groups = np.array(data.rows), np.array(data.labels), np.array(data.groups)
    predicted = np.zeros(len(y))
    for start in range(FOLDS):
        test = groups % FOLDS == start
        model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))
        model.fit(x[~test], y[~test])
        predicted[test] = model.predict_proba(x[test])[:, 1]
    return predicted


def top_choices(
    data: Examples, predicted: np.ndarray, questions: Sequence[Question]
) -> list[tuple[Question, float, bool, bool]]:
    """Per question: the top confidence, and whether the top 1 / top 3 are right."""
    by_group: dict[int, list[tuple[float, str]]] = {}
    for group, note, p in zip(data.groups, data.notes, predicted, strict=True):
        by_group.setdefault(group, []).append((float(p), note))
    choices = []
    for group, question in enumerate(questions):
        ranked = sorted(by_group.get(group, []), key=lambda item: (-item[0], item[1]))
        top = ranked[0][0] if ranked else 0.0
        hit1 = bool(ranked) and ranked[0][1] in question.expected
        hit3 = any(note in question.expected for _, note in ranked[:3])
        choices.append((question, top, hit1, hit3))
    return choices


def _hedge_value(choice: tuple[Question, float, bool, bool]) -> float:
    return 0.5 if choice[3] else -0.5


def cut_offs(
    choices: list[tuple[Question, float, bool, bool]], answerable: np.ndarray
) -> tuple[float, float]:
    """The decline cut-off on answerability, then where a hedge becomes an answer.

    The decline cut-off is the lowest that still declines ``DECLINE_TARGET`` of the
    unanswerable questions, so every real question above it is kept. Above it, a
    confident answer scores +1 when its first note is right and -1 when wrong; a
    hedge (two candidates) scores +0.5 when one of them is right and -0.5 otherwise.
    The answer cut-off maximises the total.
    """
    unreal = sorted(
        float(a) for c, a in zip(choices, answerable, strict=True) if not c[0].answerable
    )
    allowed = int(len(unreal) * (1 - DECLINE_TARGET))
    decline = float(np.nextafter(unreal[len(unreal) - 1 - allowed], 1.0)) if unreal else 0.0
    kept = [c for c, a in zip(choices, answerable, strict=True) if c[0].answerable and a >= decline]
    best_value, answer = -math.inf, 0.0
    for t in sorted({0.0} | {round(c[1], 4) for c in kept}):
        value = sum((1.0 if c[2] else -1.0) if c[1] >= t else _hedge_value(c) for c in kept)
        if value > best_value:
            best_value, answer = value, t
    return decline, answer


def question_rows(
    data: Examples, predicted: np.ndarray, topic: np.ndarray, count: int
) -> np.ndarray:
    """Per question: log-odds of the two best notes' confidence, and the topicality."""
    by_group: dict[int, list[float]] = {}
    for group, p in zip(data.groups, predicted, strict=True):
        by_group.setdefault(group, []).append(float(p))
    rows = []
    for group in range(count):
        best = [*sorted(by_group.get(group, []), reverse=True), 0.0, 0.0]
        rows.append([logit(best[0]), logit(best[1]), float(topic[group])])
    return np.array(rows)


def answerable_model(rows: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=2000).fit(rows, labels)
    return model.coef_[0], float(model.intercept_[0])


def answerable_out_of_fold(rows: np.ndarray, labels: np.ndarray) -> np.ndarray:
    predicted = np.zeros(len(labels))
    for test in question_folds(len(labels)):
        train = np.ones(len(labels), dtype=bool)
        train[test] = False
        coef, intercept = answerable_model(rows[train], labels[train])
        predicted[test] = 1.0 / (1.0 + np.exp(-(rows[test] @ coef + intercept)))
    return predicted


def fit(data: Examples) -> dict[str, object]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x, y = np.array(data.rows), np.array(data.labels)
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=C, max_iter=2000).fit((x - scaler.mean_) / scale, y)
    return {
        "mean": [round(float(v), 6) for v in scaler.mean_],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
    }


async def build_retriever(directory: Path) -> KnowledgeBase:
    knowledge = KnowledgeBase(directory / "chroma")
    await knowledge.ingest()
    knowledge._current_corpus()
    return knowledge


def train(output: Path = RANKER_FILE) -> dict[str, object]:
    # Distress is not a ranking question: the care check answers it before retrieval.
    questions = [q for q in training_questions() if q.kind != "distress"]
    with tempfile.TemporaryDirectory() as tmp:
        knowledge = asyncio.run(build_retriever(Path(tmp)))
        try:
            retriever = knowledge.retriever
            notes = [(n.id, list(n.phrasings)) for n in knowledge.list_notes()]
            hubs = hubness(retriever, notes)
            data = candidates(retriever, questions, hubs)
            phrasing_vectors = knowledge.embeddings.embed_array(
                [p for _, phrasings in notes for p in phrasings]
            )
        finally:
            knowledge.close()
    oof_topic = topicality(data, phrasing_vectors, question_folds(len(questions)))
    oof = examples(data, oof_topic)
    predicted = out_of_fold(oof)
    choices = top_choices(oof, predicted, questions)
    labels = np.array([int(q.answerable) for q in questions])
    oof_rows = question_rows(oof, predicted, oof_topic, len(questions))
    oof_answerable = answerable_out_of_fold(oof_rows, labels)
    decline, answer = cut_offs(choices, oof_answerable)
    topic_coef, topic_intercept = topic_model(
        np.vstack([phrasing_vectors, data.vectors[[q.answerable for q in questions]]]),
        data.vectors[[not q.answerable for q in questions]],
    )
    final_topic = topicality(data, phrasing_vectors, None)
    final = examples(data, final_topic)
    ranker = fit(final)
    # The question-level model learns from out-of-fold note confidences: in use, the
    # ranker scores questions it has not seen, and its in-sample scores are too sure.
    answerable_coef, answerable_intercept = answerable_model(oof_rows, labels)
    weights: dict[str, object] = {
        "format": RANKER_FORMAT,
        "features": list(FEATURE_NAMES),
        **ranker,
        "decline_below": decline,
        "answer_at": answer,
        "hubs": hubs,
        "topic_coef": [round(float(v), 6) for v in topic_coef],
        "topic_intercept": round(topic_intercept, 6),
        "answerable_coef": [round(float(v), 6) for v in answerable_coef],
        "answerable_intercept": round(answerable_intercept, 6),
        "trained_on": len(questions),
    }
    output.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    report(choices, oof_answerable, decline, answer)
    return weights


def report(
    choices: list[tuple[Question, float, bool, bool]],
    answerable: np.ndarray,
    decline: float,
    answer: float,
) -> None:
    """Out-of-fold figures on the training questions (never the headline: not blind)."""
    real = [(c, a) for c, a in zip(choices, answerable, strict=True) if c[0].answerable]
    unreal = [a for c, a in zip(choices, answerable, strict=True) if not c[0].answerable]
    kept = [c for c, a in real if a >= decline]
    print(
        f"{len(choices)} questions ({len(real)} answerable); out of fold: "
        f"hit@1 {sum(c[2] for c, _ in real) / len(real):.3f}, "
        f"hit@3 {sum(c[3] for c, _ in real) / len(real):.3f}, "
        f"wrongly refused {sum(a < decline for _, a in real) / len(real):.3f}, "
        f"declined {sum(a < decline for a in unreal) / max(1, len(unreal)):.3f}, "
        f"hedged {sum(c[1] < answer for c in kept) / max(1, len(kept)):.3f}; "
        f"decline below {decline:.3f}, answer at {answer:.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=RANKER_FILE)
    args = parser.parse_args(argv)
    train(args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
