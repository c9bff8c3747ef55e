"""Closing the loop: what a person answers to "What happened?" after a dialogue.

The follow-up DM asks whether the prediction held; the reply is read here (its first
word: yes, partly or no) and kept with the dialogue, next to the prediction it checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

HELD = "held"
PARTLY = "partly"
NOT_HELD = "not"
#: Added to every follow-up DM, so the reply can be read as a check of the prediction.
ASK = (
    "Reply here: start with yes, partly or no (did your prediction hold?), then say what happened."
)
_FIRST = re.compile(r"^\W*([a-z']+)")
_WORDS = {
    HELD: ("yes", "yep", "yeah", "held", "true", "right", "correct", "y"),
    PARTLY: ("partly", "partially", "somewhat", "half", "mixed", "kind", "sort"),
    NOT_HELD: ("no", "nope", "not", "wrong", "false", "n", "didn't", "didnt"),
}


def parse_held(text: str) -> str | None:
    """held / partly / not from the first word of the reply; None when it doesn't say."""
    match = _FIRST.match(text.strip().lower())
    if match is None:
        return None
    word = match.group(1)
    return next((verdict for verdict, words in _WORDS.items() if word in words), None)


def describe(held: str | None) -> str:
    return {
        HELD: "the prediction held",
        PARTLY: "the prediction partly held",
        NOT_HELD: "the prediction did not hold",
    }.get(held or "", "whether the prediction held is not said")


def prediction_of(state: dict[str, Any]) -> str | None:
    """What the dialogue predicted: the prediction of "why is this impossible?", the
    agreed test of a double crux."""
    prediction = state.get("prediction")
    if isinstance(prediction, str) and prediction:
        return prediction
    test = state.get("test")
    if isinstance(test, dict) and test.get("detail"):
        return str(test["detail"])
    return None


@dataclass(frozen=True)
class PredictionTally:
    """Predictions checked in a period, and how often they held."""

    checked: int = 0
    held: int = 0
    partly: int = 0
    not_held: int = 0

    def describe(self) -> str:
        if not self.checked:
            return "Predictions checked: none this month."
        return (
            f"Predictions checked: {self.checked} (held: {self.held}, partly: {self.partly}, "
            f"not: {self.not_held})."
        )
