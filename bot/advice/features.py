"""The signals that make a reply feel like a pile of advice, each with its evidence.

Every detector returns the exact draft text that triggered it, so a reason can
show the writer *which* sentences read as orders, jargon or gatekeeping instead
of a bare score.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.advice.text import Point, content_stems, sentences, word_count

_CACHES: list[functools._lru_cache_wrapper[tuple[str, ...]]] = []


def forget() -> None:
    """Clear the remembered answers (a benchmark timing fresh drafts calls this)."""
    for cache in _CACHES:
        cache.cache_clear()


def _remembered(fn: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    """The rule checker, the learned check's features and the rewriter all read the
    same points: remember each answer instead of running the patterns again."""
    cache = functools.lru_cache(maxsize=4096)(lambda text: tuple(fn(text)))
    _CACHES.append(cache)

    @functools.wraps(fn)
    def wrapper(text: str) -> list[str]:
        return list(cache(text))

    return wrapper


# --- instructions -----------------------------------------------------------------

_MODAL = re.compile(
    r"\byou(?:'d| had)? (?:really |probably |also |definitely |just |absolutely )*"
    r"(?:should(?:n'?t)?|need to|needs to|have to|must|ought to|'ve got to|'d better|better)\b"
    r"|\byou'd better\b|\bmake sure\b|\bbe sure to\b|\bremember to\b|\bwatch out\b"
    r"|\bbe careful\b|\bstay away from\b|\bideally you\b"
    # Hedged suggestions are still instructions: a polite pile is still a pile.
    r"|\b(?:maybe|perhaps|possibly) (?:try|consider|get|use|look|start|join|learn)\b"
    r"|\bconsider (?:\w+ing|getting|using|a|an|the|some)\b"
    r"|\b(?:might|could|would) (?:be worth|help to)\b|\bi'?d (?:recommend|suggest)\b",
    re.IGNORECASE,
)
_NEGATIVE_ORDER = re.compile(r"\b(?:don'?t|do not|never)\s+(\w+)", re.IGNORECASE)
_NOT_ORDER_SUBJECTS = frozenset(
    [
        "i",
        "you",
        "we",
        "they",
        "he",
        "she",
        "it",
        "that",
        "who",
        "people",
        "which",
        "this",
        "there",
        "what",
    ]
)
IMPERATIVES = frozenset(
    [
        "add",
        "aim",
        "apply",
        "ask",
        "avoid",
        "book",
        "brace",
        "buy",
        "change",
        "check",
        "choose",
        "close",
        "compare",
        "consider",
        "count",
        "cut",
        "do",
        "drink",
        "drop",
        "dry",
        "eat",
        "enable",
        "film",
        "find",
        "fit",
        "focus",
        "follow",
        "get",
        "go",
        "grab",
        "invest",
        "join",
        "keep",
        "learn",
        "lift",
        "listen",
        "lock",
        "look",
        "lower",
        "mine",
        "move",
        "mute",
        "pick",
        "pinch",
        "plan",
        "play",
        "post",
        "practise",
        "practice",
        "print",
        "put",
        "raise",
        "read",
        "record",
        "remove",
        "rest",
        "rotate",
        "run",
        "set",
        "shoot",
        "skip",
        "slow",
        "split",
        "start",
        "stay",
        "stick",
        "stop",
        "study",
        "swap",
        "switch",
        "take",
        "tape",
        "test",
        "tighten",
        "trim",
        "try",
        "tune",
        "turn",
        "use",
        "wait",
        "warm",
        "watch",
        "wear",
        "weigh",
        "wipe",
        "work",
        "write",
        "harden",
        "stretch",
    ]
)
_CONNECTORS = re.compile(
    r"^(?:(?:and|also|but|plus|so|then|honestly|seriously|oh|ok|okay|and also|"
    r"word of warning|pro tip|tip|first|second|finally|lastly|most of all|if it helps|"
    r"fwiw|for what it's worth),?\s+)+",
    re.IGNORECASE,
)
_LABEL = re.compile(r"^[A-Za-z][\w ()/-]{0,30}:\s+")
_CLAUSE_START = re.compile(r"(?:[,;:]\s*(?:and\s+|then\s+|also\s+)?|\s+and\s+(?:then\s+)?)(\w+)")


def strip_lead(text: str) -> str:
    """Drop connectors ("Also, ", "And honestly ") and bullet labels ("Fees: ")."""
    out = _CONNECTORS.sub("", text.strip())
    out = _LABEL.sub("", out, count=1)
    return _CONNECTORS.sub("", out)


@_remembered
def directives(text: str) -> list[str]:
    """The separate instructions or warnings in one point, as the words that give them."""
    found: list[tuple[int, str]] = []
    for m in _MODAL.finditer(text):
        found.append((m.start(), m.group(0)))
    for m in _NEGATIVE_ORDER.finditer(text):
        before = text[: m.start()].rstrip().split()
        prev = before[-1].lower().strip(",.;:!?\"'") if before else ""
        if prev in _NOT_ORDER_SUBJECTS or prev.endswith("n't") or prev in {"will", "would"}:
            continue
        if m.group(1).lower() in {"worry", "know", "think", "mind", "get"}:
            continue
        found.append((m.start(), m.group(0)))
    for sentence in sentences(text):
        lead = strip_lead(sentence)
        first = lead.split(maxsplit=1)[0].lower().strip(",.!?:") if lead.split() else ""
        if first in IMPERATIVES:
            found.append((text.find(lead), lead.split(maxsplit=1)[0]))
        for cm in _CLAUSE_START.finditer(sentence):
            if cm.group(1).lower() in IMPERATIVES and cm.group(1)[0].islower():
                found.append((text.find(sentence) + cm.start(1), cm.group(1)))
    # Two cues within a few characters are one instruction ("Don't ... never").
    found.sort()
    merged: list[tuple[int, str]] = []
    for pos, cue in found:
        if merged and pos - merged[-1][0] < 12:
            continue
        merged.append((pos, cue))
    return [cue for _, cue in merged]


_REQUIREMENT = re.compile(
    r"\b(?:you(?:'ll|'d| will| would)?|u)\s+(?:\w+\s+)?(?:need|want|have to|must|should|"
    r"gotta|got to|ought|better)\b|\b(?:make sure|be sure|don'?t forget|remember to)\b",
    re.IGNORECASE,
)


def requirement(text: str) -> bool:
    """ "You'll need X", "you want Y", "make sure": a requirement, even with no imperative."""
    return bool(_REQUIREMENT.search(text))


# --- discouragement and gatekeeping -----------------------------------------------

_GATEKEEPING = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(?:you'?re|you are) doing it wrong\b",
        r"\bdoing it wrong\b",
        r"\b(?:learn|study|master|understand|read|work on|get good at)\b[^.!?\n]{0,45}?"
        r"\bfirst\b(?![^.!?\n]{0,3}\bthen\b)",
        r"\bbefore you (?:even )?(?:think about|try|start|touch|go near)\b",
        r"\b(?:you'?re|you are|aren'?t|are not|not) (?:really )?ready\b",
        r"\bshould(?:n'?t| not) have (?:started|bothered|begun)\b",
        r"\b(?:too|that) (?:late|old) (?:to|for)\b|\bstarted that late\b",
        r"\bwaste of (?:time|money)\b|\bwasting your (?:time|money)\b",
        r"\breal \w+(?: \w+)? (?:don'?t|do not|never|always|only|wouldn'?t|would never)\b",
        r"\b(?:just|honestly) (?:quit|give up)\b|\bgive up now\b",
        r"\bcome back (?:when|in|after|once)\b|\bthen come back\b",
        r"\bbefore (?:sharing|posting|you (?:share|post)|showing anyone)\b",
        r"\b(?:isn'?t|aren'?t|is not|are not) (?:really )?for (?:people|beginners|someone)\b",
        r"\bnobody (?:has ever|ever)\b",
        r"\b(?:isn'?t|not) (?:really )?(?:something|anything) to be proud of\b",
        r"\bnot (?:sure )?(?:it'?s )?worth it\b",
        r"\ba young (?:person|man|woman)'?s \w+\b",
        r"\bwon'?t (?:ever )?develop\b",
        r"\bshouldn'?t be anywhere near\b",
        r"\byou'?re (?:just )?going to (?:get (?:hurt|injured)|wreck|ruin|hurt)\b",
        r"\bbefore (?:going|moving|you go|you move|getting) (?:any )?(?:further|on|deeper)\b",
        r"\b(?:learn|master|understand|nail|get)\b[^.!?\n]{0,30}?\bproperly\b",
    )
]
_HARSH = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bno offen[cs]e\b",
        r"\bis (?:honestly |really |actually )?(?:terrible|awful|useless|pointless|junk)\b",
        r"\bare (?:honestly |really )?(?:terrible|awful|useless|junk)\b",
        r"\b(?:poor|bad|wrong) (?:choice|technique|habits?)\b",
        r"\bbasically (?:still )?(?:a )?beginner\b",
        r"\byou'?ll regret\b",
        r"\bbetter know what you'?re doing\b",
        r"\breal work starts now\b",
        r"\bis (?:slow|bad|wrong|off)\b",
        r"\bmeans nothing\b",
        r"\bwithout understanding\b",
        r"\b(?:you'?ll|you will|it'?ll) (?:hurt|injure) yourself\b|\binjure yourself\b",
        r"\bwill ruin\b|\bruins?\b",
        r"\b(?:always|inevitably) have to unlearn\b",
        r"\bwhat you get from a default\b",
        r"\bare divas\b",
        r"\b(?:read the manual|google it|rtfm|lmgtfy)\b",
    )
]


# One combined pass answers "any at all?" cheaply; most points have none.
_ANY_GATEKEEPING = re.compile("|".join(f"(?:{p.pattern})" for p in _GATEKEEPING), re.IGNORECASE)
_ANY_HARSH = re.compile("|".join(f"(?:{p.pattern})" for p in _HARSH), re.IGNORECASE)


@_remembered
def gatekeeping(text: str) -> list[str]:
    """Phrases telling a beginner they are not allowed, not ready, or too late."""
    if not _ANY_GATEKEEPING.search(text):
        return []
    return _unique(m.group(0) for p in _GATEKEEPING for m in p.finditer(text))


@_remembered
def harshness(text: str) -> list[str]:
    """Phrases that judge the person's attempt as bad rather than offering a step."""
    if not _ANY_HARSH.search(text):
        return []
    return _unique(m.group(0) for p in _HARSH for m in p.finditer(text))


