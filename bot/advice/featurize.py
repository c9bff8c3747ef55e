"""Turning a post and a draft into the numbers the learned check reads.

One module for training and for checking, so the two can never disagree about a
feature. Meaning comes from MiniLM's distilled word-piece vectors
(:mod:`knowledge.static_vectors`); the shape of the text (questions, "you'll
need", laughter, lists, the rule checker's own signals) comes from cheap surface
counts, because a mean of word vectors cannot see word order or punctuation.

Every reply feature is a sum over its points (sentences or bullets) divided by a
fixed normaliser, so the learned weights split exactly into per-point
contributions: that is how the report quotes the sentences behind a verdict.

A bag of word pieces cannot tell a sincere "Congrats, keep going!" from "congrats i
guess", nor "lol good luck with that" from "good luck, that sounds fun". So the
reply's opening is also read as a whole by MiniLM itself (its *gist*, one
contextual sentence vector), a global block beside the per-point sums.
Held-out-writer cross-validation on 3,139 pairs from 18 writers, with and without it:
the first writers' F1 0.820 -> 0.841 (false alarms 115 -> 106 of 1,213), the two
sarcasm writers' 0.81 / 0.76 -> 0.89 / 0.83, the contempt writer's 0.75 -> 0.80; the
short-reply writer's 0.84 -> 0.83, with false alarms on sincere short replies 19 -> 28
of 150: the gist helps tone in context more than it helps a lone "Congrats!".
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from bot.advice.features import directives, gatekeeping, harshness, jargon_terms, requirement
from bot.advice.text import Point, content_stems, is_warm, split_points, word_count
from knowledge.embeddings import DIMENSIONS as GIST_DIMENSIONS
from knowledge.static_vectors import DIMENSIONS, StaticVectors

FloatArray = npt.NDArray[np.float64]

#: How much of a reply its gist reads: the opening word pieces. A short reply fits
#: whole; a long one's tone is mostly set by how it opens. In held-out-writer
#: cross-validation, 32 pieces did as well as 64 (F1 0.841 against 0.834 on the first
#: writers) and better than 16 (the trained model's F1 0.829 with 6.9 % false alarms,
#: against 0.825 with 8.8 %). The pass is most of the check's cost: p95 about 12 ms
#: on two quiet cores, inside its 15 ms budget, more when other work shares the cores
#: (see the README's figures).
GIST_TOKENS = 32


class Embedder(Protocol):
    """A contextual sentence model (MiniLM, see :mod:`knowledge.embeddings`)."""

    def embed_array(
        self, texts: Sequence[str], max_tokens: int = ...
    ) -> npt.NDArray[np.float32]: ...


def reply_gists(replies: Sequence[str], embedder: Embedder) -> FloatArray:
    """Each reply's opening as one contextual unit vector, shape (n, GIST_DIMENSIONS)."""
    out: FloatArray = embedder.embed_array(list(replies), max_tokens=GIST_TOKENS).astype(np.float64)
    return out


#: What the poster wanted, in the order the intent model's outputs use.
INTENTS: tuple[str, ...] = ("sharing", "narrow", "details")

_YOU = re.compile(r"\b(?:you|your|you're|youre|ur|u|yourself)\b", re.IGNORECASE)
_NEGATION = re.compile(
    r"\b(?:not|no|never|nothing|none|nobody|won'?t|can'?t|don'?t|isn'?t)\b", re.I
)
_LAUGH = re.compile(
    r"\b(?:lol|lmao|lmfao|rofl|haha\w*|hehe\w*|kek|smh|bruh|yikes|oof|cope|imagine)\b"
    r"|[\U0001F602\U0001F923\U0001F644\U0001F480\U0001F62C\U0001F921\U0001F974]|:\)\)|xd\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|my|me|when i)\b", re.IGNORECASE)
_QUOTED_QUESTION = re.compile(r"[\"“'‘][^\"”'’\n]{0,120}\?[\"”'’]")
_CODE = re.compile(r"```|`[^`]+`")

#: Surface counts per point, in this order (names are for humans and the weights file).
POINT_SURFACE: tuple[str, ...] = (
    "question",
    "you",
    "need_or_should",
    "directive",
    "negation",
    "laugh",
    "warm",
    "first_person",
    "gatekeeping_rule",
    "harsh_rule",
    "jargon",
    "on_topic",
    "bullet",
    "long_point",
)


@dataclass(frozen=True)
class PointView:
    """One point of a draft with its vector and surface counts."""

    point: Point
    vector: FloatArray
    surface: FloatArray


