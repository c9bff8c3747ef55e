"""Plain data shared by the engine, the protocols and the adapters.

Protocols are pure: they read a :class:`Session`, say what the current question is
(:class:`Prompt`) and change the session's ``state`` when an answer arrives. The engine
owns storage, ordering and who may speak, so a protocol never has to think about a
restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.errors import Refusal


class DialogueKind(StrEnum):
    IMPOSSIBLE = "impossible"
    CRUX = "crux"
    EXERCISE = "exercise"


class Status(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"
    EXPIRED = "expired"


OPEN_STATUSES = (Status.ACTIVE.value, Status.PAUSED.value)


class DialogueError(Refusal):
    """A refusal the user should read (one line), never a crash."""


class InvalidAnswer(DialogueError):
    """The answer can't be used for this question; the question stays open."""


class NotYourTurn(DialogueError):
    """A participant answered a question meant for someone else (or already answered)."""


class NotAParticipant(DialogueError):
    """Someone outside the dialogue tried to answer or steer it."""


class DialogueClosed(DialogueError):
    """The dialogue is paused, ended or expired."""


class UnknownDialogue(DialogueError):
    """No dialogue with that id (or none here)."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Seat:
    """A place in a dialogue. Solo internal double crux seats one person twice."""

    seat: str
    user_id: int
    name: str


@dataclass(frozen=True)
class Prompt:
    """The open question: its key (unique per asking), text and who still has to answer.

    ``private`` answers stay hidden from the other participants until everyone in
    ``seats`` has answered. ``long`` suggests a form (modal) rather than a message;
    ``multi`` means one item per line. ``timer_minutes`` starts a real timer when asked.
    """

    key: str
    text: str
    seats: tuple[str, ...]
    choices: tuple[Choice, ...] = ()
    free_text: bool = True
    private: bool = False
    long: bool = False
    multi: bool = False
    hint: str = ""
    timer_minutes: int | None = None
    #: One answer from any of ``seats`` settles it ("alice or bob"), rather than one
    #: from each ("alice and bob").
    any_one: bool = False

    def to_meta(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "seats": list(self.seats),
            "choices": [[c.value, c.label] for c in self.choices],
            "free_text": self.free_text,
            "private": self.private,
            "long": self.long,
            "multi": self.multi,
            "hint": self.hint,
            "timer_minutes": self.timer_minutes,
            "any_one": self.any_one,
        }

    @classmethod
    def from_meta(cls, text: str, meta: dict[str, Any]) -> Prompt:
        return cls(
            key=str(meta.get("key", "")),
            text=text,
            seats=tuple(meta.get("seats", ())),
            choices=tuple(Choice(str(v), str(label)) for v, label in meta.get("choices", ())),
            free_text=bool(meta.get("free_text", True)),
            private=bool(meta.get("private", False)),
            long=bool(meta.get("long", False)),
            multi=bool(meta.get("multi", False)),
            hint=str(meta.get("hint", "")),
            timer_minutes=meta.get("timer_minutes"),
            any_one=bool(meta.get("any_one", False)),
        )


@dataclass(frozen=True)
class Note:
    """Something the bot says that is not a question (a reveal, a confirmation)."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DialogueSettings:
    max_depth: int = 3
    reminder_after_hours: float = 24.0
    expire_after_days: float = 7.0
    max_crux_rounds: int = 3


Similarity = Callable[[Sequence[str], Sequence[str]], Awaitable[list[list[float]]]]
"""Pairwise similarity of meaning: rows are the first list, columns the second."""


@dataclass
class Session:
    """A dialogue as protocols see it. ``state`` is theirs to change; the rest is facts."""

    id: int
    kind: str
    spec: str
    title: str
    seats: dict[str, Seat]
    state: dict[str, Any]
    settings: DialogueSettings
    now: datetime
    similarity: Similarity | None = None

    def name(self, seat: str) -> str:
        """The seat's name; a seat erased before erasure kept seats reads as "[deleted]"."""
        found = self.seats.get(seat)
        return found.name if found is not None else "[deleted]"

    @property
    def solo(self) -> bool:
        users = {s.user_id for s in self.seats.values()}
        return len(self.seats) > 1 and len(users) == 1


@dataclass(frozen=True)
class Summary:
    """The end of a dialogue: Markdown text plus the data an image is drawn from."""

    title: str
    text: str
    image: str | None = None  # "obstacle_tree" | "crux_map"
    image_data: dict[str, Any] = field(default_factory=dict)
    followups: tuple[FollowUp, ...] = ()
    share_in_channel: bool = False


@dataclass(frozen=True)
class FollowUp:
    user_id: int
    due_at: datetime
    text: str
    key: str
