"""The typed state of a double crux, and the names of its steps.

The engine stores ``session.state`` as JSON (``DialogueRow.state_json``). These models
read that JSON and write back exactly the same shape, so dialogues stored before they
existed resume unchanged: keys the double crux does not own (the engine's ``_asked``,
follow-up outcomes) pass through untouched, and keys that are absent until an answer
sets them (a round's ``stances``, the test's ``detail``) stay absent until then.

A step's key is its name, then the round number and an index for steps asked more than
once (``confirm2.1``), then ``:seat`` when a solo dialogue asks one side at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer


class CruxStep(StrEnum):
    """Every step of a double crux; the values are the stored step names."""

    INVITE = "invite"
    RULES = "rules"
    POSITION = "position"
    CONFIDENCE = "confidence"
    TABOO = "taboo"
    RESTATE = "restate"
    CRUXES = "cruxes"
    CONFIRM = "confirm"
    PROPOSE = "propose"
    AGREE = "agree"
    RESONATE = "resonate"
    NEXT = "next"
    TEST_KIND = "test_kind"
    TEST_DETAIL = "test_detail"
    TEST_DATE = "test_date"
    TEST_OK = "test_ok"
    SHARE = "share"

    def key(self, number: int | None = None, index: int | None = None) -> str:
        """The prompt key: ``confirm2.1`` for round 2's second candidate."""
        out = self.value
        if number is not None:
            out += str(number)
        if index is not None:
            out += f".{index}"
        return out


@dataclass(frozen=True)
class StepKey:
    """A prompt key decoded: the step, its round number and index, and the solo seat."""

    step: CruxStep
    number: int | None = None
    index: int | None = None
    seat: str | None = None

    @classmethod
    def parse(cls, key: str) -> StepKey | None:
        """``confirm2.1:a`` → (CONFIRM, 2, 1, "a"); None for a key of no known step."""
        head, _, seat = key.partition(":")
        for step in sorted(CruxStep, key=len, reverse=True):
            if not head.startswith(step.value):
                continue
            number, dot, index = head[len(step.value) :].partition(".")
            if (number and not number.isdigit()) or (dot and not index.isdigit()):
                continue
            return cls(
                step,
                int(number) if number else None,
                int(index) if dot else None,
                seat or None,
            )
        return None


class Stored(BaseModel):
    """A piece of stored state: unknown keys are kept, the fields named in
    ``omitted_when_none`` are left out of the JSON while they are None, and those in
    ``omitted_when_unset`` while they were neither read nor assigned (a key that older
    dialogues lack, or one stored as null on purpose, keeps its shape)."""

    model_config = ConfigDict(extra="allow")
    omitted_when_none: ClassVar[frozenset[str]] = frozenset()
    omitted_when_unset: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _leave_out_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name in self.omitted_when_none:
            if data.get(name) is None:
                data.pop(name, None)
        for name in self.omitted_when_unset - self.model_fields_set:
            data.pop(name, None)
        return data

    @classmethod
    def load(cls, state: dict[str, Any]) -> Self:
        """Read stored JSON (``session.state``)."""
        return cls.model_validate(state)

    def dump(self) -> dict[str, Any]:
        """The stored JSON shape."""
        data: dict[str, Any] = self.model_dump(mode="json")
        return data

    def store_into(self, state: dict[str, Any]) -> None:
        """Write back into ``state`` in place: the engine holds that very dict."""
        state.clear()
        state.update(self.dump())


class Stance(Stored):
    """Who holds a double crux and who denies it (seats)."""

    holds: str
    denies: str


class Candidate(Stored):
    """Two cruxes that look alike, offered as one shared crux."""

    a: str
    b: str
    score: float


class Proposal(Stored):
    """A double crux one side wrote; ``text`` None means they proposed none."""

    omitted_when_none = frozenset({"stances"})

    text: str | None = None
    votes: dict[str, str] | None = None
    stances: dict[str, list[str]] | None = None


class Round(Stored):
    """One round: a claim, each side's cruxes and the double cruxes found under it."""

    omitted_when_none = frozenset({"stances"})

    claim: str
    cruxes: dict[str, list[str]] = Field(default_factory=dict)
    candidates: list[Candidate] | None = None
    votes: dict[str, dict[str, str]] = Field(default_factory=dict)
    proposed: Proposal | None = None
    double: list[str] = Field(default_factory=list)
    resonance: dict[str, dict[str, str]] = Field(default_factory=dict)
    next: str | None = None
    stances: dict[str, Stance] | None = None

    def add_double(self, crux: str, stance: Stance) -> None:
        """Record a confirmed double crux with who holds and who denies it."""
        self.double.append(crux)
        if self.stances is None:
            self.stances = {}
        self.stances[crux] = stance

    def kept(self) -> list[str]:
        """Double cruxes that survived the resonance check."""
        out = []
        for index, crux in enumerate(self.double):
            answers = self.resonance.get(str(index), {})
            if answers and "no" not in answers.values():
                out.append(crux)
        return out


class Test(Stored):
    """How the disagreement will be settled; filled in one answer at a time."""

    __test__ = False  # not a pytest class
    omitted_when_none = frozenset({"kind", "detail", "date"})

    kind: str | None = None
    detail: str | None = None
    date: str | None = None


class CruxState(Stored):
    """Everything a double crux has heard so far."""

    claim: str
    accepted: bool = True
    declined: bool = False
    rules: dict[str, bool] = Field(default_factory=dict)
    positions: dict[str, str] = Field(default_factory=dict)
    confidence: dict[str, int | float] = Field(default_factory=dict)
    taboo_done: bool = False
    taboo: list[str] = Field(default_factory=list)
    restated: dict[str, str] = Field(default_factory=dict)
    rounds: list[Round] = Field(default_factory=list)
    test: Test = Field(default_factory=Test)
    test_ok: dict[str, str] = Field(default_factory=dict)
    share: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def new(cls, claim: str, *, invited: bool) -> CruxState:
        clean = claim.strip()
        return cls(claim=clean, accepted=not invited, rounds=[Round(claim=clean)])

    @property
    def round(self) -> Round:
        """The round under way (the last one)."""
        return self.rounds[-1]
