"""The typed state of a murphyjitsu loop, and the names of its steps.

Like :mod:`bot.dialogues.crux_state`: the models read the JSON stored in
``DialogueRow.state_json`` and write back the same shape, keeping keys they do not own
(the engine's ``_asked``). A round's ``fix`` is absent until it is answered, and its
``surprised`` until then too: the fix stores it as null, and the next answer fills it.
A step's key is its name and the round number (``reason2``); ``plan`` has none.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from bot.dialogues.crux_state import Stored


class MurphyStep(StrEnum):
    """Every step of the loop; the values are the stored step names."""

    PLAN = "plan"
    SURPRISE = "surprise"
    REASON = "reason"
    FIX = "fix"

    def key(self, number: int | None = None) -> str:
        """The prompt key: ``surprise0``, ``fix2``, ``plan``."""
        return self.value if number is None else f"{self.value}{number}"

    @classmethod
    def parse(cls, key: str) -> MurphyStep | None:
        """``fix2`` → FIX; None for a key of no known step."""
        name = key.rstrip("0123456789")
        if name not in cls._value2member_map_:
            return None
        return cls(name)


class FailureRound(Stored):
    """One imagined failure, the fix chosen for it, and whether failure would then
    surprise (None: not asked yet)."""

    omitted_when_unset = frozenset({"fix", "surprised"})

    reason: str
    fix: str | None = None
    surprised: bool | None = None


class MurphyjitsuState(Stored):
    """The plan and every round so far; ``surprised`` answers the first question,
    asked before any round."""

    title: str
    plan: str | None = None
    rounds: list[FailureRound] = Field(default_factory=list)
    surprised: bool | None = None
    done: bool = False

    def last_surprised(self) -> bool | None:
        """The latest answer to "would failure surprise you?" (None: not answered)."""
        return self.rounds[-1].surprised if self.rounds else self.surprised
