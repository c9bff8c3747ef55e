"""Which protocol runs which dialogue, and the notes each protocol is grounded in.

Kept out of the engine so adding a protocol touches this table, not the state machine.
"""

from __future__ import annotations

from typing import Protocol

from bot.dialogues import crux, exercise, impossible, internal_crux, murphyjitsu
from bot.dialogues.model import DialogueKind, Note, Prompt, Session, Summary


class ProtocolImpl(Protocol):
    kind: str

    def prompt(self, session: Session) -> Prompt | None: ...

    async def apply(self, session: Session, prompt: Prompt, seat: str, text: str) -> list[Note]: ...

    def summary(self, session: Session) -> Summary: ...


PROTOCOLS: dict[str, ProtocolImpl] = {
    DialogueKind.IMPOSSIBLE.value: impossible.ImpossibleProtocol(),
    DialogueKind.CRUX.value: crux.CruxProtocol(),
    DialogueKind.EXERCISE.value: exercise.ExerciseProtocol(),
}
#: Protocols that share a kind (and so its server setting) but run their own steps.
SPEC_PROTOCOLS: dict[tuple[str, str], ProtocolImpl] = {
    (DialogueKind.CRUX.value, internal_crux.SPEC): internal_crux.InternalCruxProtocol(),
    (DialogueKind.EXERCISE.value, murphyjitsu.NOTE_ID): murphyjitsu.MurphyjitsuProtocol(),
}


def protocol_for(kind: str, spec: str = "") -> ProtocolImpl:
    """The protocol a dialogue runs: its kind's, or a variant's (internal double crux)."""
    return SPEC_PROTOCOLS.get((kind, spec)) or PROTOCOLS[kind]


#: Notes the facilitator grounds each protocol's wording in.
GROUNDING: dict[str, tuple[str, ...]] = {
    DialogueKind.IMPOSSIBLE.value: ("why-is-this-impossible",),
    DialogueKind.CRUX.value: ("double-crux", "tabooing-words", "operationalise-a-disagreement"),
}
#: Exercises that are full protocols rather than a list of steps.
PROTOCOL_EXERCISES = {
    "why-is-this-impossible": DialogueKind.IMPOSSIBLE,
    "double-crux": DialogueKind.CRUX,
    "internal-double-crux": DialogueKind.CRUX,
}
