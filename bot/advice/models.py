"""Value types of the advice check: what a check is told and what it reports.

They are plain, frozen pydantic models so a report can cross any boundary (CLI,
Discord adapter, a future model layer) as JSON without the domain knowing who
reads it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Intent(StrEnum):
    """What the original poster wanted.

    ``SHARING``: they shared a start or a milestone; unrequested advice is the risk.
    ``DETAILS``: they asked for help or depth; detailed answers are welcome (Carol).
    ``UNKNOWN``: not said; the checker infers it from the post.
    """

    SHARING = "sharing"
    DETAILS = "details"
    UNKNOWN = "unknown"


class Reason(BaseModel):
    """One signal that raised the score, pointing at the draft text behind it.

    ``excerpts`` are exact substrings of the draft, so a UI can highlight them and
    the writer can see *which* sentences read as a pile of warnings.
    """

    model_config = ConfigDict(frozen=True)

    code: str
    message: str
    excerpts: list[str] = Field(default_factory=list)
    weight: float = Field(default=0.0, ge=0.0, le=1.0)


class AdviceReport(BaseModel):
    """The outcome of checking one draft reply against the post it answers."""

    model_config = ConfigDict(frozen=True)

    flagged: bool
    score: float = Field(ge=0.0, le=1.0)
    threshold: float = Field(ge=0.0, le=1.0)
    reasons: list[Reason]
    suggestion: str
    kept_aside: list[str]
    tip: str | None = None
    tip_source: str | None = None
    carried: list[str] = Field(default_factory=list)
    intent: Intent
    intent_source: Literal["given", "inferred"]
    #: Why that intent was used, in words for the writer.
    intent_reason: str = ""
    narrow_question: bool = False
    #: ISO 639-1 code of the draft's language.
    language: str = "en"
    #: False when the draft could not be judged (a language the check can't read yet).
    checked: bool = True
    #: "checker" (offline), or "model" when a language model's second opinion decided.
    verdict_source: Literal["checker", "model"] = "checker"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; the first four keys are the stable CLI contract."""
        return {
            "flagged": self.flagged,
            "score": round(self.score, 4),
            "reasons": [r.model_dump() for r in self.reasons],
            "suggestion": self.suggestion,
            "threshold": round(self.threshold, 4),
            "kept_aside": list(self.kept_aside),
            "tip": self.tip,
            "tip_source": self.tip_source,
            "carried": list(self.carried),
            "intent": self.intent.value,
            "intent_source": self.intent_source,
            "intent_reason": self.intent_reason,
            "narrow_question": self.narrow_question,
            "language": self.language,
            "checked": self.checked,
            "verdict_source": self.verdict_source,
        }
