"""Did the poster share a start, or ask for detail? The first thing to know.

The protocol notes are explicit: a check that cannot tell Alice (sharing) from
Carol (asking) becomes Carol's enemy. So an explicit request for depth wins over
every sharing cue ("I'm a complete beginner, please be thorough" is Carol), and a
short direct question is a *narrow* request: answer it, don't bury it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.advice.models import Intent

_DEPTH_CUES: tuple[str, ...] = (
    r"\bwhat should i (?:watch out for|know|be (?:doing|studying|focusing on)|focus on|change)\b",
    r"\bwhat (?:do|would) i need to know\b",
    r"\bwhat can i do\b",
    r"\bwhat(?:'s| is) (?:going )?wrong\b",
    r"\bwhat(?:'s| is) broken\b",
    r"\bwhat do (?:you|people) think\b",
    r"\bwhat you think\b",
    r"\bthoughts\?",
    r"\bbe (?:thorough|brutal|honest|harsh)\b",
    r"\bthorough\b",
    r"\bany (?:tips|advice|pointers|suggestions)\b",
    r"\b(?:tips|advice|pointers|suggestions)\s*(?:\?|welcome|wanted|appreciated|please)",
    r"\broast (?:my|me|it|this)\b",
    r"\btear (?:it|this|me) apart\b",
    r"\bfeedback\b",
    r"\bcritique\b",
    r"\breview (?:my|this|it)\b",
    r"\bdon'?t hold back\b",
    r"\bin (?:depth|detail)\b",
    r"\bdetail(?:s|ed)?\b",
    r"\bfull (?:rundown|breakdown|process|list|version)\b",
    r"\bbreakdown\b",
    r"\bstep[- ]by[- ]step\b",
    r"\bwalk me through\b",
    r"\bwall of text\b",
    r"\bnerdy version\b",
    r"\btell me everything\b",
    r"\bexplain\b",
    r"\bhow (?:do|can|should) i (?:fix|improve|get better|handle|deal with)\b",
    r"\bwant to know everything\b",
    r"\bpitfalls\b",
    r"\btroubleshoot",
)
_SHARING_CUES: tuple[str, ...] = (
    r"\bjust (?:started|began|begun|joined|finished|made|got|hit|bought|adopted|planted)\b",
    r"\b(?:started|starting|began) (?:learning|to learn|to|with|my|running|working)\b",
    r"\bmy (?:very )?first\b",
    r"\bfirst (?:ever|time|attempt|try|go)\b",
    r"\bproud\b",
    r"\bfinally\b",
    r"\bday \d+ of\b",
    r"\bhere'?s my\b",
    r"\bi did it\b",
    r"\bcan'?t believe\b",
    r"\b(?:planning|going|decided|thinking of|about) to\b",
    r"\bthinking of\b",
    r"\balways wanted\b",
    r"\bi (?:made|finished|built|wrote|painted|baked|planted|adopted|bought|threw|sewed)\b",
)
_DEPTH = [re.compile(p, re.IGNORECASE) for p in _DEPTH_CUES]
_SHARING = [re.compile(p, re.IGNORECASE) for p in _SHARING_CUES]
_QUESTION = re.compile(r"[^.!?\n]*\?")
_NARROW_MAX_WORDS = 25


@dataclass(frozen=True)
class IntentReading:
    """The inferred intent, whether a question is narrow, and the cues behind it."""

    intent: Intent
    narrow: bool
    cues: tuple[str, ...]


def read_intent(post: str) -> IntentReading:
    """Infer what the poster wanted from the post alone.

    Explicit depth requests → DETAILS (broad). A short direct question → DETAILS
    (narrow). Sharing cues without a question → SHARING. Otherwise UNKNOWN, which
    the checker treats like sharing: advice nobody asked for is the default risk.
    """
    depth = [m.group(0) for p in _DEPTH if (m := p.search(post))]
    if depth:
        return IntentReading(Intent.DETAILS, narrow=False, cues=tuple(depth))
    questions = [q.strip() for q in _QUESTION.findall(post) if q.strip()]
    if questions:
        longest = max(len(q.split()) for q in questions)
        return IntentReading(
            Intent.DETAILS, narrow=longest <= _NARROW_MAX_WORDS, cues=tuple(questions)
        )
    sharing = [m.group(0) for p in _SHARING if (m := p.search(post))]
    if sharing:
        return IntentReading(Intent.SHARING, narrow=False, cues=tuple(sharing))
    return IntentReading(Intent.UNKNOWN, narrow=False, cues=())


def infer_intent(post: str) -> Intent:
    """Just the intent part of :func:`read_intent`."""
    return read_intent(post).intent
