"""The typed state of an internal double crux, and the names of its steps.

Like :mod:`bot.dialogues.crux_state`: the models read the JSON stored in
``DialogueRow.state_json`` and write back the same shape, keeping keys they do not own.
A step's key is its name, a number for steps asked more than once (``say3``), then
``:seat`` for the part it is asked of (``need:a``).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from bot.dialogues.crux_state import Stored


class InternalStep(StrEnum):
    """Every step of an internal double crux; the values are the stored step names."""

    TOPIC = "topic"
    RULES = "rules"
    NAME = "name"
    SAY = "say"
    TRUE = "true"
    CHECK = "check"
    NEED = "need"
    STEP = "step"

    def key(self, number: int | None = None, seat: str | None = None) -> str:
        """The prompt key: ``say3``, ``name:a``."""
        out = self.value + ("" if number is None else str(number))
        return out if seat is None else f"{out}:{seat}"

    @classmethod
    def parse(cls, key: str) -> tuple[InternalStep, str | None] | None:
        """``need:a`` → (NEED, "a"); ``check2`` → (CHECK, None); None if unknown."""
        head, _, seat = key.partition(":")
        name = head.rstrip("0123456789")
        if name not in cls._value2member_map_:
            return None
        return cls(name), seat or None


class Turn(Stored):
    """One part says one thing; the other then finds what is ``true`` in it."""

    omitted_when_none = frozenset({"true"})

    seat: str
    says: str
    topic: str
    true: str | None = None


class InternalCruxState(Stored):
    """Everything an internal double crux has heard so far."""

    claim: str = ""
    topic: str = ""
    ready: bool = False
    names: dict[str, str] = Field(default_factory=dict)
    turns: list[Turn] = Field(default_factory=list)
    checks: list[str] = Field(default_factory=list)
    #: ``{"from": old topic, "to": new topic}``.
    reframes: list[dict[str, str]] = Field(default_factory=list)
    heard: bool = False
    needs: dict[str, str] = Field(default_factory=dict)
    step: str | None = None
