"""The typed state of a "why is this impossible?" dialogue, and the names of its steps.

Like :mod:`bot.dialogues.crux_state`: the models read the JSON stored in
``DialogueRow.state_json`` and write back the same shape, keeping keys they do not own
(the engine's ``_asked``, follow-up outcomes). ``final_confidence`` stays absent in
dialogues stored before it was asked for, until the prediction sets it.

The obstacle tree lives in ``nodes`` keyed by path ids ("1", "1.2", "1.2.1"). A step's
key is its name, then ``:id`` for a step asked about one obstacle (``why:1.2``).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from bot.dialogues.crux_state import Stored

#: From hardest to easiest: a reason is as hard as the hardest obstacle under it (it
#: stands until every one of them is dealt with).
HARDEST_FIRST = ("impossible", "hard", "inconvenient")


class ImpossibleStep(StrEnum):
    """Every step of the dialogue; the values are the stored step names."""

    GOAL = "goal"
    CONFIDENCE = "confidence"
    REASONS = "reasons"
    WHY = "why"
    LABEL = "label"
    ACTION = "action"
    PREDICTION = "prediction"
    FOLLOWUP = "followup"

    def key(self, nid: str | None = None) -> str:
        """The prompt key: ``label:1.2`` for obstacle 1.2, ``goal`` for the goal."""
        return self.value if nid is None else f"{self.value}:{nid}"

    @classmethod
    def parse(cls, key: str) -> tuple[ImpossibleStep, str] | None:
        """``why:1.2`` → (WHY, "1.2"); ``goal`` → (GOAL, ""); None for an unknown step."""
        name, _, nid = key.partition(":")
        if name not in cls._value2member_map_:
            return None
        return cls(name), nid


class Obstacle(Stored):
    """One reason or obstacle; ``label`` and ``action`` are None until answered."""

    text: str
    depth: int
    children: list[str] = Field(default_factory=list)
    expanded: bool = False
    label: str | None = None
    action: str | None = None


class ImpossibleState(Stored):
    """Everything a "why is this impossible?" dialogue has heard so far."""

    omitted_when_unset = frozenset({"final_confidence"})

    goal: str | None = None
    confidence: int | float | None = None
    roots: list[str] = Field(default_factory=list)
    nodes: dict[str, Obstacle] = Field(default_factory=dict)
    prediction: str | None = None
    final_confidence: int | float | None = None
    followup_at: str | None = None
    max_depth: int

    @classmethod
    def new(cls, goal: str | None, max_depth: int) -> ImpossibleState:
        """A fresh dialogue; ``final_confidence`` is stored (as null) from the start."""
        return cls(goal=goal.strip() if goal else None, final_confidence=None, max_depth=max_depth)

    def add_children(self, parent: str | None, texts: list[str]) -> None:
        """Add obstacles under ``parent`` (the goal when None), numbered after their
        siblings; one at the depth limit counts as taken apart already."""
        siblings = self.roots if parent is None else self.nodes[parent].children
        depth = 1 if parent is None else self.nodes[parent].depth + 1
        for text in texts:
            nid = f"{len(siblings) + 1}" if parent is None else f"{parent}.{len(siblings) + 1}"
            self.nodes[nid] = Obstacle(text=text, depth=depth, expanded=depth >= self.max_depth)
            siblings.append(nid)


def order(state: ImpossibleState) -> list[str]:
    """Node ids depth-first, in the order the owner wrote them."""
    out: list[str] = []

    def walk(ids: list[str]) -> None:
        for nid in ids:
            out.append(nid)
            walk(state.nodes[nid].children)

    walk(state.roots)
    return out


def leaves(state: ImpossibleState) -> list[str]:
    """The concrete obstacles: those with nothing under them."""
    return [nid for nid in order(state) if not state.nodes[nid].children]


def hardest_under(state: ImpossibleState, nid: str) -> str | None:
    """The hardest label among the obstacles under ``nid`` (None until all have one)."""
    under = [label_of(state, child) for child in state.nodes[nid].children]
    if not under or any(found is None for found in under):
        return None
    return next(level for level in HARDEST_FIRST if level in under)


def label_of(state: ImpossibleState, nid: str) -> str | None:
    """An obstacle's label: the owner's own (every obstacle is asked about); for a
    reason labelled before that question existed, the hardest of those under it."""
    node = state.nodes[nid]
    if node.label is not None or not node.children:
        return node.label
    return hardest_under(state, nid)


def label_order(state: ImpossibleState) -> list[str]:
    """Every obstacle: the concrete ones first, then each reason above them, deepest
    first, so a reason is labelled after everything under it."""
    inner = [nid for nid in order(state) if state.nodes[nid].children]
    return leaves(state) + sorted(inner, key=lambda nid: -state.nodes[nid].depth)
