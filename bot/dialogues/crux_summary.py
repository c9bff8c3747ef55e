"""What a double crux leaves behind: the summary, the crux map's data and follow-ups.

Separate from :mod:`bot.dialogues.crux` (the questions) because it only reads the
finished state; it also says who holds or denies each double crux, which both need.
"""

from __future__ import annotations

from datetime import datetime

from bot.dialogues.crux_matching import SEATS
from bot.dialogues.crux_state import CruxState, Round, Stance, Test
from bot.dialogues.model import FollowUp, Session, Summary
from bot.wording import possessive, verb


def stance_text(session: Session, stance: Stance) -> str:
    """ "alice holds it, bob denies it" (a solo crux names its two sides)."""
    holds, denies = session.name(stance.holds), session.name(stance.denies)
    return f"{holds} {verb(holds, 'holds')} it, {denies} {verb(denies, 'denies', 'deny')} it"


def summary(session: Session) -> Summary:
    st = CruxState.load(session.state)
    if st.declined:
        return Summary(title="Double crux declined", text="The invitation was declined.")
    names = {s: session.name(s) for s in SEATS}
    lines = _positions(st, names)
    doubles: list[str] = []
    for number, rnd in enumerate(st.rounds, 1):
        lines += _round_lines(session, names, number, rnd)
        doubles += rnd.kept()
    test = st.test
    if test.dump():
        lines += [
            "",
            f"**Agreed test ({test.kind}):** {test.detail}",
            f"**Settled by:** {(test.date or '')[:10]}",
        ]
    share = not session.solo and all(st.share.get(s) == "yes" for s in SEATS)
    return Summary(
        title=f"Double crux: {st.claim}",
        text="\n".join(lines),
        image="crux_map",
        image_data={
            "claim": st.claim,
            "names": names,
            "positions": st.positions,
            "confidence": st.confidence,
            "rounds": [
                {"claim": r.claim, "cruxes": r.cruxes, "double": r.kept()} for r in st.rounds
            ],
            "test": test.dump(),
            "doubles": doubles,
        },
        followups=_followups(session, st.claim, test),
        share_in_channel=share,
    )


def _positions(st: CruxState, names: dict[str, str]) -> list[str]:
    """The claim, each position (and its restatement) and the tabooed words."""
    lines = [f"**Claim:** {st.claim}", "", "**Positions**"]
    for seat in SEATS:
        conf = st.confidence.get(seat)
        lines.append(f"- {names[seat]} ({conf}%): {st.positions.get(seat, '')}")
        if seat in st.restated:
            lines.append(f"  restated: {st.restated[seat]}")
    lines.append("**Tabooed terms:** " + (", ".join(st.taboo) if st.taboo else "none"))
    return lines


def _round_lines(session: Session, names: dict[str, str], number: int, rnd: Round) -> list[str]:
    """One round: each side's cruxes and the double cruxes kept, with their stances."""
    lines = ["", f"**Round {number}: {rnd.claim}**"]
    for seat in SEATS:
        items = rnd.cruxes.get(seat, [])
        lines.append(f"{possessive(names[seat]).capitalize()} cruxes: " + ("; ".join(items) or "—"))
    found = rnd.kept()
    lines.append("Double crux: " + ("; ".join(found) if found else "none found"))
    for crux in found:
        stance = (rnd.stances or {}).get(crux)
        if stance:
            lines.append(f"  {stance_text(session, stance)}")
    return lines


def _followups(session: Session, claim: str, test: Test) -> tuple[FollowUp, ...]:
    """A "What did you find?" DM to each person on the date the test settles."""
    if not test.date:
        return ()
    due = datetime.fromisoformat(test.date)
    users = sorted({s.user_id for s in session.seats.values()})
    return tuple(
        FollowUp(
            uid,
            due,
            f"Today is the date you set to settle your double crux on "
            f"**{claim}**: {test.detail}. What did you find?",
            f"dlg:{session.id}:followup:{uid}",
        )
        for uid in users
    )
