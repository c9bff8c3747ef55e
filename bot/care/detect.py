"""Telling a question that shows real distress from a question about practice.

A person who writes "what's the point, I fail at everything" to /ask should not get a
note on deliberate practice; a person who writes "my practice feels pointless without
feedback" should. Phrase lists cannot tell these apart (both say "point"), and they
miss every way of saying it that the list did not foresee. So the judgement is by
meaning: the question is embedded with the same MiniLM model that ranks the notes and
compared with three sets of statements (:mod:`bot.care.prototypes`): distress, crisis
and practice questions. It counts as distress when it is clearly closer to the first
two than to the third.

A few lexical cues that are strong on their own ("I hate myself", "can't cope") add a
little weight, never a verdict: "I can't cope with so many browser tabs" stays a
practice question. First-person words about suicide or self-harm are the exception:
they always get the kind reply with crisis resources, because missing one costs far
more than a gentle reply to someone who did not need it.

Thresholds were set on statements written for the purpose (none of them a prototype)
and are checked by ``tests/care/test_detect.py``.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.care.prototypes import CRISIS, DISTRESS, PRACTICE
from bot.ops.worker_threads import run_before_acknowledging
from knowledge.embeddings import FloatArray, MiniLMEmbeddings, shared_embeddings

#: Each set's similarity is the mean of its closest few statements: one lucky neighbour
#: is not enough, and a set's far-away statements do not dilute a real match.
NEAREST = 3
#: Distress when (distress-or-crisis similarity) - (practice similarity) + cues >= this.
#: Measured on the statements in the tests: distress scores +0.06 and up, practice
#: questions (including "this bug is killing me") at most +0.04. Close, and the reason
#: a borderline question errs on neither side for long: see the tests before changing.
DISTRESS_MARGIN = 0.05
#: Within this many log-odds below the learned cut, a question is answered gently.
GENTLE_MARGIN = -2.0
#: What one strong lexical cue adds to the margin (two or more add no more).
CUE_WEIGHT = 0.08
#: A "how do I ..." request leans towards a practice question.
HOW_TO_WEIGHT = 0.05
#: Crisis by meaning: close to the crisis statements, and clearly more than to practice.
CRISIS_SIMILARITY = 0.50
CRISIS_MARGIN = 0.15

_FEEL = r"(?:feel(?:ing)?|am|'m|m)\s+(?:like\s+)?(?:so\s+|such\s+an?\s+|an?\s+|completely\s+|totally\s+|really\s+|just\s+|utterly\s+|very\s+)*"
#: Cues that someone is hurting (lower-cased, straight apostrophes).
DISTRESS_CUES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern)
    for pattern in (
        rf"\bi\s*{_FEEL}(?:stupid|worthless|useless|hopeless|pathetic|failure|burden|fraud|"
        r"alone|lonely|empty|numb|broken|disappointment|dumb|inadequate|miserable|depressed)\b",
        r"\bi (?:hate|despise) (?:myself|who i)",
        r"\bcan'?t (?:cope|go on|keep going|take (?:it|this) any ?more|do this any ?more)\b",
        r"\bwhat'?s the point\b(?!\s+(?:of|in)\b)",
        r"\b(?:fail|failing|suck|useless|bad) at everything\b",
        r"\bnot (?:good|smart|clever) enough\b",
        r"\bgive up on (?:everything|life|myself)\b",
        r"\bnobody (?:cares|would (?:notice|care))\b",
    )
)
#: First-person words about suicide or self-harm: always a crisis.
CRISIS_WORDS = re.compile(
    r"\b(?:kill(?:ing)? myself|end(?:ing)? (?:my (?:own )?life|it all)|take my (?:own )?life|"
    r"want(?:ed)? to die|(?:don'?t|do not) want to (?:live|be alive|exist)|"
    r"(?:hurt|harm|cut)(?:ing)? myself|self[- ]?harm|better off dead|no reason to live)\b"
)
#: Naming suicide is a crisis only when the question also reads as distress: a research
#: community may well ask about suicide prevention studies.
SUICIDE_WORDS = re.compile(r"\bsuicid(?:e|al)\b")
HOW_TO = re.compile(
    r"\b(?:how (?:do|can|should|would) i|how to|any tips|what should i|tips for|advice on)\b"
)


@dataclass(frozen=True)
class CareAssessment:
    """What the detector saw. ``distress`` decides the reply; ``crisis`` adds resources."""

    distress: bool
    crisis: bool
    margin: float
    cues: tuple[str, ...] = ()
    #: Leaning towards self-worth or shame, even below the distress cut: answered with a
    #: note, but never one that puts the blame on the reader.
    gentle: bool = False

    @classmethod
    def none(cls) -> CareAssessment:
        return cls(False, False, 0.0)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("\u2018", "'")).strip().lower()


def lexical_cues(text: str) -> tuple[str, ...]:
    """The strong distress phrases found in ``text`` (already normalised)."""
    return tuple(match.group(0) for cue in DISTRESS_CUES if (match := cue.search(text)))


class CareDetector:
    """Embeds the prototypes once (lazily, thread-safe) and judges questions by them."""

    def __init__(self, embeddings: MiniLMEmbeddings | None = None) -> None:
        self.embeddings = embeddings or shared_embeddings()
        self._lock = threading.Lock()
        self._sets: tuple[FloatArray, FloatArray, FloatArray] | None = None

    def _prototypes(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        if self._sets is None:
            with self._lock:
                if self._sets is None:
                    vectors = self.embeddings.embed_array([*DISTRESS, *CRISIS, *PRACTICE])
                    a, b = len(DISTRESS), len(DISTRESS) + len(CRISIS)
                    self._sets = (vectors[:a], vectors[a:b], vectors[b:])
        return self._sets

    def similarities(self, vector: FloatArray) -> tuple[float, float, float]:
        """Closeness to the distress, crisis and practice statements."""
        distress_set, crisis_set, practice_set = self._prototypes()
        return (
            _nearest(distress_set, vector),
            _nearest(crisis_set, vector),
            _nearest(practice_set, vector),
        )

    def assess(self, question: str) -> CareAssessment:
        """Blocking (one MiniLM call, plus the prototypes the first time)."""
        text = normalise(question)
        if len(text) < 3:
            return CareAssessment.none()
        vector = self.embeddings.embed_array([text])[0]
        distress, crisis, practice = self.similarities(vector)
        cues = lexical_cues(text)
        weights = shipped_care_weights()
        if weights is not None:
            row = feature_row(vector, (distress, crisis, practice), text)
            margin = float(row @ weights.coef) + weights.intercept - weights.cut
            is_distress = margin >= 0
        else:
            margin = max(distress, crisis) - practice
            margin += CUE_WEIGHT if cues else 0.0
            margin -= HOW_TO_WEIGHT if HOW_TO.search(text) else 0.0
            is_distress = margin >= DISTRESS_MARGIN
        crisis_words = CRISIS_WORDS.search(text)
        close_to_crisis = crisis >= CRISIS_SIMILARITY and crisis - practice >= CRISIS_MARGIN
        names_suicide = is_distress and SUICIDE_WORDS.search(text) is not None
        is_crisis = crisis_words is not None or close_to_crisis or names_suicide
        if crisis_words:
            cues = (*cues, crisis_words.group(0))
        gentle = is_distress or is_crisis or (weights is not None and margin >= GENTLE_MARGIN)
        return CareAssessment(
            is_distress or is_crisis, is_crisis, round(margin, 3), cues, gentle=gentle
        )

    def warm_up(self) -> None:
        """Embed the prototypes now, so the first question is judged in milliseconds."""
        self._prototypes()

    async def aassess(self, question: str) -> CareAssessment:
        """:meth:`assess` off the event loop, ahead of the work queued there (/ask judges
        distress before it can acknowledge)."""
        return await run_before_acknowledging(self.assess, question)


WEIGHTS_PATH = Path(__file__).resolve().parent / "weights.json"


@dataclass(frozen=True)
class CareWeights:
    """The learned check (``python -m bot.care.training``): a logistic model and its cut."""

    coef: FloatArray
    intercept: float
    cut: float


@functools.cache
def shipped_care_weights() -> CareWeights | None:
    try:
        data = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return CareWeights(
        np.asarray(data["coef"], dtype=np.float32), float(data["intercept"]), float(data["cut"])
    )


def feature_row(
    vector: FloatArray, similarities: tuple[float, float, float], text: str
) -> FloatArray:
    """What the learned check reads: the question's meaning, its closeness to the
    statements, and whether it carries a strong cue or asks how to do something."""
    extra = [
        *similarities,
        1.0 if lexical_cues(text) else 0.0,
        1.0 if HOW_TO.search(text) else 0.0,
    ]
    return np.concatenate([vector, np.asarray(extra, dtype=np.float32)])


def care_features(detector: CareDetector, question: str) -> FloatArray:
    """The feature row for ``question`` (used by training; assessing builds the same)."""
    text = normalise(question)
    vector = detector.embeddings.embed_array([text])[0]
    return feature_row(vector, detector.similarities(vector), text)


def _nearest(vectors: FloatArray, vector: FloatArray) -> float:
    similarities = vectors @ vector
    return float(np.sort(similarities)[-NEAREST:].mean())