def _unique(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


# --- jargon ------------------------------------------------------------------------

_CODE_SPAN = re.compile(r"`[^`]+`")
_TOKEN = re.compile(r"[^\s,;:!?()\"]+")
# Only tokens with a digit, two capitals, camelCase or code characters can be jargon.
_CANDIDATE = re.compile(r"\d|[A-Z]\S*[A-Z]|[a-z][A-Z]|[_=<>\[\]{}]|[a-z]\.[a-z]{2}")
_DOTTED = re.compile(r"[a-z]\.[a-z]{2,}")
_CAMEL = re.compile(r"[a-z][A-Z]")
_COMMON_CAPS = frozenset(
    {"OK", "TBH", "LOL", "OMG", "PS", "UK", "US", "USA", "TV", "AM", "PM", "I"}
)


@_remembered
def jargon_terms(text: str) -> list[str]:
    """Tokens shaped like specialist vocabulary: acronyms, units, code, CamelCase."""
    terms: list[str] = [m.group(0) for m in _CODE_SPAN.finditer(text)]
    rest = _CODE_SPAN.sub(" ", text)
    for m in _TOKEN.finditer(rest):
        token = m.group(0).strip(".'’-")
        if len(token) < 2 or not _CANDIDATE.search(token):
            continue
        letters = sum(c.isalpha() for c in token)
        digits = sum(c.isdigit() for c in token)
        core = token.rstrip("s")
        is_acronym = core.isupper() and len(core) >= 2 and core not in _COMMON_CAPS and letters >= 2
        is_unit = digits > 0 and (letters > 0 or "%" in token or "/" in token)
        is_code = any(c in token for c in "_=<>[]{}") or bool(_DOTTED.search(token))
        is_camel = bool(_CAMEL.search(token))
        if is_acronym or is_unit or is_code or is_camel:
            terms.append(token)
    return terms


# --- scope -------------------------------------------------------------------------


@dataclass(frozen=True)
class PointFacts:
    """Per-point evidence the scorer and the rewriter share."""

    point: Point
    directives: tuple[str, ...]
    gatekeeping: tuple[str, ...]
    harsh: tuple[str, ...]
    jargon: tuple[str, ...]
    on_topic: bool


def point_facts(points: list[Point], post: str) -> list[PointFacts]:
    """Gather every per-point signal once, so scoring and rewriting agree."""
    post_stems = content_stems(post)
    facts: list[PointFacts] = []
    for p in points:
        stems = content_stems(p.text)
        facts.append(
            PointFacts(
                point=p,
                directives=tuple(directives(p.text)),
                gatekeeping=tuple(gatekeeping(p.text)),
                harsh=tuple(harshness(p.text)),
                jargon=tuple(jargon_terms(p.text)),
                on_topic=bool(stems & post_stems),
            )
        )
    return facts


_PIVOT = re.compile(r"^(?:but|also|and|honestly|plus|oh and|btw|by the way|though)\b", re.I)


def answer_span(facts: list[PointFacts]) -> int:
    """How many leading points answer a narrow question (1, or 2 after a terse '9am.')."""
    if not facts:
        return 0
    if (
        len(facts) > 1
        and word_count(facts[0].point.text) < 3
        and not _PIVOT.match(facts[1].point.text)
    ):
        return 2
    return 1
