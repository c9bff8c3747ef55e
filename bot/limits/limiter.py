"""A sliding-window limiter kept in the database: at most ``count`` uses per ``per_seconds``.

Every process on the same database counts the same uses (issue 13: per-process memory
gave each shard process its own allowance, and a restart reset every cooldown). Each
allowed use is a row that stops counting when it leaves its window, so the window
slides exactly (no reset on the minute letting a burst through twice), and a refusal
says precisely when the next use is allowed. A key holds at most ``count`` live rows, so the cost of a check
grows with the cap, not with traffic.

Atomicity: a check reads the key's live uses and then inserts one, so two processes
must not interleave on the same key. On PostgreSQL a transaction-scoped advisory lock
per key serialises them (released at commit, or by the server if the process dies);
other keys never wait. On SQLite the transaction's first statement is a write, which
takes the database's single write lock before anything is read.

Time comes from an injected clock, so tests (and the console's simulated clock) move
it instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock, as_utc
from bot.ops.coordination import lock_id
from bot.storage.database import Database, StorageUnavailable
from bot.storage.limit_models import UsageHit

log = logging.getLogger(__name__)

#: How often (by the clock) a process deletes every expired row, not just its key's.
PRUNE_INTERVAL = timedelta(minutes=10)


@dataclass(frozen=True)
class Rate:
    """``count`` uses per ``per_seconds``. A count of 0 disables the limit."""

    count: int
    per_seconds: float

    def __post_init__(self) -> None:
        if self.count < 0 or self.per_seconds <= 0:
            raise ValueError("a rate needs count >= 0 and a positive window")

    @property
    def unlimited(self) -> bool:
        return self.count == 0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0  # seconds until the next use is allowed (when refused)
    remaining: int = 0  # uses left in the window after this one (when allowed)


class LimitKey(NamedTuple):
    """Whose allowance: ``("user", user_id, action)`` or ``("guild", guild_id, action)``."""

    scope: str
    subject_id: int
    action: str


def _of(key: LimitKey) -> ColumnElement[bool]:
    return and_(
        UsageHit.subject_id == key.subject_id,
        UsageHit.scope == key.scope,
        UsageHit.action == key.action,
    )


class DatabaseLimiter:
    """Counts uses per key within a window; refused attempts are not counted."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._next_prune: datetime | None = None
        self._sqlite_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def _gate(self) -> contextlib.AbstractAsyncContextManager[object]:
        """On SQLite, one check at a time in this process; elsewhere no gate.

        SQLite has one write lock, and a connection that finds it taken sleeps in its
        busy handler (1, 2, 5 ... 100 ms) rather than queueing: a burst of checks on
        the pool's connections spent most of its time asleep (1.2 s for 120 checks,
        against 0.3 s taken in turn). Waiting on an asyncio lock instead hands the
        database to the next check the moment the last one commits. PostgreSQL's
        per-key advisory locks already let different keys proceed together.
        """
        if not self.db.is_sqlite:
            return contextlib.nullcontext()
        loop = asyncio.get_running_loop()
        gate = self._sqlite_gates.get(loop)
        if gate is None:
            gate = self._sqlite_gates[loop] = asyncio.Lock()
        return gate

    def _now(self) -> datetime:
        return self.clock.now().astimezone(UTC)

    async def _serialise(self, session: AsyncSession, key: LimitKey, now: datetime) -> None:
        """Make this transaction the only one working on ``key`` until it ends.

        Also drops the key's expired uses: on SQLite that write is what takes the lock,
        so it must come before any read.
        """
        if not self.db.is_sqlite:
            name = f"limit:{key.scope}:{key.subject_id}:{key.action}"
            await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_id(name)})
        await session.execute(delete(UsageHit).where(_of(key), UsageHit.expires_at <= now))

    async def hit(self, key: LimitKey, rate: Rate) -> Decision:
        """Count one use if allowed; a refusal is not counted (retrying later works)."""
        if rate.unlimited:
            return Decision(True, remaining=-1)
        async with self._gate():
            decision = await self._hit(key, rate)
        await self._maybe_prune(self._now())
        return decision

    async def _hit(self, key: LimitKey, rate: Rate) -> Decision:
        now = self._now()
        async with self.db.session() as session:
            await self._serialise(session, key, now)
            live = int(await session.scalar(select(func.count()).where(_of(key))) or 0)
            if live >= rate.count:
                wait = await self._wait(session, key, rate, live, now)
                decision = Decision(False, retry_after=wait)
            else:
                await session.execute(
                    insert(UsageHit).values(
                        scope=key.scope,
                        subject_id=key.subject_id,
                        action=key.action,
                        expires_at=now + timedelta(seconds=rate.per_seconds),
                    )
                )
                decision = Decision(True, remaining=rate.count - live - 1)
        return decision

    async def _wait(
        self, session: AsyncSession, key: LimitKey, rate: Rate, live: int, now: datetime
    ) -> float:
        """Seconds until fewer than ``rate.count`` uses are live.

        Usually the oldest use's expiry; if the cap was lowered since (a restart with new
        settings), enough older uses must expire first.
        """
        expiry = await session.scalar(
            select(UsageHit.expires_at)
            .where(_of(key))
            .order_by(UsageHit.expires_at)
            .offset(live - rate.count)
            .limit(1)
        )
        if expiry is None:  # cannot happen: the rows were counted in this transaction
            return 0.0
        return max((as_utc(expiry) - now).total_seconds(), 0.0)

    async def _maybe_prune(self, now: datetime) -> None:
        """Now and then, delete every expired use, of keys nobody uses any more too."""
        if self._next_prune is not None and now < self._next_prune:
            return
        self._next_prune = now + PRUNE_INTERVAL
        try:
            deleted = await self.prune()
        except StorageUnavailable as exc:  # tidying only: the use was already counted
            log.warning("expired usage rows not pruned this time: %s", exc)
            return
        if deleted:
            log.debug("pruned %d expired usage rows", deleted)

    async def prune(self) -> int:
        """Delete every use that no longer counts; returns how many rows went."""
        async with self.db.session() as session:
            result = await session.execute(
                delete(UsageHit).where(UsageHit.expires_at <= self._now())
            )
        return int(getattr(result, "rowcount", 0) or 0)
