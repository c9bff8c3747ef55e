"""The premature-advice check: score a draft reply, explain it, offer a kinder one.

Pure, synchronous and deterministic so it can run on every draft in a few
milliseconds; a language-model layer, if any, wraps it elsewhere.

How the score is built: each signal yields a strength in [0, 1] and a weight that
depends on what the poster wanted. Weights are combined noisy-or style
(1 - Π(1 - w·s)), so any single strong signal can flag on its own, weak signals
add up, and the score stays in [0, 1]. What the poster wanted decides the weights:
a pile of instructions matters for someone sharing a start, not for someone who
said "be thorough"; caveats matter after a narrow question; gatekeeping matters
always.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.advice.features import PointFacts, answer_span, point_facts
from bot.advice.intent import read_intent
from bot.advice.models import AdviceReport, Intent, Reason
from bot.advice.rewrite import gentler
from bot.advice.text import split_points, word_count


@dataclass(frozen=True)
class _Weights:
    gatekeeping: float
    harsh: float
    instructions: float
    scope: float
    jargon: float
    length: float


# Per mode: "sharing" (Alice), "broad" (Carol: asked for depth), "narrow" (one question).
_WEIGHTS: dict[str, _Weights] = {
    "sharing": _Weights(
        gatekeeping=0.9, harsh=0.45, instructions=0.7, scope=0.2, jargon=0.35, length=0.3
    ),
    "narrow": _Weights(
        gatekeeping=0.9, harsh=0.45, instructions=0.0, scope=0.75, jargon=0.0, length=0.35
    ),
    "broad": _Weights(
        gatekeeping=0.9, harsh=0.2, instructions=0.0, scope=0.0, jargon=0.0, length=0.0
    ),
}


def _clamp(x: float) -> float:
    return 0.0 if x < 0 else 1.0 if x > 1 else x


def threshold_for(sensitivity: float) -> float:
    """Map sensitivity 0..1 (flag rarely..readily) to a score threshold 0.8..0.2."""
    return 0.8 - 0.6 * sensitivity


class RuleChecker:
    """The first-generation check: hand-written signals and weights (kept as a baseline and a feature)."""

    def __init__(self, sensitivity: float = 0.5) -> None:
        if not 0.0 <= sensitivity <= 1.0:
            raise ValueError(f"sensitivity must be between 0 and 1, got {sensitivity}")
        self.sensitivity = sensitivity
        self.threshold = threshold_for(sensitivity)

    def check(self, post: str, reply: str, intent: Intent = Intent.UNKNOWN) -> AdviceReport:
        """Score ``reply`` as an answer to ``post`` and propose a gentler version if flagged."""
        reading = read_intent(post)
        source: str = "given"
        if intent is Intent.UNKNOWN:
            intent, source = reading.intent, "inferred"
        narrow = intent is Intent.DETAILS and reading.narrow
        mode = "narrow" if narrow else "broad" if intent is Intent.DETAILS else "sharing"
        weights = _WEIGHTS[mode]

        facts = point_facts(split_points(reply), post)
        n_answer = answer_span(facts) if narrow else 0
        reasons = _reasons(facts, reply, post, mode, weights, n_answer)
        score = 1.0
        for r in reasons:
            score *= 1.0 - r.weight
        score = _clamp(1.0 - score)
        flagged = score >= self.threshold

        if flagged:
            rw = gentler(
                post, reply, facts, sharing=mode == "sharing", narrow=narrow, answer_points=n_answer
            )
            suggestion, kept, carried = rw.suggestion, rw.kept_aside, rw.carried
            tip, tip_source = rw.tip, rw.tip_source
        else:
            suggestion, kept, carried, tip, tip_source = reply, [], [], None, None
        return AdviceReport(
            flagged=flagged,
            score=round(score, 6),
            threshold=self.threshold,
            reasons=[r for r in reasons if r.weight > 0],
            suggestion=suggestion,
            kept_aside=kept,
            tip=tip,
            tip_source=tip_source,
            carried=carried,
            intent=intent,
            intent_source="given" if source == "given" else "inferred",
            narrow_question=narrow,
        )


def _reasons(
    facts: list[PointFacts], reply: str, post: str, mode: str, w: _Weights, n_answer: int
) -> list[Reason]:
    out: list[Reason] = []

    gate = [g for f in facts for g in f.gatekeeping]
    if gate:
        out.append(
            Reason(
                code="gatekeeping",
                message="Tells them they are not ready, too late, or doing it wrong — "
                "this is what makes beginners quit.",
                excerpts=gate,
                weight=w.gatekeeping,
            )
        )

    harsh = [h for f in facts for h in f.harsh]
    if harsh:
        out.append(
            Reason(
                code="discouraging",
                message="Judges their attempt rather than offering a next step.",
                excerpts=harsh,
                weight=round(w.harsh * _clamp(len(harsh) / 3), 6),
            )
        )

    directive_points = [f for f in facts if f.directives]
    n_directives = sum(len(f.directives) for f in facts)
    if w.instructions and n_directives >= 2:
        strength = _clamp((n_directives - 1) / 2.5)
        out.append(
            Reason(
                code="many_instructions",
                message=f"{n_directives} separate instructions or warnings nobody asked for; "
                "one at a time lands better.",
                excerpts=[f.point.text for f in directive_points],
                weight=round(w.instructions * strength, 6),
            )
        )

    out.extend(_scope_reasons(facts, directive_points, mode, w, n_answer))
    out.extend(_size_reasons(facts, reply, post, mode, w))
    return out


def _scope_reasons(
    facts: list[PointFacts],
    directive_points: list[PointFacts],
    mode: str,
    w: _Weights,
    n_answer: int,
) -> list[Reason]:
    """Advice beyond what was asked: past the answer (narrow) or off the post's topic."""
    if mode == "narrow":
        extra = [f for f in facts[n_answer:] if f.directives]
        if extra:
            return [
                Reason(
                    code="unrequested_scope",
                    message="The question is answered, then buried under advice on things "
                    "they didn't ask about.",
                    excerpts=[f.point.text for f in extra],
                    weight=round(w.scope * _clamp((len(extra) - 1) / 3), 6),
                )
            ]
    elif w.scope:
        off = [f for f in directive_points if not f.on_topic]
        if len(off) > 2:
            return [
                Reason(
                    code="unrequested_scope",
                    message="Advice about things the post never mentioned.",
                    excerpts=[f.point.text for f in off],
                    weight=round(w.scope * _clamp((len(off) - 2) / 4), 6),
                )
            ]
    return []


