"""A dialogue service on a real database with a simulated clock and a recording outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import SimulatedClock
from bot.dialogues import DialogueService, Person
from bot.dialogues.model import DialogueSettings, Similarity
from bot.storage import Database

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
ALICE = Person(101, "alice")
BOB = Person(202, "bob")
CAROL = Person(303, "carol")


@dataclass
class RecordingOutbox:
    items: dict[str, dict[str, Any]] = field(default_factory=dict)

    async def schedule(
        self, user_id: int, kind: str, due_at: datetime, payload: dict[str, Any], key: str
    ) -> None:
        self.items[key] = {"user_id": user_id, "kind": kind, "due_at": due_at, **payload}

    async def schedule_in(
        self,
        session: AsyncSession,
        user_id: int,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any],
        key: str,
    ) -> None:
        """Recorded at once (the real outbox stores it with the caller's transaction)."""
        await self.schedule(user_id, kind, due_at, payload, key)

    async def cancel(self, key: str) -> bool:
        """Drop a pending item (the real outbox marks it cancelled)."""
        return self.items.pop(key, None) is not None


def make_service(
    db: Database,
    clock: SimulatedClock | None = None,
    outbox: RecordingOutbox | None = None,
    similarity: Similarity | None = None,
) -> DialogueService:
    box = outbox if outbox is not None else RecordingOutbox()
    return DialogueService(
        db,
        clock or SimulatedClock(START),
        settings=DialogueSettings(max_depth=3, reminder_after_hours=24, expire_after_days=7),
        similarity=similarity,
        outbox=lambda: box,
    )
