"""Work that must happen once across every process sharing one database.

Several shard processes may share one PostgreSQL. Scheduled DMs are made exclusive by
the outbox's row claims; whole jobs (building the index) use :func:`exclusive`, a
PostgreSQL session advisory lock: the first process does the job, the others wait and
then find nothing left to do. The lock lives in the database, not in memory, and
PostgreSQL releases it by itself if the holder dies.

On SQLite there is one process by design, so the lock is a no-op.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from bot.storage.database import Database


def lock_id(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_lock`` from a readable name."""
    digest = hashlib.sha256(f"touchstone:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@asynccontextmanager
async def exclusive(db: Database, name: str) -> AsyncIterator[None]:
    """Hold the cluster-wide lock ``name`` for the duration of the block."""
    if db.is_sqlite:
        yield
        return
    key = lock_id(name)
    async with db.engine.connect() as conn:
        await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        await conn.commit()
        try:
            yield
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            await conn.commit()