def _size_reasons(
    facts: list[PointFacts], reply: str, post: str, mode: str, w: _Weights
) -> list[Reason]:
    """Too much for a newcomer: dense jargon, then sheer length (in that order)."""
    out: list[Reason] = []
    terms = [t for f in facts for t in f.jargon]
    words = max(word_count(reply), 1)
    density = len(terms) / words
    if w.jargon and len(terms) >= 3:
        out.append(
            Reason(
                code="jargon",
                message=f"Dense with specialist terms ({len(terms)} in {words} words) for "
                "someone just starting.",
                excerpts=terms,
                weight=round(w.jargon * _clamp((density - 0.03) / 0.1), 6),
            )
        )

    if w.length:
        budget = 40 if mode == "narrow" else 60
        span = 60.0 if mode == "narrow" else 120.0
        if words > budget:
            out.append(
                Reason(
                    code="length",
                    message=f"{words} words in reply to a {word_count(post)}-word post; "
                    "much more than was asked for.",
                    excerpts=_past_budget(facts, budget),
                    weight=round(w.length * _clamp((words - budget) / span), 6),
                )
            )
    return out


def _past_budget(facts: list[PointFacts], budget: int) -> list[str]:
    """The points that start after the first ``budget`` words: where the reply overruns."""
    seen = 0
    out: list[str] = []
    for f in facts:
        if seen >= budget:
            out.append(f.point.text)
        seen += word_count(f.point.text)
    return out
