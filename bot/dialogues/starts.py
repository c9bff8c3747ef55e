"""How each kind of dialogue begins: its seats, first state, title and opening note.

Pure builders, so the engine's ``start_*`` methods only check the server's rules and
store what these return; the protocols' opening wording stays next to each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.dialogues import crux, exercise, impossible, internal_crux, murphyjitsu
from bot.dialogues.model import DialogueKind, InvalidAnswer
from bot.dialogues.records import Person
from bot.text_input import has_visible_text, trim
from bot.wording import plural
from knowledge.note import Note as KnowledgeNote


@dataclass(frozen=True)
class Start:
    """Everything a new dialogue is stored with, before its first question."""

    kind: DialogueKind
    people: list[tuple[str, Person]]
    state: dict[str, Any]
    title: str
    spec: str = ""
    intro: str | None = None


def impossible_start(owner: Person, goal: str | None, depth: int) -> Start:
    # An invisible goal counts as no goal: the dialogue then asks for it.
    clean = trim(goal)[:500] if goal and has_visible_text(goal) else None
    return Start(
        DialogueKind.IMPOSSIBLE,
        [("a", owner)],
        impossible.new_state(clean, depth),
        f"Why is this impossible? {clean or ''}".strip(),
        intro=(
            "**Very specifically, why is this impossible?** We'll take the goal apart "
            f"into concrete obstacles (down to {plural(depth, 'level')}), sort them, and end with "
            "first steps, a prediction and a follow-up. Pause or end any time."
        ),
    )


def crux_claim(claim: str) -> str:
    """The claim a double crux is about; InvalidAnswer when there is none."""
    claim = trim(claim)[:500]
    if not has_visible_text(claim):
        raise InvalidAnswer("A double crux needs a claim to disagree about.")
    return claim


def crux_start(owner: Person, partner: Person, claim: str) -> Start:
    if partner.user_id == owner.user_id:
        raise InvalidAnswer("Pick someone else as your partner, or use solo mode.")
    return Start(
        DialogueKind.CRUX,
        [("a", owner), ("b", partner)],
        crux.new_state(claim, invited=True),
        f"Double crux: {claim}",
    )


def internal_crux_start(owner: Person, topic: str | None, sides: tuple[str, str] | None) -> Start:
    clean = trim(topic)[:500] if topic and has_visible_text(topic) else None
    names: dict[str, str] = {}
    if sides is not None:
        # A side left blank is named by the dialogue's first questions.
        names = {
            seat: internal_crux.neutral_name(name)
            for seat, name in zip(("a", "b"), sides, strict=True)
            if has_visible_text(name) and trim(name) not in internal_crux.DEFAULT_NAMES.values()
        }
    people = [
        ("a", Person(owner.user_id, names.get("a", "Side A"))),
        ("b", Person(owner.user_id, names.get("b", "Side B"))),
    ]
    return Start(
        DialogueKind.CRUX,
        people,
        internal_crux.new_state(clean, names),
        f"Internal double crux: {clean or ''}".strip(),
        spec=internal_crux.SPEC,
    )


def exercise_start(owner: Person, note: KnowledgeNote) -> Start:
    """An exercise walked through step by step (Murphyjitsu has its own protocol)."""
    if not note.steps:
        raise InvalidAnswer(f"{note.title} has no steps to walk through.")
    state = (
        murphyjitsu.new_state(note.title)
        if note.id == murphyjitsu.NOTE_ID
        else exercise.new_state(note.id, note.title, note.steps)
    )
    return Start(
        DialogueKind.EXERCISE,
        [("a", owner)],
        state,
        note.title,
        spec=note.id,
        intro=f"**{note.title}**: {note.summary}",
    )
