"""The gentler version: warmth first, at most one tip, then an open door.

The seed's advice for Bob is to be supportive and invite Alice to say more; the
expert's knowledge is not wrong, only premature. So the rewrite keeps *every*
other point of the draft aside (verbatim) for when it is asked for, and carries
at most one — the most useful, softly rephrased — into the reply.

Templates vary by a stable hash of the input, never by randomness, so the same
draft always gets the same suggestion.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.advice.features import IMPERATIVES, PointFacts, directives, requirement, strip_lead
from bot.advice.text import content_stems, word_count

_MY = {"my": "your", "i": "you", "i'm": "you're", "i've": "you've", "our": "your", "me": "you"}
_STOP_AFTER = (
    r"(?=\s+(?:on|at|in|with|of|for|today|tonight|yesterday|this|last|and|but|after|from|"
    r"again|now|to|without|is|was|it)\b|\s*[.!,?;:(]|\s+[^\w\s]|\s*$)"
)
_FIRST = re.compile(
    r"\b(?:my|our) (?:very )?first(?: ever)? (\w[\w'-]*(?: \w[\w'-]*){0,2}?)" + _STOP_AFTER,
    re.IGNORECASE,
)
_STARTED = re.compile(
    r"\b(?:started|starting|began|begun|day \d+ of) ((?:learning |to learn |to )?"
    r"\w[\w'-]*(?: \w[\w'-]*){0,2}?)" + _STOP_AFTER,
    re.IGNORECASE,
)


_NOT_ACTIVITY = frozenset(
    [
        "in",
        "on",
        "at",
        "last",
        "this",
        "a",
        "an",
        "the",
        "since",
        "around",
        "about",
        "for",
        "yesterday",
        "today",
        "recently",
    ]
)


def _you(phrase: str) -> str:
    return " ".join(_MY.get(w.lower(), w) for w in phrase.split())


def topic_of(post: str) -> tuple[str, str] | None:
    """What they shared, as ("first", "your first website") or ("started", "learning guitar")."""
    m = _FIRST.search(post)
    if m and m.group(1).lower() not in {"time", "attempt", "try", "go"}:
        return ("first", "your first " + _you(m.group(1)))
    m = _STARTED.search(post)
    if m and m.group(1).split()[0].lower() not in _NOT_ACTIVITY:
        return ("started", _you(m.group(1)))
    return None


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def stable_index(key: str, n: int) -> int:
    """A deterministic choice among ``n`` options for this input."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % n


_OPEN_FIRST = (
    "Congrats on {t}!",
    "{T} - that's a real milestone, well done!",
    "Love hearing about {t}, what a great start!",
)
_OPEN_STARTED = (
    "So great that you've started {t}!",
    "Love that you've started {t} - that's the hardest step!",
    "Really nice to hear you've started {t}!",
)
_OPEN_GENERIC = (
    "This is great to hear, well done!",
    "Love this, what a great start!",
    "Thanks for sharing this, it sounds like a really good start!",
)
_OPEN_QUESTION = ("Good question!", "Happy to help with this one.", "Nice one to ask.")
_TIP_INTRO = (
    "One small thing that helped me, if it's useful: {tip}",
    "If you want one thing to try: {tip}",
    "Just one tip, in case it helps: {tip}",
)
_CLOSE_SHARING = (
    "Want me to share a few more things I learned the hard way?",
    "What are you most looking forward to next?",
    "Would a few more pointers be useful at some point?",
    "What got you into it?",
)
_CLOSE_DETAILS = (
    "Want me to go into more detail on any part of it?",
    "Happy to share a few more things around this - want them?",
    "Would a few related tips be useful too?",
)