@dataclass(frozen=True)
class PostView:
    """What the intent model reads from a post."""

    vector: FloatArray
    surface: FloatArray


POST_SURFACE: tuple[str, ...] = (
    "questions",
    "quoted_questions",
    "log_words",
    "first_person",
    "exclamations",
    "request_words",
    "code",
)
_REQUEST = re.compile(
    r"\b(?:tips?|advice|pointers|feedback|critique|review|roast|brutal|honest|thorough|"
    r"detail\w*|breakdown|explain|everything|what should|how (?:do|can|should) i|"
    r"what am i|help|suggestions?|recommend\w*|thoughts)\b",
    re.IGNORECASE,
)


def _point_surface(point: Point, post_stems: set[str]) -> FloatArray:
    text = point.text
    words = word_count(text)
    return np.array(
        [
            1.0 if text.rstrip().endswith("?") or "?" in text[-3:] else 0.0,
            min(len(_YOU.findall(text)), 3) / 3,
            1.0 if requirement(text) else 0.0,
            min(len(directives(text)), 2) / 2,
            min(len(_NEGATION.findall(text)), 2) / 2,
            1.0 if _LAUGH.search(text) else 0.0,
            1.0 if is_warm(text) else 0.0,
            1.0 if _FIRST_PERSON.search(text) else 0.0,
            1.0 if gatekeeping(text) else 0.0,
            1.0 if harshness(text) else 0.0,
            min(len(jargon_terms(text)), 3) / 3,
            1.0 if content_stems(text) & post_stems else 0.0,
            1.0 if point.bullet else 0.0,
            1.0 if words > 25 else 0.0,
        ],
        dtype=np.float64,
    )


def post_view(post: str, vectors: StaticVectors) -> PostView:
    """The post's meaning and the shape cues of a request."""
    words = max(word_count(post), 1)
    surface = np.array(
        [
            min(post.count("?"), 3) / 3,
            min(len(_QUOTED_QUESTION.findall(post)), 2) / 2,
            math.log1p(words) / 5,
            min(len(_FIRST_PERSON.findall(post)), 5) / 5,
            min(post.count("!"), 3) / 3,
            min(len(_REQUEST.findall(post)), 3) / 3,
            1.0 if _CODE.search(post) else 0.0,
        ],
        dtype=np.float64,
    )
    return PostView(vector=vectors.embed([post])[0].astype(np.float64), surface=surface)


def reply_points(post: str, reply: str, vectors: StaticVectors) -> list[PointView]:
    """The draft's points with their vectors and surface counts."""
    points = split_points(reply, any_case=True)
    if not points and reply.strip():
        points = [Point(reply.strip(), reply.find(reply.strip()), len(reply.rstrip()), False)]
    if not points:
        return []
    embedded = vectors.embed([p.text for p in points]).astype(np.float64)
    post_stems = content_stems(post)
    return [
        PointView(point=p, vector=embedded[i], surface=_point_surface(p, post_stems))
        for i, p in enumerate(points)
    ]


#: Per-point blocks of the reply feature vector: each is a point's vector or surface
#: counts, optionally multiplied by the probability of one intent.
REPLY_GLOBALS: tuple[str, ...] = (
    "log_words",
    "log_points",
    "points_after_first",
    "single_point",
    "has_list",
    "code",
    "rule_score",
    # Sentence shape (see :func:`sentence_shape`).
    "question_share",
    "log_questions",
    "generic_share",
    "log_generic",
    "advice_share",
    "ends_with_question",
    "opens_warm",
    "question_barrage",
    "claim_barrage",
)


def normaliser(n_points: int) -> float:
    """Points' sums are divided by sqrt(n): a pile grows, but not linearly."""
    return math.sqrt(max(n_points, 1))


@dataclass(frozen=True)
class ReplyLayout:
    """Where each block sits in the reply feature vector."""

    point_width: int
    n_intents: int

    @property
    def width(self) -> int:
        # [shared point block] + [point block x intent] + [tail block x narrow]
        # + globals x intents + gist
        return (
            self.point_width * (1 + self.n_intents + 1)
            + len(REPLY_GLOBALS) * (1 + self.n_intents)
            + GIST_DIMENSIONS
        )


LAYOUT = ReplyLayout(point_width=DIMENSIONS + len(POINT_SURFACE), n_intents=len(INTENTS))


def point_block(view: PointView) -> FloatArray:
    return np.concatenate([view.vector, view.surface])


