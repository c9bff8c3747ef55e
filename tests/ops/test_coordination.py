"""Once-across-processes jobs: the PostgreSQL advisory lock serialises holders that
use separate connections (as separate processes do), and is a no-op on SQLite."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.ops.coordination import exclusive, lock_id
from bot.storage import Database
from tests.databases import postgres_database


def test_lock_ids_are_stable_and_distinct() -> None:
    assert lock_id("knowledge-index") == lock_id("knowledge-index")
    assert lock_id("knowledge-index") != lock_id("other")
    assert -(2**63) <= lock_id("knowledge-index") < 2**63


@pytest.mark.postgres
async def test_two_holders_never_overlap_on_postgres() -> None:
    async with postgres_database() as url:
        first, second = Database(url), Database(url)  # two engines, like two processes
        inside: list[str] = []
        overlaps: list[tuple[str, ...]] = []

        async def job(db: Database, name: str) -> None:
            for _ in range(3):
                async with exclusive(db, "job"):
                    inside.append(name)
                    if len(inside) > 1:
                        overlaps.append(tuple(inside))
                    await asyncio.sleep(0.05)
                    inside.remove(name)

        try:
            await asyncio.gather(job(first, "a"), job(second, "b"))
        finally:
            await first.dispose()
            await second.dispose()
        assert overlaps == []


async def test_sqlite_needs_no_lock(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    entered: list[str] = []

    async def nested() -> None:
        # Re-entrant because it is a no-op: one process owns a SQLite file.
        async with exclusive(db, "job"), exclusive(db, "job"):
            entered.append("inside")

    try:
        await asyncio.wait_for(nested(), timeout=5)  # a real lock here would hang: fail instead
    finally:
        await db.dispose()
    assert entered == ["inside"]