_SOFTEN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), r)
    for p, r in (
        (
            r"^you(?:'d| had)? (?:really |also |definitely |just )*(?:should|need to|have to|must|"
            r"ought to|'ve got to|'d better|better)(?: really| also| definitely)* be (\w+ing\b.*)",
            r"it's worth \1",
        ),
        (
            r"^you(?:'d| had)? (?:really |also |definitely |just )*(?:should|need to|have to|must|"
            r"ought to|'ve got to|'d better|better)(?: really| also| definitely)* (.*)",
            r"it can help to \1",
        ),
        (r"^make sure (?:that )?you (.*)", r"it can help to \1"),
        (r"^make sure (?:that )?(.*)", r"it's worth checking that \1"),
        (r"^(?:don'?t|do not|never) (.*)", r"try not to \1"),
        (r"^watch out for (.*)", r"it's worth keeping an eye out for \1"),
        (r"^be careful (?:with |of )?(.*)", r"it's worth being careful with \1"),
    )
)
_MODALS = (
    r"\byou(?:'d| had)? (?:really |also |definitely |just )*(?:should|need to|have to|must|"
    r"ought to|'ve got to)(?: really| also| definitely)* "
)
_MID_MODAL_ING = re.compile(_MODALS + r"be (?=\w+ing\b)", re.IGNORECASE)
_MID_MODAL = re.compile(_MODALS, re.IGNORECASE)
_THREAT = re.compile(
    r",?\s+(?:or|otherwise|or else)\s+(?:you'?ll|you will|you won'?t|it'?ll|it will|they'?ll|"
    r"he'?ll|she'?ll|(?:your|the) \w+ (?:will|won'?t))\b[^.!?]*",
    re.IGNORECASE,
)


_HEDGE = re.compile(
    r"^(?:(?:maybe|perhaps|possibly|probably|honestly|just|really|definitely|also|"
    r"i'?d (?:suggest|recommend)(?: that)?|i (?:would )?(?:suggest|recommend)(?: that)?|"
    r"you (?:might|may|could) (?:want|wish) to|it might be worth|might be worth)[,]?\s+)+",
    re.IGNORECASE,
)
_DOUBLE = re.compile(
    r"\b(it can help to|it helps to|it's worth) (?:try(?:ing)? to|maybe|perhaps|just) ", re.I
)


def soften(point: str) -> str:
    """Turn an order into an offer: 'You need to X or you'll regret it' → 'it can help to X.'

    Hedges already in the draft ("maybe", "I'd suggest") are dropped first, so the
    offer carries exactly one ("it can help to"), never a doubled "it can help to
    maybe try to".
    """
    core = strip_lead(point).rstrip(" .!")
    core = _THREAT.sub("", core).strip()
    core = _HEDGE.sub("", core).strip()
    for pattern, repl in _SOFTEN:
        if pattern.match(core):
            core = pattern.sub(repl, core, count=1)
            break
    else:
        first = core.split(maxsplit=1)[0].lower() if core else ""
        if first in IMPERATIVES and first != "try":  # "try X" is already an offer
            core = "it can help to " + core[:1].lower() + core[1:]
    core = _MID_MODAL_ING.sub("it's worth ", core)
    core = _MID_MODAL.sub("it helps to ", core)
    core = _DOUBLE.sub(r"\1 ", core)
    return core[:1].lower() + core[1:].rstrip(" ,;") + "."


_CLAUSE_SPLIT = re.compile(r",\s*(?:and\s+)?|;\s*|\s+and\s+")


def first_instruction(text: str) -> str:
    """Cut a point that gives several orders down to the first one.

    "Don't move him, don't overwater him, and make sure..." → "Don't move him".
    A clause boundary only counts when the clause after it gives an order of its
    own, so "knead or do stretch and folds" stays whole.
    """
    cuts = [m for m in _CLAUSE_SPLIT.finditer(text)]
    seen_order = bool(directives(text[: cuts[0].start()])) if cuts else True
    for i, cut in enumerate(cuts):
        end = cuts[i + 1].start() if i + 1 < len(cuts) else len(text)
        clause = text[cut.end() : end]
        if directives(clause):
            if seen_order:
                return text[: cut.start()].rstrip(" ,;")
            seen_order = True
    return text


#: A tip has to say what to do: "here's what you should do instead..." does not.
_VAGUE = re.compile(r"\.\.\.|…|\binstead\b|\bwhat you(?:'re| are)? doing\b|\bhere'?s what\b", re.I)