def point_rows(views: list[PointView], intent: FloatArray) -> FloatArray:
    """Each point's additive share of the reply vector (rows sum to its point part).

    The reply vector is these rows summed plus :func:`reply_globals`; keeping the
    rows lets the report attribute the score to sentences exactly.
    """
    n = len(views)
    norm = normaliser(n)
    narrow = float(intent[INTENTS.index("narrow")])
    rows = np.zeros((n, LAYOUT.point_width * (2 + LAYOUT.n_intents)), dtype=np.float64)
    for i, view in enumerate(views):
        block = point_block(view) / norm
        parts = [block] + [block * float(p) for p in intent]
        tail = block * narrow if i > 0 else np.zeros_like(block)
        rows[i] = np.concatenate([*parts, tail])
    return rows


_SURFACE = {name: i for i, name in enumerate(POINT_SURFACE)}


def sentence_shape(views: list[PointView]) -> FloatArray:
    """How the reply's sentences are built: shares and counts of questions and claims.

    A pile needs no imperative: "Cadence matters more than pace. Shoes are half of
    it." is a pile of bare claims, and "Did you preregister? Baseline?" a pile of
    questions. A sum of per-point features weighs one question the same whether it
    is the warm follow-up ending a congratulation or one of six in a barrage; these
    ratios and thresholds see the difference, and they count sentence *types*, not
    words, so they carry over to wording nobody here wrote. (Held-out-writer CV:
    F1 0.822 -> 0.851, false alarms 9.7% -> 8.5%.)

    A *generic claim* is a statement with no question, "you", "I", instruction,
    requirement, warmth or laughter: an impersonal rule about the topic.
    """
    if not views:
        return np.zeros(9, dtype=np.float64)
    s = np.array([v.surface for v in views])
    n = len(views)

    def has(name: str) -> npt.NDArray[np.bool_]:
        return np.asarray(s[:, _SURFACE[name]] > 0)

    question, warm = has("question"), has("warm")
    told = has("directive") | has("need_or_should")
    generic = ~(question | has("you") | has("first_person") | told | warm | has("laugh"))
    advice = told | generic | (has("you") & ~warm & ~question)
    questions, claims = int(question.sum()), int(generic.sum())
    return np.array(
        [
            questions / n,
            math.log1p(questions) / 2,
            claims / n,
            math.log1p(claims) / 2,
            float(advice.sum()) / n,
            1.0 if question[-1] else 0.0,
            1.0 if warm[0] else 0.0,
            1.0 if questions >= 2 and not warm.any() else 0.0,
            1.0 if claims >= 2 else 0.0,
        ],
        dtype=np.float64,
    )


def reply_globals(
    reply: str, views: list[PointView], rule_score: float, intent: FloatArray
) -> FloatArray:
    """Whole-reply shape, alone and times each intent probability."""
    n = len(views)
    g = np.concatenate(
        [
            [
                math.log1p(word_count(reply)) / 5,
                math.log1p(n) / 3,
                math.log1p(max(n - 1, 0)) / 3,
                1.0 if n <= 1 else 0.0,
                1.0 if any(v.point.bullet for v in views) else 0.0,
                1.0 if _CODE.search(reply) else 0.0,
                rule_score,
            ],
            sentence_shape(views),
        ]
    ).astype(np.float64)
    return np.concatenate([g] + [g * float(p) for p in intent])


def reply_vector(
    reply: str, views: list[PointView], rule_score: float, intent: FloatArray, gist: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The reply's feature vector and its per-point rows (for attribution)."""
    rows = point_rows(views, intent)
    points_part = rows.sum(axis=0) if len(views) else np.zeros(rows.shape[1])
    globals_part = reply_globals(reply, views, rule_score, intent)
    return np.concatenate([points_part, globals_part, gist]), rows


def intent_vector(view: PostView) -> FloatArray:
    return np.concatenate([view.vector, view.surface])


#: How far a tag moves the intent (1.0: all the way; 0.85 was tried and did worse in
#: held-out-writer cross-validation).
TAG_WEIGHT = 1.0


def apply_tag(tag: str | None, predicted: FloatArray) -> FloatArray:
    """The intent probabilities once a forum tag or the writer has said what was wanted.

    "sharing" or "details" (depth welcome, so the broad request, not a narrow one).
    """
    if tag not in ("sharing", "details"):
        return predicted
    onehot = np.array([1.0, 0.0, 0.0]) if tag == "sharing" else np.array([0.0, 0.0, 1.0])
    out: FloatArray = TAG_WEIGHT * onehot + (1 - TAG_WEIGHT) * predicted
    return out
