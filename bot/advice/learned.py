"""The learned models of the advice check: their weights and how they are applied.

Three small linear models, trained by ``python -m bot.advice.training`` from the
labelled corpus beside this package and stored in ``weights.json``:

- **intent**: what the poster wanted (sharing a start, one narrow question, or
  depth), from the post's meaning and shape;
- **verdict**: whether the draft would overwhelm or discourage that poster, from
  its points' meaning and shape, each also weighed by the intent probabilities, so
  "a pile of points" can count against a share and not against a request;
- **reason**: which kind of problem a flagged draft has, for the report's wording.

Applying them is a few dot products with numpy: deterministic and well under a
millisecond. Standardisation is folded into the weights at load time, so a point's
share of the verdict is its row times the weights, exactly.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

WEIGHTS_PATH: Path = Path(__file__).resolve().parent / "weights.json"


@dataclass(frozen=True)
class Linear:
    """A (multinomial or binary) logistic model with standardisation folded in."""

    coef: FloatArray  # (classes, features); binary models have one row
    intercept: FloatArray  # (classes,)
    classes: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Linear:
        mean = np.asarray(data["mean"], dtype=np.float64)
        scale = np.asarray(data["scale"], dtype=np.float64)
        coef = np.atleast_2d(np.asarray(data["coef"], dtype=np.float64)) / scale
        intercept = np.asarray(data["intercept"], dtype=np.float64) - coef @ mean
        return cls(coef=coef, intercept=intercept, classes=tuple(data["classes"]))

    def logits(self, x: FloatArray) -> FloatArray:
        out: FloatArray = self.coef @ x + self.intercept
        return out

    def probabilities(self, x: FloatArray) -> FloatArray:
        """Class probabilities; for a binary model, [P(negative), P(positive)]."""
        z = self.logits(x)
        if len(self.classes) == 2 and z.shape[0] == 1:
            p = 1.0 / (1.0 + np.exp(-z[0]))
            return np.array([1.0 - p, p])
        e = np.exp(z - z.max())
        out: FloatArray = e / e.sum()
        return out


@dataclass(frozen=True)
class AdviceModels:
    intent: Linear
    verdict: Linear
    reason: Linear
    #: How many labelled pairs and which sources the weights came from.
    provenance: dict[str, Any]


def load_models(path: Path = WEIGHTS_PATH) -> AdviceModels:
    data = json.loads(path.read_text(encoding="utf-8"))
    return AdviceModels(
        intent=Linear.from_json(data["intent"]),
        verdict=Linear.from_json(data["verdict"]),
        reason=Linear.from_json(data["reason"]),
        provenance=dict(data.get("provenance", {})),
    )


@functools.cache
def shared_models() -> AdviceModels:
    """The process-wide weights, read once."""
    return load_models()


def linear_to_json(
    coef: npt.ArrayLike,
    intercept: npt.ArrayLike,
    mean: npt.ArrayLike,
    scale: npt.ArrayLike,
    classes: list[str],
) -> dict[str, Any]:
    """The stored form of one model (rounded: the file is read by people in diffs too).

    A feature that barely varies in training (a few MiniLM output dimensions hardly
    move) would round to a scale of 0; it is stored with scale 1 and no weight, so it
    can neither divide by zero nor blow up on an input unlike the training data.
    """

    def r(a: npt.ArrayLike) -> Any:
        return np.round(np.asarray(a, dtype=np.float64), 6).tolist()

    scale_arr = np.asarray(scale, dtype=np.float64)
    still = scale_arr < 1e-6
    coef_arr = np.array(coef, dtype=np.float64)
    coef_arr[..., still] = 0.0
    return {
        "classes": classes,
        "coef": r(coef_arr),
        "intercept": r(intercept),
        "mean": r(mean),
        "scale": r(np.where(still, 1.0, scale_arr)),
    }
