"""Which processes sharing the database are alive, so a dead one's unfinished work is
taken over at once instead of after a guessed timeout.

Each process holds a PostgreSQL session advisory lock named after it for as long as it
runs. PostgreSQL drops that lock the moment the process (and so its connection) dies,
even on kill -9, so "is X alive?" is "is X's lock still held?". On SQLite there is one
process by design: every name but our own is a process that stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.ops.coordination import lock_id
from bot.storage.database import Database

log = logging.getLogger(__name__)


def _key(name: str) -> int:
    return lock_id(f"worker:{name}")


@dataclass
class Liveness:
    db: Database
    #: This process's worker name (what it writes as the owner of its claims).
    name: str
    #: Seconds between checks that our lock's connection is still there (re-taken if
    #: the database dropped it, so a blip does not leave us counted as dead).
    keep_every: float = 10.0
    _held: AsyncConnection | None = field(default=None, init=False)
    _keeper: asyncio.Task[None] | None = field(default=None, init=False)

    async def start(self) -> None:
        """Announce this process as alive (PostgreSQL: take our lock and keep it)."""
        if self.db.is_sqlite or self._held is not None:
            return
        await self._take()
        self._keeper = asyncio.create_task(self._keep(), name="touchstone-liveness")

    async def _take(self) -> None:
        conn = await self.db.engine.connect()
        await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _key(self.name)})
        await conn.commit()
        self._held = conn

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(self.keep_every)
            try:
                await self.check()
            except Exception as exc:  # the database is away: try again next time
                log.warning("liveness lock not re-taken yet: %s", type(exc).__name__)

    async def check(self) -> None:
        """Make sure our lock is held; take it again if its connection was lost."""
        conn = self._held
        if conn is not None:
            try:
                await conn.execute(text("SELECT 1"))
                await conn.commit()
                return
            except Exception:
                log.warning("liveness connection lost; taking the lock again")
                self._held = None
                with contextlib.suppress(Exception):
                    await conn.invalidate()
        await self._take()

    async def stop(self) -> None:
        """Stop announcing (a clean shutdown; a killed process's lock goes by itself)."""
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
            self._keeper = None
        if self._held is not None:
            conn, self._held = self._held, None
            try:
                await conn.execute(text("SELECT pg_advisory_unlock_all()"))
                await conn.commit()
            finally:
                # Closed for real, not returned to the pool still holding the lock.
                await conn.invalidate()
                await conn.close()

    async def alive(self, name: str | None) -> bool:
        """Whether the process called ``name`` still runs (None: nobody owns it)."""
        if name is None:
            return False
        if name == self.name:
            return True
        if self.db.is_sqlite:
            return False
        key = _key(name)
        async with self.db.engine.connect() as conn:
            free = bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
            if free:
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            await conn.commit()
        return not free
