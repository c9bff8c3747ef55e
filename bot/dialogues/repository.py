"""Every query the dialogue engine makes, in one place.

The engine (:mod:`bot.dialogues.service`) decides what happens; this module knows how
dialogues, their seats and their transcript are stored, so the state machine reads
without SQL and a schema question has one file to answer it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.dialogues.model import OPEN_STATUSES, Prompt, Seat, Status
from bot.dialogues.records import Delivery, DialogueInfo, Person, Place, info_of
from bot.storage import Database, StorageUnavailable
from bot.storage.dialogue_models import DialogueEvent, DialogueParticipant, DialogueRow

RETRIES = 3
#: A change to a dialogue's stored state, made inside a locked transaction.
StateChange = Callable[[dict[str, Any]], None]


class DialogueRepository:
    """Reads and writes dialogues, seats and transcript events."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def transact(self, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        """Run ``work`` in one transaction, retrying when SQLite reports a busy database."""
        for attempt in range(RETRIES):
            try:
                async with self.db.session() as s:
                    return await work(s)
            except StorageUnavailable:
                if attempt == RETRIES - 1:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    # -- inside a transaction ---------------------------------------------------------

    @staticmethod
    async def fetch(
        s: AsyncSession, dialogue_id: int, *, for_update: bool = True
    ) -> DialogueRow | None:
        """A dialogue's row, locked for the rest of the transaction unless told otherwise."""
        if for_update:
            return await s.get(DialogueRow, dialogue_id, with_for_update=True)
        return await s.get(DialogueRow, dialogue_id)

    @staticmethod
    async def seats(s: AsyncSession, dialogue_id: int) -> dict[str, Seat]:
        rows = await s.scalars(
            select(DialogueParticipant)
            .where(DialogueParticipant.dialogue_id == dialogue_id)
            .order_by(DialogueParticipant.seat)
        )
        return {r.seat: Seat(r.seat, r.user_id, r.name) for r in rows}

    @staticmethod
    async def seat_rows(s: AsyncSession, dialogue_id: int) -> Sequence[DialogueParticipant]:
        """The seat rows themselves, to change in place (erasure)."""
        return (
            await s.scalars(
                select(DialogueParticipant).where(DialogueParticipant.dialogue_id == dialogue_id)
            )
        ).all()

    @staticmethod
    async def event_rows(s: AsyncSession, dialogue_id: int) -> Sequence[DialogueEvent]:
        """The whole transcript's rows, to change in place (erasure)."""
        return (
            await s.scalars(select(DialogueEvent).where(DialogueEvent.dialogue_id == dialogue_id))
        ).all()

    @staticmethod
    async def ids_of_participant(s: AsyncSession, user_id: int) -> Sequence[int]:
        """Every dialogue ``user_id`` has a seat in."""
        return (
            await s.scalars(
                select(DialogueParticipant.dialogue_id)
                .where(DialogueParticipant.user_id == user_id)
                .distinct()
            )
        ).all()

    @staticmethod
    async def rename_seat(s: AsyncSession, dialogue_id: int, seat: str, name: str) -> None:
        """A protocol named a seat during the dialogue (the parts of an internal crux)."""
        row = await s.scalar(
            select(DialogueParticipant).where(
                DialogueParticipant.dialogue_id == dialogue_id, DialogueParticipant.seat == seat
            )
        )
        if row is not None:
            row.name = name[:100]
            await s.flush()

    @staticmethod
    async def next_seq(s: AsyncSession, dialogue_id: int) -> int:
        current = await s.scalar(
            select(func.max(DialogueEvent.seq)).where(DialogueEvent.dialogue_id == dialogue_id)
        )
        return int(current or 0) + 1

    async def emit(
        self,
        s: AsyncSession,
        row: DialogueRow,
        kind: str,
        text: str,
        *,
        step: str = "",
        seat: str | None = None,
        user_id: int | None = None,
        private: bool = False,
        meta: dict[str, Any] | None = None,
        delivered: bool = False,
    ) -> None:
        """Add one line to the transcript (undelivered unless ``delivered``)."""
        now = self.clock.now()
        s.add(
            DialogueEvent(
                dialogue_id=row.id,
                seq=await self.next_seq(s, row.id),
                kind=kind,
                step=step,
                seat=seat,
                user_id=user_id,
                text=text,
                private=private,
                meta_json=json.dumps(meta or {}),
                delivered_at=now if delivered else None,
                created_at=now,
            )
        )
        await s.flush()

    async def create(
        self,
        s: AsyncSession,
        row: DialogueRow,
        people: Sequence[tuple[str, Person]],
    ) -> dict[str, Seat]:
        """Store a new dialogue and seat its people; returns the seats."""
        s.add(row)
        await s.flush()
        for seat, person in people:
            s.add(
                DialogueParticipant(
                    dialogue_id=row.id,
                    seat=seat,
                    user_id=person.user_id,
                    name=person.name[:100],
                )
            )
        await s.flush()
        return {seat: Seat(seat, p.user_id, p.name[:100]) for seat, p in people}

    def new_row(self, kind: str, spec: str, title: str, owner_id: int, place: Place) -> DialogueRow:
        """An active dialogue that has asked nothing yet."""
        now = self.clock.now()
        return DialogueRow(
            kind=kind,
            spec=spec,
            status=Status.ACTIVE.value,
            step="",
            state_json="{}",
            title=title[:200],
            owner_id=owner_id,
            guild_id=place.guild_id,
            channel_id=place.channel_id,
            origin_channel_id=place.origin_channel_id,
            in_dm=place.in_dm,
            version=0,
            created_at=now,
            updated_at=now,
            last_activity_at=now,
        )

    async def attach_channel(self, dialogue_id: int, channel_id: int) -> None:
        async def work(s: AsyncSession) -> None:
            row = await s.get(DialogueRow, dialogue_id)
            if row is not None:
                row.channel_id = channel_id

        await self.transact(work)

    # -- reading ----------------------------------------------------------------------

    async def load(self, dialogue_id: int) -> tuple[DialogueRow, dict[str, Seat]] | None:
        """A dialogue and its seats, or None when there is no such dialogue."""
        async with self.db.session() as s:
            row = await s.get(DialogueRow, dialogue_id)
            if row is None:
                return None
            return row, await self.seats(s, dialogue_id)

    async def row(self, dialogue_id: int) -> DialogueRow | None:
        async with self.db.session() as s:
            return await s.get(DialogueRow, dialogue_id)

    async def for_user(self, user_id: int, statuses: Sequence[str]) -> list[DialogueInfo]:
        """Dialogues ``user_id`` takes part in with one of ``statuses``, newest first."""
        async with self.db.session() as s:
            rows = (
                await s.scalars(
                    select(DialogueRow)
                    .join(DialogueParticipant, DialogueParticipant.dialogue_id == DialogueRow.id)
                    .where(
                        DialogueParticipant.user_id == user_id,
                        DialogueRow.status.in_(statuses),
                    )
                    .order_by(DialogueRow.id.desc())
                )
            ).unique()
            out = []
            seen: set[int] = set()
            for row in rows:
                if row.id not in seen:
                    seen.add(row.id)
                    out.append(info_of(row, await self.seats(s, row.id)))
            return out

    async def in_channel(self, channel_id: int) -> list[DialogueInfo]:
        """Open dialogues running in a channel, newest first."""
        async with self.db.session() as s:
            rows = await s.scalars(
                select(DialogueRow)
                .where(DialogueRow.channel_id == channel_id, DialogueRow.status.in_(OPEN_STATUSES))
                .order_by(DialogueRow.id.desc())
            )
            return [info_of(row, await self.seats(s, row.id)) for row in rows.all()]

    async def events(
        self, dialogue_id: int
    ) -> tuple[DialogueRow, dict[str, Seat], Sequence[DialogueEvent]] | None:
        """A dialogue, its seats and its whole transcript in order (None: no dialogue)."""
        async with self.db.session() as s:
            row = await s.get(DialogueRow, dialogue_id)
            if row is None:
                return None
            seats = await self.seats(s, dialogue_id)
            events = (
                await s.scalars(
                    select(DialogueEvent)
                    .where(DialogueEvent.dialogue_id == dialogue_id)
                    .order_by(DialogueEvent.seq)
                )
            ).all()
        return row, seats, events

    # -- delivery ---------------------------------------------------------------------

    async def undelivered(self, dialogue_id: int | None = None) -> list[Delivery]:
        """Events not yet sent, oldest first (all dialogues, or one)."""
        async with self.db.session() as s:
            query = (
                select(DialogueEvent, DialogueRow)
                .join(DialogueRow, DialogueRow.id == DialogueEvent.dialogue_id)
                .where(DialogueEvent.delivered_at.is_(None))
                .order_by(DialogueEvent.dialogue_id, DialogueEvent.seq)
            )
            if dialogue_id is not None:
                query = query.where(DialogueEvent.dialogue_id == dialogue_id)
            pairs = (await s.execute(query)).all()
            seats_by: dict[int, dict[str, Seat]] = {}
            out = []
            for event, row in pairs:
                if row.id not in seats_by:
                    seats_by[row.id] = await self.seats(s, row.id)
                meta = json.loads(event.meta_json)
                prompt = Prompt.from_meta(event.text, meta) if event.kind == "question" else None
                out.append(
                    Delivery(
                        event.id,
                        event.seq,
                        event.kind,
                        event.text,
                        info_of(row, seats_by[row.id]),
                        prompt,
                        {**meta, "seat": event.seat},
                    )
                )
            return out

    async def update_event(
        self, event_id: int, changes: dict[str, Any], *, text: str | None = None
    ) -> None:
        """Merge ``changes`` into an event's meta (and replace its text, if given)."""

        async def work(s: AsyncSession) -> None:
            event = await s.get(DialogueEvent, event_id)
            if event is not None:
                meta = json.loads(event.meta_json)
                meta.update(changes)
                event.meta_json = json.dumps(meta)
                if text is not None:
                    event.text = text

        await self.transact(work)

    async def mark_delivered(self, event_id: int, message_id: int | None = None) -> None:
        async def work(s: AsyncSession) -> None:
            event = await s.get(DialogueEvent, event_id)
            if event is not None and event.delivered_at is None:
                event.delivered_at = self.clock.now()
                event.message_id = message_id

        await self.transact(work)

    async def timed_questions(self, dialogue_id: int) -> list[tuple[int, str]]:
        """(seq, step) of the questions whose timer ping was scheduled (read from each
        question's meta: one dialogue asks a few dozen at most)."""
        async with self.db.session() as s:
            events = (
                await s.execute(
                    select(DialogueEvent.seq, DialogueEvent.step, DialogueEvent.meta_json).where(
                        DialogueEvent.dialogue_id == dialogue_id,
                        DialogueEvent.kind == "question",
                    )
                )
            ).all()
        return [
            (seq, step)
            for seq, step, meta in events
            if json.loads(meta or "{}").get("timer_scheduled") is True
        ]

    # -- state outside the state machine (follow-ups, outcomes) ----------------------

    async def change_state(self, dialogue_id: int, change: StateChange) -> None:
        """Apply ``change`` to a dialogue's stored state under its row lock (if it exists)."""

        async def work(s: AsyncSession) -> None:
            row = await s.get(DialogueRow, dialogue_id, with_for_update=True)
            if row is not None:
                state = json.loads(row.state_json)
                change(state)
                row.state_json = json.dumps(state)

        await self.transact(work)

    async def ended_states(self, user_id: int) -> list[tuple[int, dict[str, Any]]]:
        """(id, stored state) of the ended dialogues ``user_id`` takes part in, latest
        first: where follow-ups and their outcomes are kept. One person's dialogues are
        few, so their keys are read from the JSON, never matched in its text; a state
        that does not parse is left out."""
        mine = select(DialogueParticipant.dialogue_id).where(DialogueParticipant.user_id == user_id)
        async with self.db.session() as s:
            rows = (
                await s.execute(
                    select(DialogueRow.id, DialogueRow.state_json)
                    .where(DialogueRow.id.in_(mine), DialogueRow.status == Status.ENDED.value)
                    .order_by(DialogueRow.updated_at.desc(), DialogueRow.id.desc())
                )
            ).all()
        out = []
        for dialogue_id, state_json in rows:
            try:
                state = json.loads(state_json)
            except ValueError:
                continue
            if isinstance(state, dict):
                out.append((int(dialogue_id), state))
        return out

    # -- the sweep --------------------------------------------------------------------

    async def idle(self, remind_before: datetime) -> Sequence[DialogueRow]:
        """Open dialogues idle since ``remind_before``."""
        async with self.db.session() as s:
            return (
                await s.scalars(
                    select(DialogueRow).where(
                        DialogueRow.status.in_(OPEN_STATUSES),
                        DialogueRow.last_activity_at < remind_before,
                    )
                )
            ).all()

    async def mark_reminded(self, dialogue_id: int) -> str:
        """Stamp the reminder; returns the last activity it reminds about (ISO format)."""
        async with self.db.session() as s:
            row = await s.get(DialogueRow, dialogue_id)
            assert row is not None
            row.reminded_at = self.clock.now()
            return row.last_activity_at.isoformat()
