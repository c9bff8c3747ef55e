"""The stored outbox: every message any feature wants sent later.

Schedules live in the database, never only in memory, so a restart loses nothing.
Each item has a unique ``key``: scheduling the same key twice keeps one item, and
claiming is a conditional UPDATE, so two processes sharing one database can never
both send the same item.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import as_utc
from bot.scheduling.model import ItemStatus, OutboxItem
from bot.scheduling.registry import KindRegistry
from bot.storage.coaching_models import ScheduledItem
from bot.storage.database import Database

log = logging.getLogger(__name__)

#: Finished states: an item in one of these is never sent (again).
FINAL = (ItemStatus.SENT, ItemStatus.SKIPPED, ItemStatus.FAILED, ItemStatus.CANCELLED)


def _to_item(row: ScheduledItem) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        key=row.key,
        user_id=row.user_id,
        kind=row.kind,
        payload=json.loads(row.payload_json or "{}"),
        scheduled_for=as_utc(row.scheduled_for),
        due_at=as_utc(row.due_at),
        attempts=row.attempts,
        unsolicited=row.unsolicited,
        uncertain=row.sending_at is not None,
    )


def _claimed_by(item_id: int, worker: str) -> tuple[Any, ...]:
    """The item, only while ``worker`` still holds its claim (a taken-over item is left alone)."""
    return (
        ScheduledItem.id == item_id,
        ScheduledItem.status == ItemStatus.CLAIMED,
        ScheduledItem.claimed_by == worker,
    )


def _new_item(
    user_id: int,
    kind: str,
    due_at: datetime,
    payload: dict[str, Any],
    key: str,
    unsolicited: bool,
) -> ScheduledItem:
    """A pending item as :meth:`Outbox.schedule` stores it (validated, due in UTC)."""
    if due_at.tzinfo is None:
        raise ValueError("due_at must be timezone-aware")
    if len(key) > 200:
        raise ValueError("outbox keys are at most 200 characters")
    due = due_at.astimezone(UTC)
    return ScheduledItem(
        key=key,
        user_id=user_id,
        kind=kind,
        payload_json=json.dumps(payload, sort_keys=True, default=str),
        unsolicited=unsolicited,
        scheduled_for=due,
        due_at=due,
        status=ItemStatus.PENDING,
        attempts=0,
    )


@dataclass
class Outbox:
    """Schedule, reschedule and cancel items; the scheduler claims and finishes them."""

    db: Database
    clock_now: Callable[[], datetime]
    #: How each kind renders its message: ``outbox.kinds.register(kind, render, after)``.
    kinds: KindRegistry = field(default_factory=KindRegistry)
    _listeners: list[Callable[[], None]] = field(default_factory=list)

    def on_schedule(self, listener: Callable[[], None]) -> None:
        """Called after every schedule, so a sleeping scheduler wakes for an earlier item."""
        self._listeners.append(listener)

    async def schedule(
        self,
        user_id: int,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any],
        key: str,
        *,
        unsolicited: bool = True,
    ) -> None:
        """Send ``payload`` (rendered by ``kind``) to ``user_id`` at ``due_at``.

        Idempotent on ``key``: an existing pending item takes the new time and payload;
        a cancelled one is revived; one already sent, skipped or failed stays as it is
        (never sent twice).
        ``payload["text"]`` is the message for kinds without their own renderer.
        """
        for _attempt in range(3):
            item = _new_item(user_id, kind, due_at, payload, key, unsolicited)
            try:
                async with self.db.session() as session:
                    await self._upsert(session, item)
                break
            except IntegrityError:
                # Another process inserted the same key between our read and write:
                # theirs stands; retry once to apply our update to it if still pending.
                await asyncio.sleep(0)
        self._notify()

    async def schedule_in(
        self,
        session: AsyncSession,
        user_id: int,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any],
        key: str,
        *,
        unsolicited: bool = True,
    ) -> None:
        """:meth:`schedule`, inside the caller's transaction: the item is stored together
        with the caller's other changes, or not at all (a crash between them loses or
        repeats nothing). The scheduler is woken once the transaction commits.

        The caller makes sure nobody else schedules ``key`` at the same time (it holds
        the lock of what the item belongs to): a clash would fail the whole transaction.
        """
        item = _new_item(user_id, kind, due_at, payload, key, unsolicited)
        await self._upsert(session, item)
        await session.flush()
        event.listen(session.sync_session, "after_commit", lambda _s: self._notify(), once=True)

    def _notify(self) -> None:
        for listener in self._listeners:
            listener()

    async def _upsert(self, session: AsyncSession, item: ScheduledItem) -> None:
        row = await session.scalar(select(ScheduledItem).where(ScheduledItem.key == item.key))
        if row is None:
            item.created_at = self.clock_now()
            session.add(item)
        elif row.status in (ItemStatus.PENDING, ItemStatus.CANCELLED):
            # A cancelled item was never sent: scheduling it again revives it.
            row.status = ItemStatus.PENDING
            row.scheduled_for = item.scheduled_for
            row.due_at = item.due_at
            row.payload_json = item.payload_json
            row.kind = item.kind
            row.unsolicited = item.unsolicited

    async def cancel(self, key: str) -> bool:
        """Cancel a pending item; True when something was cancelled."""
        async with self.db.session() as session:
            result = await session.execute(
                update(ScheduledItem)
                .where(ScheduledItem.key == key, ScheduledItem.status == ItemStatus.PENDING)
                .values(status=ItemStatus.CANCELLED, finished_at=self.clock_now())
            )
            return bool(getattr(result, "rowcount", 0))

    async def cancel_for_user(self, user_id: int, kind_prefix: str) -> int:
        """Cancel a person's pending items whose kind starts with ``kind_prefix``."""
        async with self.db.session() as session:
            result = await session.execute(
                update(ScheduledItem)
                .where(
                    ScheduledItem.user_id == user_id,
                    ScheduledItem.kind.startswith(kind_prefix),
                    ScheduledItem.status == ItemStatus.PENDING,
                )
                .values(status=ItemStatus.CANCELLED, finished_at=self.clock_now())
            )
            return int(getattr(result, "rowcount", 0) or 0)

    async def get(self, key: str) -> tuple[OutboxItem, str] | None:
        """The item and its status, for tests and diagnostics."""
        async with self.db.session() as session:
            row = await session.scalar(select(ScheduledItem).where(ScheduledItem.key == key))
            return None if row is None else (_to_item(row), row.status)

    async def pending_for_user(self, user_id: int) -> list[OutboxItem]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(ScheduledItem)
                .where(
                    ScheduledItem.user_id == user_id,
                    ScheduledItem.status == ItemStatus.PENDING,
                )
                .order_by(ScheduledItem.due_at)
            )
            return [_to_item(row) for row in rows]

    async def next_due(self) -> datetime | None:
        async with self.db.session() as session:
            value = await session.scalar(
                select(func.min(ScheduledItem.due_at)).where(
                    ScheduledItem.status == ItemStatus.PENDING
                )
            )
            return None if value is None else as_utc(value)

    async def claim_due(self, worker: str, now: datetime, limit: int = 50) -> list[OutboxItem]:
        """Atomically take up to ``limit`` due items for ``worker``.

        On PostgreSQL the candidate rows are locked with SKIP LOCKED so concurrent
        workers pick different rows; on both backends the UPDATE re-checks
        ``status = 'pending'`` and only rows it actually changed are returned.
        """
        async with self.db.session() as session:
            candidates = (
                select(ScheduledItem.id)
                .where(ScheduledItem.status == ItemStatus.PENDING, ScheduledItem.due_at <= now)
                .order_by(ScheduledItem.due_at, ScheduledItem.id)
                .limit(limit)
            )
            if not self.db.is_sqlite:
                candidates = candidates.with_for_update(skip_locked=True)
            ids = list((await session.scalars(candidates)).all())
            if not ids:
                return []
            result = await session.execute(
                update(ScheduledItem)
                .where(ScheduledItem.id.in_(ids), ScheduledItem.status == ItemStatus.PENDING)
                .values(
                    status=ItemStatus.CLAIMED,
                    claimed_by=worker,
                    claimed_at=now,
                    attempts=ScheduledItem.attempts + 1,
                )
                .returning(ScheduledItem)
                .execution_options(synchronize_session=False)
            )
            rows = result.scalars().all()
            return sorted((_to_item(row) for row in rows), key=lambda i: (i.due_at, i.id))

    async def finish(
        self, item_id: int, worker: str, status: ItemStatus, outcome: str, now: datetime
    ) -> bool:
        """Record the end of an attempt; only the worker holding the claim may."""
        async with self.db.session() as session:
            result = await session.execute(
                update(ScheduledItem)
                .where(*_claimed_by(item_id, worker))
                .values(status=status, outcome=outcome[:200], finished_at=now)
            )
            return bool(getattr(result, "rowcount", 0))

    async def mark_sending(self, item_id: int, worker: str, now: datetime) -> None:
        """Just before the send: from here on, a dead worker's item may have gone out."""
        async with self.db.session() as session:
            await session.execute(
                update(ScheduledItem).where(*_claimed_by(item_id, worker)).values(sending_at=now)
            )

    async def release_for_retry(self, item_id: int, worker: str, retry_at: datetime) -> None:
        """Put a transiently failed item back, to be tried again at ``retry_at``."""
        async with self.db.session() as session:
            await session.execute(
                update(ScheduledItem)
                .where(*_claimed_by(item_id, worker))
                .values(
                    status=ItemStatus.PENDING, due_at=retry_at, claimed_by=None, sending_at=None
                )
            )

    async def take_over_orphans(
        self,
        worker: str,
        alive: Callable[[str | None], Awaitable[bool]],
        keep: frozenset[int] = frozenset(),
    ) -> tuple[int, int]:
        """Claims whose worker stopped (or ours, left by an interrupted pass) go back.

        ``keep``: ids of our own claims still being sent, which stay ours.

        ``alive(name)`` says whether a worker still runs. An item its worker never
        started sending is simply pending again, for anyone to send now. The one it was
        sending may have gone out: it is pending too, but marked uncertain, so whoever
        sends it first looks whether it arrived. Returns (released, uncertain).
        """
        async with self.db.session() as session:
            owners = (
                await session.scalars(
                    select(ScheduledItem.claimed_by)
                    .where(ScheduledItem.status == ItemStatus.CLAIMED)
                    .distinct()
                )
            ).all()
        released = uncertain = 0
        for owner in owners:
            if owner != worker and await alive(owner):
                continue
            same = (
                ScheduledItem.claimed_by.is_(None)
                if owner is None
                else ScheduledItem.claimed_by == owner
            )
            if owner == worker and keep:
                same = and_(same, ScheduledItem.id.not_in(keep))
            async with self.db.session() as session:
                fresh = await session.execute(
                    update(ScheduledItem)
                    .where(
                        ScheduledItem.status == ItemStatus.CLAIMED,
                        same,
                        ScheduledItem.sending_at.is_(None),
                    )
                    .values(
                        status=ItemStatus.PENDING,
                        claimed_by=None,
                        attempts=ScheduledItem.attempts - 1,  # never attempted
                    )
                )
                cut = await session.execute(
                    update(ScheduledItem)
                    .where(
                        ScheduledItem.status == ItemStatus.CLAIMED,
                        same,
                        ScheduledItem.sending_at.is_not(None),
                    )
                    .values(status=ItemStatus.PENDING, claimed_by=None)
                )
            released += int(getattr(fresh, "rowcount", 0) or 0)
            uncertain += int(getattr(cut, "rowcount", 0) or 0)
        if released or uncertain:
            log.warning(
                "took over %d unattempted and %d cut-off outbox items from stopped workers",
                released,
                uncertain,
            )
        return released, uncertain

    async def abandon_stale_claims(self, older_than: datetime, now: datetime) -> int:
        """Old claims of workers nobody can vouch for are closed, not resent.

        Only for a scheduler without liveness (which cannot tell a dead worker from a
        slow one): such a claim may have been sent, and sending at most once is the
        promise, so it is marked failed (and logged) rather than retried. With liveness,
        :meth:`take_over_orphans` sends what a dead worker never attempted.
        """
        async with self.db.session() as session:
            result = await session.execute(
                update(ScheduledItem)
                .where(
                    ScheduledItem.status == ItemStatus.CLAIMED,
                    ScheduledItem.claimed_at < older_than,
                )
                .values(
                    status=ItemStatus.FAILED,
                    outcome="interrupted while sending; not resent",
                    finished_at=now,
                )
            )
            count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            log.warning("%d outbox items were interrupted mid-send and are not resent", count)
        return count

    async def unsolicited_sent_since(self, user_id: int, since: datetime) -> int:
        """How many unsolicited messages this person got since ``since`` (for the daily cap)."""
        async with self.db.session() as session:
            value = await session.scalar(
                select(func.count())
                .select_from(ScheduledItem)
                .where(
                    ScheduledItem.user_id == user_id,
                    ScheduledItem.unsolicited.is_(True),
                    ScheduledItem.status == ItemStatus.SENT,
                    ScheduledItem.finished_at >= since,
                )
            )
            return int(value or 0)

    async def statuses(self, keys: Sequence[str]) -> dict[str, str]:
        async with self.db.session() as session:
            rows = await session.execute(
                select(ScheduledItem.key, ScheduledItem.status).where(ScheduledItem.key.in_(keys))
            )
            return {key: status for key, status in rows.all()}


def day_window(now: datetime) -> datetime:
    """The start of the rolling 24 hours the unsolicited-DM cap counts over."""
    return now - timedelta(days=1)
