"""The engine's value types: what callers pass in and what adapters get back.

They live apart from :mod:`bot.dialogues.service` so the engine's helpers (the
repository, follow-ups, export) can share them without importing the engine itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogues.model import DialogueKind, Prompt, Seat
from bot.storage.dialogue_models import DialogueRow

MAX_ANSWER = 4000
#: The outbox kind of a step's timer ping ("Your 5 minutes are up").
TIMER_KIND = "dialogue_timer"
#: The outbox kind of the "What happened?" DM at the date a dialogue set.
FOLLOWUP_KIND = "dialogue_followup"
#: How long after the follow-up DM a reply in DMs still counts as its answer.
OUTCOME_WINDOW = timedelta(days=3)


class Outbox(Protocol):
    async def schedule(
        self, user_id: int, kind: str, due_at: datetime, payload: dict[str, Any], key: str
    ) -> None: ...

    async def schedule_in(
        self,
        session: AsyncSession,
        user_id: int,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any],
        key: str,
    ) -> None:
        """``schedule``, inside the caller's transaction (stored with it, or not at all)."""

    async def cancel(self, key: str) -> bool: ...


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str


@dataclass(frozen=True)
class Place:
    """Where a dialogue runs: a private thread, a DM channel, or nowhere (the console)."""

    guild_id: int | None = None
    channel_id: int | None = None
    origin_channel_id: int | None = None
    in_dm: bool = False


@dataclass(frozen=True)
class DialogueInfo:
    id: int
    kind: str
    spec: str
    title: str
    status: str
    step: str
    owner_id: int
    guild_id: int | None
    channel_id: int | None
    origin_channel_id: int | None
    in_dm: bool
    seats: dict[str, Seat]

    @property
    def user_ids(self) -> set[int]:
        return {s.user_id for s in self.seats.values()}

    def names(self, seats: Sequence[str], *, joiner: str = "and") -> str:
        found = dict.fromkeys(self.seats[s].name for s in seats if s in self.seats)
        return f" {joiner} ".join(found)

    def waiting_for(self, prompt: Prompt) -> str:
        """Who the question waits on: "alice and bob" when each must answer, "alice or
        bob" when one answer from either settles it."""
        return self.names(prompt.seats, joiner="or" if prompt.any_one else "and")


@dataclass(frozen=True)
class Delivery:
    """An event still to be sent: a question, a note, an echoed answer or the summary."""

    event_id: int
    seq: int
    kind: str
    text: str
    dialogue: DialogueInfo
    prompt: Prompt | None
    meta: dict[str, Any]


@dataclass(frozen=True)
class TurnResult:
    dialogue: DialogueInfo
    seat: str
    answer: str
    prompt: Prompt | None
    finished: bool


@dataclass(frozen=True)
class TranscriptLine:
    kind: str
    who: str
    text: str


@dataclass
class SweepReport:
    reminded: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    #: Dialogues the sweep could not handle (logged with their traceback, then skipped).
    failed: list[int] = field(default_factory=list)


def info_of(row: DialogueRow, seats: dict[str, Seat]) -> DialogueInfo:
    """A dialogue row and its seats as adapters see them."""
    return DialogueInfo(
        id=row.id,
        kind=row.kind,
        spec=row.spec,
        title=row.title,
        status=row.status,
        step=row.step,
        owner_id=row.owner_id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        origin_channel_id=row.origin_channel_id,
        in_dm=row.in_dm,
        seats=seats,
    )


def user_of(seats: dict[str, Seat], seat: str) -> int | None:
    """Who sits in ``seat``; None for a seat whose row is gone (never a KeyError)."""
    found = seats.get(seat)
    return found.user_id if found is not None else None


@dataclass(frozen=True)
class ServerRules:
    """What a server's moderators decided about dialogues (see bot.guild_config)."""

    enabled: frozenset[str] = frozenset(kind.value for kind in DialogueKind)
    max_depth: int | None = None
    public_summaries: bool = True
    thread_channel_id: int | None = None


ServerRulesSource = Callable[[int], Awaitable[ServerRules]]
