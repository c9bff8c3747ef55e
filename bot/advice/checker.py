"""The premature-advice check: judge a draft reply, explain it, offer a kinder one.

Second generation: the judgement is learned from a labelled corpus written in many
community voices (see ``corpus/LABELS.md``), not from phrase lists, because phrase
lists did not survive replies written by other people. The steps:

1. **Language.** The models read English. Another language gets a plain "can't
   check this language yet" report, never a silent "looks fine".
2. **Intent.** A forum tag or the writer's own choice wins; otherwise the intent
   model reads the post (sharing a start, one narrow question, or a request for
   depth). The report says which was used and why.
3. **Verdict.** A logistic model over the reply's points (their meaning from
   MiniLM's distilled vectors, their shape from surface counts and the rule
   checker's signals), each weighed by the intent probabilities. Its probability
   is the score; the server's sensitivity sets the cut.
4. **Why.** The reason model names the kind of problem, and the report quotes the
   points that carry the verdict: those whose removal lowers it most.
5. **A gentler version** (:mod:`bot.advice.rewrite`): warmth, at most one kind tip,
   and the rest of the advice kept aside for when it is asked for.

Pure, synchronous and deterministic; a few milliseconds per draft.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.advice.features import answer_span, point_facts
from bot.advice.featurize import (
    INTENTS,
    Embedder,
    FloatArray,
    PointView,
    apply_tag,
    intent_vector,
    post_view,
    reply_gists,
    reply_points,
    reply_vector,
)
from bot.advice.language import detect_language
from bot.advice.learned import AdviceModels, shared_models
from bot.advice.models import AdviceReport, Intent, Reason
from bot.advice.rewrite import Rewrite, gentler
from bot.advice.rules import RuleChecker
from knowledge.embeddings import shared_embeddings
from knowledge.static_vectors import StaticVectors, shared_static_vectors

#: What each reason says; ``{n}`` is the number of quoted points.
_REASON_TEXT: dict[str, tuple[str, str]] = {
    "pile": (
        "many_points",
        "A pile of points, warnings or requirements nobody asked for; one at a time lands better.",
    ),
    "discouraging": (
        "discouraging",
        "Reads as discouraging: it tells them they are not ready, too late, or unlikely to "
        "succeed. This is what makes beginners quit.",
    ),
    "sarcasm": ("sarcasm", "Sarcastic or dismissive: it can land as mockery, whatever was meant."),
    "contempt": (
        "contempt",
        "They asked for critique of the work, not of themselves: this part sneers at the person.",
    ),
    "buried": (
        "unrequested_scope",
        "The question is answered, then buried under advice about things they didn't ask about.",
    ),
    "correction": (
        "correction",
        "A correction of a detail they didn't ask about; it deflates what they shared.",
    ),
}
#: Points quoted under a reason, at most.
_MAX_EXCERPTS = 4


def threshold_for(sensitivity: float) -> float:
    """Map sensitivity 0..1 (flag rarely..readily) to a probability cut 0.8..0.2."""
    return 0.8 - 0.6 * sensitivity


#: Reasons that need more than one point: a pile, or an answer buried under more.
_PILE_REASONS = frozenset({"pile", "buried"})
#: Reasons whose quoted points are scorn, not advice.
_SCORN_CODES = frozenset({"discouraging", "sarcasm", "contempt", "correction"})


@dataclass(frozen=True)
class _Reading:
    """What the poster wanted, as used, and why."""

    intent: Intent
    source: str  # "given" or "inferred"
    probs: FloatArray
    narrow: bool
    why: str


class AdviceChecker:
    """Checks a draft reply for premature, overwhelming, discouraging or scornful advice."""

    def __init__(
        self,
        sensitivity: float = 0.5,
        *,
        models: AdviceModels | None = None,
        vectors: StaticVectors | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        if not 0.0 <= sensitivity <= 1.0:
            raise ValueError(f"sensitivity must be between 0 and 1, got {sensitivity}")
        self.sensitivity = sensitivity
        self.threshold = threshold_for(sensitivity)
        self._models = models or shared_models()
        self._vectors = vectors or shared_static_vectors()
        self._embedder = embedder or shared_embeddings()
        self._rules = RuleChecker()

    def check(
        self,
        post: str,
        reply: str,
        intent: Intent = Intent.UNKNOWN,
        *,
        second_opinion: tuple[bool, str] | None = None,
    ) -> AdviceReport:
        """Judge ``reply`` as an answer to ``post``; propose a gentler version if flagged.

        ``second_opinion`` (verdict, reason) is a language model's answer on a close call;
        when given, it decides the verdict and its reason is shown first.
        """
        language = detect_language(reply)
        reading = self._read_intent(post, intent)
        if not language.is_english:
            return self._unchecked(reply, reading, language.code, language.name)
        views = reply_points(post, reply, self._vectors)
        rule_score = self._rules.check(post, reply, intent).score
        gist = reply_gists([reply], self._embedder)[0]
        x, _ = reply_vector(reply, views, rule_score, reading.probs, gist)
        probability = float(self._models.verdict.probabilities(x)[1])
        flagged = self._decide(probability, reading, views, x, second_opinion)
        reasons: list[Reason] = []
        rewrite: Rewrite | None = None
        if flagged:
            drops = self._weights_of_points(
                reply, views, rule_score, reading.probs, gist, probability
            )
            reasons = self._reasons(x, views, drops)
            rewrite = self._rewrite(post, reply, views, drops, reasons, reading)
        if second_opinion is not None and views:
            reasons.insert(0, _opinion_reason(flagged, second_opinion[1]))
        return AdviceReport(
            flagged=flagged,
            score=round(probability, 6),
            threshold=self.threshold,
            reasons=reasons,
            suggestion=rewrite.suggestion if rewrite else reply,
            kept_aside=rewrite.kept_aside if rewrite else [],
            tip=rewrite.tip if rewrite else None,
            tip_source=rewrite.tip_source if rewrite else None,
            carried=rewrite.carried if rewrite else [],
            intent=reading.intent,
            intent_source="given" if reading.source == "given" else "inferred",
            intent_reason=reading.why,
            narrow_question=reading.narrow,
            language="en",
            verdict_source="model" if second_opinion is not None and views else "checker",
        )

    def _decide(
        self,
        probability: float,
        reading: _Reading,
        views: list[PointView],
        x: FloatArray,
        second_opinion: tuple[bool, str] | None,
    ) -> bool:
        """The verdict: the model's cut, the guide's one structural rule, a second opinion."""
        if not views:
            return False
        if second_opinion is not None:
            return second_opinion[0]
        flagged = probability >= self.threshold
        if flagged and reading.narrow and len(views) == 1 and self._primary(x) in _PILE_REASONS:
            return False  # one point cannot bury a narrow question (LABELS.md)
        return flagged

    def _rewrite(
        self,
        post: str,
        reply: str,
        views: list[PointView],
        drops: FloatArray,
        reasons: list[Reason],
        reading: _Reading,
    ) -> Rewrite:
        """The gentler version, keeping scornful points out of the tip and the kept advice."""
        top = float(drops.max()) if len(drops) else 0.0
        facts = point_facts([v.point for v in views], post)
        return gentler(
            post,
            reply,
            facts,
            sharing=reading.intent is Intent.SHARING,
            narrow=reading.narrow,
            answer_points=answer_span(facts) if reading.narrow else 0,
            hostile=[
                self._hostile(v, float(d), top, reasons) for v, d in zip(views, drops, strict=True)
            ],
        )

    # --- steps -------------------------------------------------------------------

    def _read_intent(self, post: str, given: Intent) -> _Reading:
        predicted = self._models.intent.probabilities(intent_vector(post_view(post, self._vectors)))
        tag = given.value if given is not Intent.UNKNOWN else None
        probs = apply_tag(tag, predicted)
        best = INTENTS[int(np.argmax(probs))]
        narrow = best == "narrow"
        if tag is not None:
            intent = given
            why = (
                "The poster said they are sharing, not asking (tag or choice)."
                if given is Intent.SHARING
                else "The poster said they want details (tag or choice)."
            )
            return _Reading(intent, "given", probs, False, why)
        share = float(probs[int(np.argmax(probs))])
        certainty = "clearly" if share >= 0.75 else "probably"
        intent = Intent.SHARING if best == "sharing" else Intent.DETAILS
        why = {
            "sharing": f"Their post {certainty} shares a start or an update; it doesn't ask for advice.",
            "narrow": f"Their post {certainty} asks one specific question.",
            "details": f"Their post {certainty} asks for depth, feedback or critique.",
        }[best]
        return _Reading(intent, "inferred", probs, narrow, why)

    def _weights_of_points(
        self,
        reply: str,
        views: list[PointView],
        rule_score: float,
        probs: FloatArray,
        gist: FloatArray,
        p: float,
    ) -> FloatArray:
        """How much each point carries the verdict: the drop in probability without it.

        Judging a point alone would put it out of the model's experience (a lone
        "Welcome back!" looks like a one-line brush-off); leaving it out keeps the
        rest of the reply as context. The gist stays that of the whole reply: it is
        the tone the points are read in, and re-reading it per point would cost a
        model pass each.
        """
        drops = np.zeros(len(views))
        if len(views) == 1:
            drops[0] = p
            return drops
        for i in range(len(views)):
            rest = views[:i] + views[i + 1 :]
            x, _ = reply_vector(reply, rest, rule_score, probs, gist)
            drops[i] = p - float(self._models.verdict.probabilities(x)[1])
        return drops

    def _primary(self, x: FloatArray) -> str:
        """The reason model's first choice."""
        probs = self._models.reason.probabilities(x)
        return self._models.reason.classes[int(np.argmax(probs))]

    def _reasons(self, x: FloatArray, views: list[PointView], drops: FloatArray) -> list[Reason]:
        probs = self._models.reason.probabilities(x)
        order = [int(i) for i in np.argsort(-probs)]
        ranked = [int(i) for i in np.argsort(-drops)]
        top = float(drops[ranked[0]])
        behind = [i for i in ranked if drops[i] > 0 and drops[i] >= top / 3][:_MAX_EXCERPTS]
        excerpts = [views[i].point.text for i in sorted(behind or ranked[:1])]
        reasons: list[Reason] = []
        for rank, index in enumerate(order[:2]):
            if rank == 1 and probs[index] < 0.3:
                break
            code, message = _REASON_TEXT[self._models.reason.classes[index]]
            reasons.append(
                Reason(
                    code=code,
                    message=message,
                    excerpts=excerpts if rank == 0 else [],
                    weight=round(float(probs[index]), 6),
                )
            )
        return reasons

    @staticmethod
    def _hostile(view: PointView, drop: float, top: float, reasons: list[Reason]) -> bool:
        """A point that scorns or discourages: never the tip, never kept as advice."""
        laugh, gate, harsh = (view.surface[i] > 0 for i in (5, 8, 9))
        scornful = bool(reasons) and reasons[0].code in _SCORN_CODES
        carries = drop > 0.05 and drop >= top / 2
        return bool(gate or harsh or laugh or (scornful and carries))

    def _unchecked(self, reply: str, reading: _Reading, code: str, name: str) -> AdviceReport:
        return AdviceReport(
            flagged=False,
            score=0.0,
            threshold=self.threshold,
            reasons=[
                Reason(
                    code="language_unsupported",
                    message=f"Touchstone can't check replies in {name} yet, so this one was "
                    "not checked. Read it once more with the poster in mind before posting.",
                )
            ],
            suggestion=reply,
            kept_aside=[],
            intent=reading.intent,
            intent_source="given" if reading.source == "given" else "inferred",
            intent_reason=reading.why,
            narrow_question=reading.narrow,
            language=code,
            checked=False,
        )


def _opinion_reason(flagged: bool, why: str) -> Reason:
    verdict = "a close call it judged too much" if flagged else "a close call it judged fine"
    return Reason(code="second_opinion", message=f"A language model was asked ({verdict}): {why}")
