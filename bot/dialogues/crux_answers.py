"""How each answer to a double crux step changes its state, one handler per step.

:mod:`bot.dialogues.crux` asks the questions; the answers land here. Handlers read and
write the stored state only, so a dialogue resumes anywhere after a restart.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from bot.dialogues.crux_matching import SEATS, reveal, vague_terms
from bot.dialogues.crux_summary import kept, stance_text
from bot.dialogues.model import InvalidAnswer, Note, Prompt, Session
from bot.dialogues.parsing import mentions_word, parse_confidence, parse_date, parse_items
from bot.wording import verb

#: Answers that are a menu choice, never a statement of a position.
MENU_ANSWER = re.compile(r"\s*(\d{1,3}|none|-)\s*[.)]?\s*", re.IGNORECASE)
Handler = Callable[[Session, Prompt, str, str], Awaitable[list[Note]]]


def new_round(claim: str) -> dict[str, Any]:
    return {
        "claim": claim,
        "cruxes": {},
        "candidates": None,
        "votes": {},
        "proposed": None,
        "double": [],
        "resonance": {},
        "next": None,
    }


def current_round(state: dict[str, Any]) -> dict[str, Any]:
    rounds: list[dict[str, Any]] = state["rounds"]
    return rounds[-1]


async def on_invite(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    if value == "decline":
        session.state["declined"] = True
        return [Note(f"{session.name('b')} declined the invitation.")]
    session.state["accepted"] = True
    return [Note(f"{session.name('b')} accepted.")]


async def on_rules(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    session.state["rules"][seat] = True
    return []


async def on_position(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    session.state["positions"][seat] = _statement(value, "your position")
    return []


async def on_confidence(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    session.state["confidence"][seat] = parse_confidence(value)
    return []


async def on_taboo(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    st = session.state
    added = (
        []
        if value.lower() in ("none", "no", "-")
        else [w.strip().lower() for w in re.split(r"[,;\n]", value) if w.strip()]
    )
    st["taboo"] = vague_terms(" ".join([st["claim"], *st["positions"].values()]), added)
    st["taboo_done"] = True
    if not st["taboo"]:
        return [Note("No words to taboo; on to cruxes.")]
    if session.solo:
        return []
    who = session.name(seat)
    words = ", ".join(f"'{w}'" for w in st["taboo"])
    return [
        Note(
            f"{who} settled the list of tabooed words: {words}. Next, each of "
            "you restates their position without them."
        )
    ]


async def on_restate(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    used = [w for w in session.state["taboo"] if mentions_word(value, w)]
    if used:
        raise InvalidAnswer(
            "Your restatement still uses " + ", ".join(f"'{w}'" for w in used) + "; "
            "say what you mean without it."
        )
    session.state["restated"][seat] = _statement(value, "your restated position")
    return []


async def on_cruxes(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    rnd = current_round(session.state)
    rnd["cruxes"][seat] = parse_items(value)
    if len(rnd["cruxes"]) >= 2:
        return [await reveal(session, rnd)]
    if session.solo:
        return []
    who = session.name(seat)
    mine = "your" if who.lower() == "you" else "their"
    return [Note(f"{who} {verb(who, 'has', 'have')} submitted {mine} cruxes (hidden).")]


async def on_confirm(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    rnd = current_round(session.state)
    index = prompt.key.split(":")[0].rsplit(".", 1)[1]
    rnd["votes"].setdefault(index, {})[seat] = value
    votes = rnd["votes"][index]
    if len(votes) < 2 or not all(v == "yes" for v in votes.values()):
        return []
    cand = rnd["candidates"][int(index)]
    rnd["double"].append(cand["a"])
    # Each listed their own crux: the first side holds the claim, the other's
    # opposite crux denies it.
    rnd.setdefault("stances", {})[cand["a"]] = {"holds": "a", "denies": "b"}
    return [
        Note(
            f"Double crux confirmed: **{cand['a']}** "
            f"({stance_text(session, {'holds': 'a', 'denies': 'b'})})"
        )
    ]


async def on_propose(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    rnd = current_round(session.state)
    if value.lower() in ("none", "-"):
        rnd["proposed"] = {"text": None, "votes": None}
    else:
        rnd["proposed"] = {"text": value, "votes": {}}
    return []


async def on_agree(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    rnd = current_round(session.state)
    proposed = rnd["proposed"]
    proposed["votes"][seat] = value
    if len(proposed["votes"]) == 2:
        return [settle_proposal(session, rnd, proposed)]
    return []


async def on_resonate(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    rnd = current_round(session.state)
    index = prompt.key.split(":")[0].rsplit(".", 1)[1]
    rnd["resonance"].setdefault(index, {})[seat] = value
    answers = rnd["resonance"][index]
    if len(answers) == 2 and "no" in answers.values():
        return [Note(f"Dropped as a pseudo-crux: {rnd['double'][int(index)]}")]
    return []


async def on_next(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    st = session.state
    rnd = current_round(st)
    rnd["next"] = value
    if value != "recurse":
        return []
    st["rounds"].append(new_round(kept(rnd)[0]))
    return [Note(f"Round {len(st['rounds'])}: cruxes underneath the double crux.")]


async def on_test_kind(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    session.state["test"] = {"kind": value}
    return []


async def on_test_detail(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    session.state["test"]["detail"] = value
    return []


async def on_test_date(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    session.state["test"]["date"] = parse_date(value, session.now).isoformat()
    return []


async def on_test_ok(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    st = session.state
    st["test_ok"][seat] = value
    if len(st["test_ok"]) == 2 and "no" in st["test_ok"].values():
        st["test"] = {}
        st["test_ok"] = {}
        return [Note("Let's find a test you both accept.")]
    return []


async def on_share(session: Session, prompt: Prompt, seat: str, value: str) -> list[Note]:
    session.state["share"][seat] = value
    return []


HANDLERS: dict[str, Handler] = {
    "invite": on_invite,
    "rules": on_rules,
    "position": on_position,
    "confidence": on_confidence,
    "taboo": on_taboo,
    "restate": on_restate,
    "cruxes": on_cruxes,
    "confirm": on_confirm,
    "propose": on_propose,
    "agree": on_agree,
    "resonate": on_resonate,
    "next": on_next,
    "test_kind": on_test_kind,
    "test_detail": on_test_detail,
    "test_date": on_test_date,
    "test_ok": on_test_ok,
    "share": on_share,
}


def settle_proposal(session: Session, rnd: dict[str, Any], proposed: dict[str, Any]) -> Note:
    """Both stances are in: a double crux when one side holds it and the other denies
    it, and both would change their minds; recorded with who stands where."""
    votes: dict[str, str] = proposed["votes"]
    text = proposed["text"]
    holders = [s for s in SEATS if votes.get(s) == "holds"]
    deniers = [s for s in SEATS if votes.get(s) == "denies"]
    proposed["stances"] = {"holds": holders, "denies": deniers}
    if len(holders) == 1 and len(deniers) == 1:
        stance = {"holds": holders[0], "denies": deniers[0]}
        rnd["double"].append(text)
        rnd.setdefault("stances", {})[text] = stance
        return Note(f"Double crux confirmed: **{text}** ({stance_text(session, stance)})")
    rnd["proposed"] = {"text": None, "votes": None}
    if "no" in votes.values():
        return Note("Not a crux for both of you; let's settle the main claim instead.")
    agreed = "true" if holders else "false"
    return Note(
        f"You both think it is {agreed}, so it is not where you disagree; "
        "let's settle the main claim instead."
    )


def _statement(value: str, what: str) -> str:
    """A position in words; a bare menu choice ("1", "none") typed at the wrong moment
    is refused rather than stored as someone's position."""
    if MENU_ANSWER.fullmatch(value):
        raise InvalidAnswer(
            f"'{value.strip()}' looks like a menu choice, not {what}: write it in a sentence."
        )
    return value
