"""What a double crux leaves behind: the summary, the crux map's data and follow-ups.

Separate from :mod:`bot.dialogues.crux` (the questions) because it only reads the
finished state; it also holds the two readings of state both need (``kept`` cruxes
and who holds or denies each).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.dialogues.crux_matching import SEATS
from bot.dialogues.model import FollowUp, Session, Summary
from bot.wording import possessive, verb


def kept(rnd: dict[str, Any]) -> list[str]:
    """Double cruxes that survived the resonance check."""
    out = []
    for index, crux in enumerate(rnd["double"]):
        answers = rnd["resonance"].get(str(index), {})
        if answers and "no" not in answers.values():
            out.append(crux)
    return out


def stance_text(session: Session, stance: dict[str, str]) -> str:
    """ "alice holds it, bob denies it" (a solo crux names its two sides)."""
    holds, denies = session.name(stance["holds"]), session.name(stance["denies"])
    return f"{holds} {verb(holds, 'holds')} it, {denies} {verb(denies, 'denies', 'deny')} it"


def summary(session: Session) -> Summary:
    st = session.state
    if st["declined"]:
        return Summary(title="Double crux declined", text="The invitation was declined.")
    names = {s: session.name(s) for s in SEATS}
    lines = _positions(st, names)
    doubles: list[str] = []
    for number, rnd in enumerate(st["rounds"], 1):
        lines += _round_lines(session, names, number, rnd)
        doubles += kept(rnd)
    test = st["test"]
    if test:
        lines += [
            "",
            f"**Agreed test ({test.get('kind')}):** {test.get('detail')}",
            f"**Settled by:** {test.get('date', '')[:10]}",
        ]
    share = not session.solo and all(st["share"].get(s) == "yes" for s in SEATS)
    return Summary(
        title=f"Double crux: {st['claim']}",
        text="\n".join(lines),
        image="crux_map",
        image_data={
            "claim": st["claim"],
            "names": names,
            "positions": st["positions"],
            "confidence": st["confidence"],
            "rounds": [
                {"claim": r["claim"], "cruxes": r["cruxes"], "double": kept(r)}
                for r in st["rounds"]
            ],
            "test": test,
            "doubles": doubles,
        },
        followups=_followups(session, test),
        share_in_channel=share,
    )


def _positions(st: dict[str, Any], names: dict[str, str]) -> list[str]:
    """The claim, each position (and its restatement) and the tabooed words."""
    lines = [f"**Claim:** {st['claim']}", "", "**Positions**"]
    for seat in SEATS:
        conf = st["confidence"].get(seat)
        lines.append(f"- {names[seat]} ({conf}%): {st['positions'].get(seat, '')}")
        if seat in st["restated"]:
            lines.append(f"  restated: {st['restated'][seat]}")
    lines.append("**Tabooed terms:** " + (", ".join(st["taboo"]) if st["taboo"] else "none"))
    return lines


def _round_lines(
    session: Session, names: dict[str, str], number: int, rnd: dict[str, Any]
) -> list[str]:
    """One round: each side's cruxes and the double cruxes kept, with their stances."""
    lines = ["", f"**Round {number}: {rnd['claim']}**"]
    for seat in SEATS:
        items = rnd["cruxes"].get(seat, [])
        lines.append(f"{possessive(names[seat]).capitalize()} cruxes: " + ("; ".join(items) or "—"))
    found = kept(rnd)
    lines.append("Double crux: " + ("; ".join(found) if found else "none found"))
    for crux in found:
        stance = rnd.get("stances", {}).get(crux)
        if stance:
            lines.append(f"  {stance_text(session, stance)}")
    return lines


def _followups(session: Session, test: dict[str, Any]) -> tuple[FollowUp, ...]:
    """A "What did you find?" DM to each person on the date the test settles."""
    if not test.get("date"):
        return ()
    due = datetime.fromisoformat(test["date"])
    users = sorted({s.user_id for s in session.seats.values()})
    return tuple(
        FollowUp(
            uid,
            due,
            f"Today is the date you set to settle your double crux on "
            f"**{session.state['claim']}**: {test.get('detail')}. What did you find?",
            f"dlg:{session.id}:followup:{uid}",
        )
        for uid in users
    )
