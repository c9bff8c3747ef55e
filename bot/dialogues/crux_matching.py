"""Lining up two people's cruxes: vague words to taboo, and cruxes that look alike.

The double crux protocol (:mod:`bot.dialogues.crux`) asks the questions; this module
holds the judgement calls behind them (which words are vague, how similar two cruxes
must be to be offered as a shared one), so they can be tuned and tested on their own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.dialogues.crux_state import Candidate, Round
from bot.dialogues.model import Note, Session
from bot.dialogues.parsing import mentions_word

SEATS = ("a", "b")
#: Words that tend to carry a disagreement without saying anything checkable.
VAGUE_TERMS: tuple[str, ...] = (
    "always",
    "never",
    "everyone",
    "nobody",
    "obviously",
    "clearly",
    "should",
    "good",
    "bad",
    "better",
    "best",
    "worse",
    "fair",
    "unfair",
    "natural",
    "normal",
    "real",
    "free",
    "deserve",
    "merit",
    "toxic",
    "harmful",
    "safe",
    "dangerous",
    "effective",
    "efficient",
    "success",
    "successful",
    "quality",
    "lazy",
    "smart",
    "significant",
    "a lot",
    "most",
    "works",
    "selects for",
    "meaningful",
    "important",
)
#: Cosine similarity (MiniLM, the shipped embeddings) from which two cruxes are lined up
#: as a candidate shared crux. Cruxes of one disagreement share a topic, so related
#: ones score modestly ("regulars would keep coming if it were hands-on" against
#: "attendance drops from 6 to 3" is about 0.28): the bar is low, and a pair must also
#: be each other's closest match. People confirm or reject every candidate.
CANDIDATE_THRESHOLD = 0.25
#: The same for word overlap, when the embedding model can't be reached.
LEXICAL_THRESHOLD = 0.2
#: Two scores this close count as a tie for "closest match".
TIE = 0.01
MAX_CANDIDATES = 3


def vague_terms(text: str, extra: Sequence[str] = ()) -> list[str]:
    """The built-in vague or loaded words found in ``text``, plus every word the pair added."""
    found = [term for term in VAGUE_TERMS if mentions_word(text, term)]
    return list(dict.fromkeys([*found, *(w for w in extra if w)]))


def lexical_similarity(left: Sequence[str], right: Sequence[str]) -> list[list[float]]:
    """Word-overlap similarity, used when the embedding model can't be reached."""

    def words(text: str) -> set[str]:
        return {w for w in re.findall(r"[a-z0-9']+", text.lower()) if len(w) > 3}

    out: list[list[float]] = []
    for a in left:
        row = []
        for b in right:
            wa, wb = words(a), words(b)
            row.append(len(wa & wb) / len(wa | wb) if wa and wb else 0.0)
        out.append(row)
    return out


def pair_candidates(scores: list[list[float]], threshold: float) -> list[tuple[int, int, float]]:
    """One-to-one pairs of cruxes, most similar first, from ``threshold`` up, each the
    other's closest match (within a tie)."""
    if not scores or not scores[0]:
        return []
    row_best = [max(row) for row in scores]
    col_best = [max(row[j] for row in scores) for j in range(len(scores[0]))]
    pairs = sorted(
        ((score, i, j) for i, row in enumerate(scores) for j, score in enumerate(row)),
        reverse=True,
    )
    used_i: set[int] = set()
    used_j: set[int] = set()
    chosen: list[tuple[int, int, float]] = []
    for score, i, j in pairs:
        if score < threshold or len(chosen) >= MAX_CANDIDATES:
            break
        if i in used_i or j in used_j:
            continue
        if score < row_best[i] - TIE or score < col_best[j] - TIE:
            continue
        used_i.add(i)
        used_j.add(j)
        chosen.append((i, j, round(float(score), 3)))
    return chosen


async def reveal(session: Session, rnd: Round) -> Note:
    """Both lists are in: show them side by side, with the pairs that look alike as
    candidate shared cruxes (by meaning, or by shared words when the model is away)."""
    left, right = rnd.cruxes["a"], rnd.cruxes["b"]
    scores: list[list[float]] | None = None
    if session.similarity is not None:
        try:
            scores = await session.similarity(left, right)
        except Exception:  # the model file missing must not stop the dialogue
            scores = None
    threshold = CANDIDATE_THRESHOLD
    if scores is None:
        scores = lexical_similarity(left, right)
        threshold = LEXICAL_THRESHOLD
    rnd.candidates = [
        Candidate(a=left[i], b=right[j], score=score)
        for i, j, score in pair_candidates(scores, threshold)
    ]
    lines = ["**Both have submitted. Cruxes, side by side:**"]
    for seat, items in (("a", left), ("b", right)):
        lines.append(f"__{session.name(seat)}__")
        lines += [f"{n}. {item}" for n, item in enumerate(items, 1)]
    if rnd.candidates:
        lines.append("**Candidate shared cruxes** (similar in meaning):")
        lines += [f"- {c.a} ⟷ {c.b} (similarity {c.score:.2f})" for c in rnd.candidates]
    else:
        lines.append("No pair of cruxes looks alike; you can propose one.")
    return Note("\n".join(lines), {"reveal": True})
