"""How each answer to a double crux step changes its state, one handler per step.

:mod:`bot.dialogues.crux` asks the questions; the answers land here. Handlers change the
typed state (:class:`~bot.dialogues.crux_state.CruxState`) that the protocol loaded from
the stored JSON and writes back, so a dialogue resumes anywhere after a restart.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from bot.dialogues.crux_matching import SEATS, reveal, vague_terms
from bot.dialogues.crux_state import CruxState, CruxStep, Proposal, Round, Stance, StepKey, Test
from bot.dialogues.crux_summary import stance_text
from bot.dialogues.model import InvalidAnswer, Note, Session
from bot.dialogues.parsing import mentions_word, parse_confidence, parse_date, parse_items
from bot.wording import verb

#: Answers that are a menu choice, never a statement of a position.
MENU_ANSWER = re.compile(r"\s*(\d{1,3}|none|-)\s*[.)]?\s*", re.IGNORECASE)
Handler = Callable[[Session, CruxState, StepKey, str, str], Awaitable[list[Note]]]


async def on_invite(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    if value == "decline":
        st.declined = True
        return [Note(f"{session.name('b')} declined the invitation.")]
    st.accepted = True
    return [Note(f"{session.name('b')} accepted.")]


async def on_rules(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    st.rules[seat] = True
    return []


async def on_position(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    st.positions[seat] = _statement(value, "your position")
    return []


async def on_confidence(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    st.confidence[seat] = parse_confidence(value)
    return []


async def on_taboo(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    added = (
        []
        if value.lower() in ("none", "no", "-")
        else [w.strip().lower() for w in re.split(r"[,;\n]", value) if w.strip()]
    )
    st.taboo = vague_terms(" ".join([st.claim, *st.positions.values()]), added)
    st.taboo_done = True
    if not st.taboo:
        return [Note("No words to taboo; on to cruxes.")]
    if session.solo:
        return []
    who = session.name(seat)
    words = ", ".join(f"'{w}'" for w in st.taboo)
    return [
        Note(
            f"{who} settled the list of tabooed words: {words}. Next, each of "
            "you restates their position without them."
        )
    ]


async def on_restate(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    used = [w for w in st.taboo if mentions_word(value, w)]
    if used:
        raise InvalidAnswer(
            "Your restatement still uses " + ", ".join(f"'{w}'" for w in used) + "; "
            "say what you mean without it."
        )
    st.restated[seat] = _statement(value, "your restated position")
    return []


async def on_cruxes(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    rnd = st.round
    rnd.cruxes[seat] = parse_items(value)
    if len(rnd.cruxes) >= 2:
        return [await reveal(session, rnd)]
    if session.solo:
        return []
    who = session.name(seat)
    mine = "your" if who.lower() == "you" else "their"
    return [Note(f"{who} {verb(who, 'has', 'have')} submitted {mine} cruxes (hidden).")]


async def on_confirm(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    rnd = st.round
    index = str(key.index)
    rnd.votes.setdefault(index, {})[seat] = value
    votes = rnd.votes[index]
    if len(votes) < 2 or not all(v == "yes" for v in votes.values()):
        return []
    assert rnd.candidates is not None and key.index is not None
    cand = rnd.candidates[key.index]
    # Each listed their own crux: the first side holds the claim, the other's
    # opposite crux denies it.
    stance = Stance(holds="a", denies="b")
    rnd.add_double(cand.a, stance)
    return [Note(f"Double crux confirmed: **{cand.a}** ({stance_text(session, stance)})")]


async def on_propose(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    if value.lower() in ("none", "-"):
        st.round.proposed = Proposal(text=None, votes=None)
    else:
        st.round.proposed = Proposal(text=value, votes={})
    return []


async def on_agree(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    rnd = st.round
    proposed = rnd.proposed
    assert proposed is not None and proposed.votes is not None
    proposed.votes[seat] = value
    if len(proposed.votes) == 2:
        return [settle_proposal(session, rnd, proposed)]
    return []


async def on_resonate(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    rnd = st.round
    index = str(key.index)
    rnd.resonance.setdefault(index, {})[seat] = value
    answers = rnd.resonance[index]
    if len(answers) == 2 and "no" in answers.values():
        return [Note(f"Dropped as a pseudo-crux: {rnd.double[int(index)]}")]
    return []


async def on_next(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    rnd = st.round
    rnd.next = value
    if value != "recurse":
        return []
    st.rounds.append(Round(claim=rnd.kept()[0]))
    return [Note(f"Round {len(st.rounds)}: cruxes underneath the double crux.")]


async def on_test_kind(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    st.test = Test(kind=value)
    return []


async def on_test_detail(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    st.test.detail = value
    return []


async def on_test_date(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    st.test.date = parse_date(value, session.now).isoformat()
    return []


async def on_test_ok(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    st.test_ok[seat] = value
    if len(st.test_ok) == 2 and "no" in st.test_ok.values():
        st.test = Test()
        st.test_ok = {}
        return [Note("Let's find a test you both accept.")]
    return []


async def on_share(
    session: Session, st: CruxState, key: StepKey, seat: str, value: str
) -> list[Note]:
    st.share[seat] = value
    return []


HANDLERS: dict[CruxStep, Handler] = {
    CruxStep.INVITE: on_invite,
    CruxStep.RULES: on_rules,
    CruxStep.POSITION: on_position,
    CruxStep.CONFIDENCE: on_confidence,
    CruxStep.TABOO: on_taboo,
    CruxStep.RESTATE: on_restate,
    CruxStep.CRUXES: on_cruxes,
    CruxStep.CONFIRM: on_confirm,
    CruxStep.PROPOSE: on_propose,
    CruxStep.AGREE: on_agree,
    CruxStep.RESONATE: on_resonate,
    CruxStep.NEXT: on_next,
    CruxStep.TEST_KIND: on_test_kind,
    CruxStep.TEST_DETAIL: on_test_detail,
    CruxStep.TEST_DATE: on_test_date,
    CruxStep.TEST_OK: on_test_ok,
    CruxStep.SHARE: on_share,
}


def settle_proposal(session: Session, rnd: Round, proposed: Proposal) -> Note:
    """Both stances are in: a double crux when one side holds it and the other denies
    it, and both would change their minds; recorded with who stands where."""
    votes = proposed.votes or {}
    text = proposed.text
    holders = [s for s in SEATS if votes.get(s) == "holds"]
    deniers = [s for s in SEATS if votes.get(s) == "denies"]
    proposed.stances = {"holds": holders, "denies": deniers}
    if len(holders) == 1 and len(deniers) == 1 and text is not None:
        stance = Stance(holds=holders[0], denies=deniers[0])
        rnd.add_double(text, stance)
        return Note(f"Double crux confirmed: **{text}** ({stance_text(session, stance)})")
    rnd.proposed = Proposal(text=None, votes=None)
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