def pick_tip(
    facts: Sequence[PointFacts], post: str, hostile: Sequence[bool] | None = None
) -> PointFacts | None:
    """The single most useful point: actionable, on topic, kind, plain, short.

    A point that gatekeeps or scorns is never the tip, however actionable.
    """
    post_stems = content_stems(post)
    best: tuple[float, int] | None = None
    chosen: PointFacts | None = None
    for index, f in enumerate(facts):
        if not f.directives or f.gatekeeping or f.harsh or (hostile is not None and hostile[index]):
            continue
        if _VAGUE.search(f.point.text):
            continue
        score = 0.0
        score += 3.0 if f.directives else 0.0
        score += min(len(content_stems(f.point.text) & post_stems), 2) * 1.0
        score -= min(0.75 * max(len(f.directives) - 1, 0), 1.5)
        score -= 3.0 * len(f.harsh)
        score -= 0.75 * len(f.jargon)
        words = word_count(f.point.text)
        score -= 1.0 if words > 25 else 0.0
        score -= 2.0 if words < 4 else 0.0
        if score <= 0:
            continue
        if best is None or score > best[0]:
            best, chosen = (score, index), f
    return chosen


@dataclass(frozen=True)
class Rewrite:
    """A suggestion plus accounting of where each draft point went."""

    suggestion: str
    kept_aside: list[str]
    carried: list[str]
    tip: str | None
    tip_source: str | None


def gentler(
    post: str,
    draft: str,
    facts: Sequence[PointFacts],
    *,
    sharing: bool,
    narrow: bool,
    answer_points: int,
    hostile: Sequence[bool] | None = None,
) -> Rewrite:
    """Compose warmth + ≤1 tip + an inviting question, keeping the advice aside.

    ``hostile`` marks points that scorn or discourage: they are neither carried,
    nor the tip, nor "kept aside for later" (a sneer is not advice to save).
    Greetings and praise are not kept aside either: they are not advice.
    """
    key = post + "\x00" + draft
    bad = list(hostile) if hostile is not None else [bool(f.gatekeeping) for f in facts]
    carried: list[PointFacts] = []
    tip_fact: PointFacts | None = None
    if narrow:
        carried = [f for i, f in enumerate(facts[:answer_points]) if not bad[i]]
        opener = _OPEN_QUESTION[stable_index(key + "o", len(_OPEN_QUESTION))]
    else:
        opener = (
            _opener(post, key)
            if sharing
            else _OPEN_QUESTION[stable_index(key + "o", len(_OPEN_QUESTION))]
        )
        tip_fact = pick_tip(facts, post, bad)
    parts = [opener]
    parts += [f.point.text for f in carried]
    tip: str | None = None
    partial = False
    if tip_fact is not None:
        source = first_instruction(tip_fact.point.text)
        partial = source != tip_fact.point.text
        tip = soften(source)
        intro = _TIP_INTRO[stable_index(key + "t", len(_TIP_INTRO))]
        parts.append(intro.format(tip=tip))
    closers = _CLOSE_SHARING if sharing and not narrow else _CLOSE_DETAILS
    parts.append(closers[stable_index(key + "c", len(closers))])
    # A tip cut down to its first order leaves the rest unsaid: keep the whole point aside.
    used = {id(f) for f in carried}
    if tip_fact is not None and not partial:
        used.add(id(tip_fact))
    kept = [
        f.point.text
        for i, f in enumerate(facts)
        if id(f) not in used and not bad[i] and _is_advice(f)
    ]
    return Rewrite(
        suggestion=" ".join(p.strip() for p in parts if p.strip()),
        kept_aside=kept,
        carried=[f.point.text for f in carried],
        tip=tip,
        tip_source=tip_fact.point.text if tip_fact is not None else None,
    )


def _is_advice(f: PointFacts) -> bool:
    """An instruction, a warning or a probing question: worth saving for later.

    Praise and greetings are words for the reply, and remarks such as "most people
    quit" are not advice at all: neither is kept aside.
    """
    return bool(f.directives) or requirement(f.point.text) or f.point.text.rstrip().endswith("?")


def _opener(post: str, key: str) -> str:
    topic = topic_of(post)
    if topic is None:
        return _OPEN_GENERIC[stable_index(key + "o", len(_OPEN_GENERIC))]
    kind, phrase = topic
    options = _OPEN_FIRST if kind == "first" else _OPEN_STARTED
    template = options[stable_index(key + "o", len(options))]
    return template.format(t=phrase, T=_cap(phrase))
