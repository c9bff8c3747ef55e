"""Plain data passed between the outbox, the kinds that render items, and the deliverers.

No Discord types here: the Discord adapter and the console each turn an
:class:`OutgoingMessage` into their own way of showing it.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

# Re-exported: the outbox and the kinds name statuses from here; storage defines them.
from bot.storage.coaching_models import ItemStatus as ItemStatus


@dataclass(frozen=True)
class OutboxItem:
    """A stored item, as the scheduler hands it to a kind's renderer."""

    id: int
    key: str
    user_id: int
    kind: str
    payload: dict[str, Any]
    scheduled_for: datetime
    due_at: datetime
    attempts: int
    unsolicited: bool
    #: A process died while sending it: it may have gone out (look before resending).
    uncertain: bool = False


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Action:
    """A button under a message. ``name`` is a stable action id the adapters map to
    their own components (e.g. "orient.quick"); ``ref`` is the id it acts on."""

    name: str
    label: str
    ref: str


@dataclass(frozen=True)
class OutgoingMessage:
    """What to send: text, an optional title, files and buttons; to the user's DMs unless
    ``channel_id`` is set."""

    text: str
    title: str | None = None
    attachments: tuple[Attachment, ...] = ()
    actions: tuple[Action, ...] = ()
    channel_id: int | None = None
    #: Open a thread named so in ``channel_id`` (a forum post in a forum channel) and
    #: post there; the deliverer reports the thread's id as ``DeliveryOutcome.posted_to``.
    thread_name: str | None = None
    #: With ``thread_name`` in a text channel: a private thread only these people (and
    #: the bot) can see, e.g. two practice partners.
    private_members: tuple[int, ...] = ()
    #: With ``thread_name``: the thread an earlier, cut-off attempt already opened (its id
    #: came through ``Delivery.opened``). The deliverer posts there, after checking that
    #: the message did not arrive before the cut-off, instead of opening another.
    existing_thread_id: int | None = None
    #: Show it as a card: the title, the text and the attachments as images in one box
    #: (a review with its chart), rather than text with files hanging under it.
    card: bool = False
    #: Edit this earlier message in ``channel_id`` instead of posting (a progress bar
    #: updated in place: one message, never a growing pile).
    edit_message_id: int | None = None


@dataclass(frozen=True)
class Delivery:
    """An item ready to send: the deliverer only needs the recipient and the message."""

    item_id: int
    key: str
    kind: str
    user_id: int
    message: OutgoingMessage
    #: An earlier send was cut off: the deliverer checks whether it arrived first, and
    #: reports it sent without sending it again if it did.
    uncertain: bool = False
    #: Called with a new thread's id the moment it exists, when opening it takes more
    #: steps (a private thread, then its members, then the message): a crash in between
    #: then leaves the thread recorded by its kind, and the retry reuses it rather than
    #: opening a second, empty one.
    opened: Callable[[int], Awaitable[None]] | None = field(default=None, compare=False)


class DeliveryResult(StrEnum):
    SENT = "sent"
    CLOSED = "closed"  # the person cannot be reached by DM: never retried
    FAILED = "failed"


@dataclass(frozen=True)
class DeliveryOutcome:
    result: DeliveryResult
    retry: bool = False
    detail: str = ""
    #: Where a message that opened a thread landed (the thread's id), for the kind's
    #: ``posted`` hook: later posts and replies then find the thread after a restart.
    posted_to: int | None = None

    @classmethod
    def sent(cls, posted_to: int | None = None) -> DeliveryOutcome:
        return cls(DeliveryResult.SENT, posted_to=posted_to)

    @classmethod
    def closed(cls, detail: str = "DMs closed") -> DeliveryOutcome:
        return cls(DeliveryResult.CLOSED, retry=False, detail=detail)

    @classmethod
    def failed(cls, detail: str, *, retry: bool = False) -> DeliveryOutcome:
        return cls(DeliveryResult.FAILED, retry=retry, detail=detail)


class Deliverer(Protocol):
    """Sends one message; implemented by the Discord adapter and by the console."""

    async def deliver(self, delivery: Delivery) -> DeliveryOutcome: ...


def default_message(payload: dict[str, Any]) -> OutgoingMessage | None:
    """The message for kinds with no renderer of their own.

    Payload fields: ``text`` (required), ``title``, ``channel_id``, and ``file`` as
    ``{"filename": ..., "base64": ...}``.
    """
    text = payload.get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    attachments: tuple[Attachment, ...] = ()
    file = payload.get("file")
    if isinstance(file, dict) and isinstance(file.get("base64"), str):
        name = str(file.get("filename") or "file.bin")
        attachments = (Attachment(name, base64.b64decode(file["base64"])),)
    channel = payload.get("channel_id")
    title = payload.get("title")
    return OutgoingMessage(
        text=text,
        title=title if isinstance(title, str) else None,
        attachments=attachments,
        channel_id=int(channel) if channel is not None else None,
    )


@dataclass
class RunReport:
    """What one pass over due items did; the console prints it, tests assert on it."""

    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return len(self.sent) + len(self.skipped) + len(self.failed) + len(self.closed)

    def merge(self, other: RunReport) -> None:
        self.sent += other.sent
        self.skipped += other.skipped
        self.failed += other.failed
        self.closed += other.closed
