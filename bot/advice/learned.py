"""The learned models of the advice check: their weights and how they are applied.

Three small models, trained by ``python -m bot.advice.training`` from the labelled
corpus beside this package and stored in ``weights.json``:

- **intent** (linear): what the poster wanted (sharing a start, one narrow
  question, or depth), from the post's meaning and shape;
- **verdict** (a few one-hidden-layer networks, their logits averaged): whether the
  draft would overwhelm or discourage that poster, from its points' meaning and
  shape, each also weighed by the intent probabilities, so "a pile of points" can
  count against a share and not against a request. A linear verdict cannot say
  "warm *and* one tip is fine, warm *and* five warnings is not"; the hidden units can
  (see :mod:`bot.advice.training` for the held-out-writer figures);
- **reason** (linear): which kind of problem a flagged draft has, for the report.

Applying them is a few small matrix products with numpy: deterministic and well
under a millisecond. Standardisation is folded into the weights at load time. The
report finds the sentences behind a verdict by leaving each out in turn
(:mod:`bot.advice.checker`), which works for any of these models.
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
class Network:
    """One hidden layer of ReLU units and a logistic output (scikit-learn's
    ``MLPClassifier``), with standardisation folded into the first layer."""

    hidden: FloatArray  # (units, features)
    hidden_bias: FloatArray  # (units,)
    out: FloatArray  # (units,)
    out_bias: float

    @classmethod
    def from_json(cls, data: dict[str, Any], mean: FloatArray, scale: FloatArray) -> Network:
        hidden = np.asarray(data["hidden"], dtype=np.float64) / scale
        hidden_bias = np.asarray(data["hidden_bias"], dtype=np.float64) - hidden @ mean
        return cls(
            hidden=hidden,
            hidden_bias=hidden_bias,
            out=np.asarray(data["out"], dtype=np.float64),
            out_bias=float(data["out_bias"]),
        )

    def logit(self, x: FloatArray) -> float:
        units = np.maximum(self.hidden @ x + self.hidden_bias, 0.0)
        return float(self.out @ units + self.out_bias)


@dataclass(frozen=True)
class Ensemble:
    """Binary verdict from several networks trained from different seeds: their mean
    logit, so one unlucky start cannot decide a draft on its own."""

    members: tuple[Network, ...]
    classes: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ensemble:
        mean = np.asarray(data["mean"], dtype=np.float64)
        scale = np.asarray(data["scale"], dtype=np.float64)
        return cls(
            members=tuple(Network.from_json(m, mean, scale) for m in data["members"]),
            classes=tuple(data["classes"]),
        )

    def probabilities(self, x: FloatArray) -> FloatArray:
        """[P(fine), P(flagged)]."""
        z = float(np.mean([m.logit(x) for m in self.members]))
        p = 1.0 / (1.0 + np.exp(-z))
        return np.array([1.0 - p, p])


@dataclass(frozen=True)
class AdviceModels:
    intent: Linear
    verdict: Ensemble
    reason: Linear
    #: How many labelled pairs and which sources the weights came from.
    provenance: dict[str, Any]


def load_models(path: Path = WEIGHTS_PATH) -> AdviceModels:
    data = json.loads(path.read_text(encoding="utf-8"))
    return AdviceModels(
        intent=Linear.from_json(data["intent"]),
        verdict=Ensemble.from_json(data["verdict"]),
        reason=Linear.from_json(data["reason"]),
        provenance=dict(data.get("provenance", {})),
    )


@functools.cache
def shared_models() -> AdviceModels:
    """The process-wide weights, read once."""
    return load_models()


def _rounded(a: npt.ArrayLike) -> Any:
    """Six decimals: the weights file is read by people in diffs too."""
    return np.round(np.asarray(a, dtype=np.float64), 6).tolist()


def _still(scale: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Features that barely varied in training (a few MiniLM output dimensions hardly
    move): their scale would round to 0, so they are stored with scale 1 and no
    weight, and can neither divide by zero nor blow up on an input unlike the training
    data."""
    return np.asarray(scale, dtype=np.float64) < 1e-6


def _standardisation(mean: npt.ArrayLike, scale: npt.ArrayLike) -> dict[str, Any]:
    """The stored mean and scale, with :func:`_still` features at scale 1."""
    return {"mean": _rounded(mean), "scale": _rounded(np.where(_still(scale), 1.0, scale))}


def _without_still(weights: npt.ArrayLike, scale: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """``weights`` (features on the last axis) with no weight on :func:`_still` ones."""
    out = np.array(weights, dtype=np.float64)
    out[..., _still(scale)] = 0.0
    return out


def linear_to_json(
    coef: npt.ArrayLike,
    intercept: npt.ArrayLike,
    mean: npt.ArrayLike,
    scale: npt.ArrayLike,
    classes: list[str],
) -> dict[str, Any]:
    """The stored form of one linear model (rounded, still features without weight)."""
    return {
        "classes": classes,
        "coef": _rounded(_without_still(coef, scale)),
        "intercept": _rounded(intercept),
        **_standardisation(mean, scale),
    }


def ensemble_to_json(
    members: list[tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike, float]],
    mean: npt.ArrayLike,
    scale: npt.ArrayLike,
    classes: list[str],
) -> dict[str, Any]:
    """The stored form of an ensemble: one standardisation, then each member's
    (hidden, hidden_bias, out, out_bias), stored like :func:`linear_to_json`."""
    stored = [
        {
            "hidden": _rounded(_without_still(hidden, scale)),
            "hidden_bias": _rounded(hidden_bias),
            "out": _rounded(out),
            "out_bias": round(float(out_bias), 6),
        }
        for hidden, hidden_bias, out, out_bias in members
    ]
    return {"classes": classes, **_standardisation(mean, scale), "members": stored}
