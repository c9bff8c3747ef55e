"""Train the care check: ``python -m bot.care.training`` (``make care-model``).

The first care check compared a question with hand-written statements and used
thresholds set on sentences from the same hand. On questions written by someone
else it caught 11 of 20 distressed ones and gave the kind reply to 10 of 160 others.
So the judgement is now learned: a logistic model over the question's MiniLM vector,
its closeness to the prototype statements, and two lexical signals, trained on
messages from several writers:

- ``bot/care/corpus/*.jsonl``: ``{"text", "label"}`` with label ``distress``,
  ``crisis``, ``practice`` or ``offtopic``;
- the /ask training questions (``knowledge/training/*.jsonl``: kind ``distress`` is
  distress, everything else is not);
- the notes' phrasings (how members describe practice problems: hard negatives);
- the prototype statements themselves.

The cut-off is chosen out of fold: the lowest score at which at most
``MAX_FALSE_ALARMS`` of the practice and off-topic messages get the kind reply. The
training also prints how a model that never saw the /ask questions' writer does on
them. Missing someone in pain costs more than
a kind word to someone who did not need it, so the cut leans towards recall.
Deterministic; scikit-learn is a development dependency.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.care.detect import WEIGHTS_PATH, CareDetector, care_features
from bot.care.prototypes import CRISIS, DISTRESS, PRACTICE
from knowledge.note import SHIPPED_NOTES_DIR, load_notes

CORPUS = Path(__file__).resolve().parent / "corpus"
ASK_TRAINING = Path(__file__).resolve().parents[2] / "knowledge" / "training"
MAX_FALSE_ALARMS = 0.03
C_GRID = (0.3, 1.0, 3.0, 10.0)
FOLDS = 5
OTHER_WRITER = "ask_tune"


@dataclass
class Sample:
    text: str
    distress: bool
    crisis: bool
    source: str


def samples() -> list[Sample]:
    out: list[Sample] = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                label = row["label"]
                out.append(
                    Sample(
                        row["text"], label in ("distress", "crisis"), label == "crisis", path.stem
                    )
                )
    for path in sorted(ASK_TRAINING.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append(Sample(row["question"], row.get("kind") == "distress", False, path.stem))
    notes, _ = load_notes([SHIPPED_NOTES_DIR])
    out += [Sample(p, False, False, "phrasings") for n in notes for p in n.phrasings]
    out += [Sample(t, True, False, "prototypes") for t in DISTRESS]
    out += [Sample(t, True, True, "prototypes") for t in CRISIS]
    out += [Sample(t, False, False, "prototypes") for t in PRACTICE]
    return out


def fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(x, y)
    return model.coef_[0], float(model.intercept_[0])


def out_of_fold(x: np.ndarray, y: np.ndarray, c: float) -> np.ndarray:
    """Scores for every sample from a model that did not see it (fixed folds)."""
    scores = np.zeros(len(y))
    for start in range(FOLDS):
        test = np.arange(len(y)) % FOLDS == start
        coef, intercept = fit(x[~test], y[~test], c)
        scores[test] = x[test] @ coef + intercept
    return scores


def cut_for(scores: np.ndarray, y: np.ndarray) -> float:
    """The lowest cut that gives the kind reply to at most MAX_FALSE_ALARMS of the rest."""
    negatives = np.sort(scores[y == 0])
    allowed = int(len(negatives) * MAX_FALSE_ALARMS)
    return float(np.nextafter(negatives[len(negatives) - 1 - allowed], np.inf))


def other_writer(x: np.ndarray, y: np.ndarray, sources: np.ndarray, c: float, cut: float) -> str:
    """Recall and false alarms on the /ask training questions, by a model that never saw
    them: the one figure here from a writer the model did not learn from."""
    test = sources == OTHER_WRITER
    if not test.any() or y[test].sum() == 0:
        return "no held-out writer"
    coef, intercept = fit(x[~test], y[~test], c)
    scores = x[test] @ coef + intercept
    caught = int((scores[y[test] == 1] >= cut).sum())
    alarms = int((scores[y[test] == 0] >= cut).sum())
    return (
        f"held-out writer ({OTHER_WRITER}): distress caught {caught}/{int(y[test].sum())}, "
        f"kind reply to {alarms}/{int((y[test] == 0).sum())} others"
    )


def train(output: Path = WEIGHTS_PATH) -> dict[str, object]:
    data = samples()
    detector = CareDetector()
    x = np.array([care_features(detector, s.text) for s in data], dtype=np.float64)
    y = np.array([int(s.distress) for s in data])
    sources = np.array([s.source for s in data])
    best: tuple[float, float, float] | None = None
    for c in C_GRID:
        scores = out_of_fold(x, y, c)
        cut = cut_for(scores, y)
        recall = float(np.mean(scores[y == 1] >= cut))
        print(f"C={c}: out-of-fold recall {recall:.3f} at {MAX_FALSE_ALARMS:.0%} false alarms")
        if best is None or recall > best[1]:
            best = (c, recall, cut)
    assert best is not None
    c, recall, cut = best
    print(other_writer(x, y, sources, c, cut))
    coef, intercept = fit(x, y, c)
    weights: dict[str, object] = {
        "coef": [round(float(v), 6) for v in coef],
        "intercept": round(intercept, 6),
        "cut": round(cut, 6),
        "C": c,
        "out_of_fold_recall": round(recall, 3),
        "trained_on": len(data),
    }
    output.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {output} (C={c}, cut {cut:.3f})")
    return weights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=WEIGHTS_PATH)
    args = parser.parse_args(argv)
    train(args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
