"""The limiter for SQLite: decided in memory, written to the database just behind.

On SQLite Touchstone is one process (PostgreSQL is how several processes share one
allowance), so nothing else can change the uses between two checks and memory holds
the exact count. Deciding there takes the check off the path to Discord's 3-second
acknowledgement: through the database, a burst of 120 checks queued on SQLite's single
write lock and pushed the last acknowledgements past 2.5 s.

The database still holds every use, so a restart forgets no cooldown: the uses are
read once, at the first check after start-up, and each allowed use is written in
the next batch (a few milliseconds later). A kill can lose the uses of that last
batch at most: a cooldown one use short, never a lost message.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select

from bot.clock import Clock, as_utc
from bot.limits.limiter import PRUNE_INTERVAL, Decision, LimitKey, Rate
from bot.storage.database import Database, StorageUnavailable
from bot.storage.limit_models import UsageHit

log = logging.getLogger(__name__)


class WrittenBehindLimiter:
    """Sliding-window counts in memory, mirrored to the ``usage_hits`` table."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        #: Expiry times of each key's live uses, oldest first.
        self._uses: dict[LimitKey, list[datetime]] = {}
        self._loaded = False
        self._load_lock = asyncio.Lock()
        self._unwritten: list[tuple[LimitKey, datetime]] = []
        self._writing: asyncio.Task[None] | None = None
        self._write_lock = asyncio.Lock()
        self._next_sweep: datetime | None = None

    def _now(self) -> datetime:
        return self.clock.now().astimezone(UTC)

    async def load(self) -> None:
        """Read the live uses once (a restart keeps its cooldowns)."""
        if self._loaded:
            return
        async with self._load_lock:
            if self._loaded:
                return
            now = self._now()
            try:
                async with self.db.session() as session:
                    rows = (
                        await session.execute(
                            select(
                                UsageHit.scope,
                                UsageHit.subject_id,
                                UsageHit.action,
                                UsageHit.expires_at,
                            ).where(UsageHit.expires_at > now)
                        )
                    ).all()
            except StorageUnavailable as exc:
                # Counting from zero is the lesser harm than refusing every command.
                log.warning("stored cooldowns not read (%s); counting from now", exc)
                rows = []
            for scope, subject_id, action, expires_at in rows:
                key = LimitKey(scope, subject_id, action)
                self._uses.setdefault(key, []).append(as_utc(expires_at))
            for expiries in self._uses.values():
                expiries.sort()
            self._loaded = True

    async def hit(self, key: LimitKey, rate: Rate) -> Decision:
        """Count one use if allowed; a refusal is not counted (retrying later works)."""
        await self.load()
        return self.hit_now(key, rate)

    @property
    def ready(self) -> bool:
        """True once the stored uses are in memory: :meth:`hit_now` may be used."""
        return self._loaded

    def hit_now(self, key: LimitKey, rate: Rate) -> Decision:
        """:meth:`hit` without yielding to the event loop (only once :attr:`ready`).

        In a burst, every ``await`` sends a command to the back of a long queue of
        other work; deciding in one step keeps the acknowledgement near the front.
        """
        if rate.unlimited:
            return Decision(True, remaining=-1)
        if not self._loaded:
            raise RuntimeError("hit_now before the stored uses were loaded")
        now = self._now()
        live = [expiry for expiry in self._uses.get(key, []) if expiry > now]
        if len(live) >= rate.count:
            self._uses[key] = live
            # The use that must expire before one more fits (more than one if the cap
            # was lowered since those uses were counted).
            wait = (live[len(live) - rate.count] - now).total_seconds()
            return Decision(False, retry_after=max(wait, 0.0))
        expiry = now + timedelta(seconds=rate.per_seconds)
        live.append(expiry)
        self._uses[key] = live
        self._unwritten.append((key, expiry))
        self._write_soon()
        return Decision(True, remaining=rate.count - len(live))

    def _write_soon(self) -> None:
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write())

    async def _write(self) -> None:
        """Write every unwritten use in one transaction, and drop expired rows."""
        async with self._write_lock:
            batch, self._unwritten = self._unwritten, []
            if not batch:
                return
            try:
                async with self.db.session() as session:
                    await session.execute(
                        delete(UsageHit).where(UsageHit.expires_at <= self._now())
                    )
                    await session.execute(
                        insert(UsageHit),
                        [
                            {
                                "scope": key.scope,
                                "subject_id": key.subject_id,
                                "action": key.action,
                                "expires_at": expiry,
                            }
                            for key, expiry in batch
                        ],
                    )
            except StorageUnavailable as exc:
                # Kept for the next write; memory already counts them.
                self._unwritten[:0] = batch
                log.warning("%d cooldown uses not written yet: %s", len(batch), exc)
        self._sweep_memory()

    def _sweep_memory(self) -> None:
        """Now and then, forget keys whose uses all expired (members who went quiet)."""
        now = self._now()
        if self._next_sweep is not None and now < self._next_sweep:
            return
        self._next_sweep = now + PRUNE_INTERVAL
        for key in [k for k, expiries in self._uses.items() if expiries[-1] <= now]:
            del self._uses[key]

    async def flush(self) -> None:
        """Write what is still unwritten (at shutdown, so a restart sees every use)."""
        if self._writing is not None:
            await asyncio.gather(self._writing, return_exceptions=True)
        await self._write()

    async def prune(self) -> int:
        """Forget expired uses in memory and in the database; returns rows deleted."""
        now = self._now()
        for key in list(self._uses):
            live = [expiry for expiry in self._uses[key] if expiry > now]
            if live:
                self._uses[key] = live
            else:
                del self._uses[key]
        async with self.db.session() as session:
            result = await session.execute(delete(UsageHit).where(UsageHit.expires_at <= now))
        return int(getattr(result, "rowcount", 0) or 0)
