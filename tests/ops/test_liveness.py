"""Liveness: a process is alive while its PostgreSQL advisory lock is held; on SQLite
only this process runs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.ops.liveness import Liveness, _key
from bot.storage import Database
from tests.databases import postgres_database


@pytest.mark.postgres
async def test_a_process_is_alive_until_its_connection_is_gone() -> None:
    async with postgres_database() as url:
        first, second = Database(url), Database(url)  # two engines, like two processes
        a, b = Liveness(first, "a"), Liveness(second, "b")
        try:
            await a.start()
            await b.start()
            assert await a.alive("b") and await b.alive("a")
            assert await a.alive("a")
            assert not await a.alive("never-started")
            assert not await a.alive(None)
            await b.stop()  # as a kill -9 closes the connection
            assert not await a.alive("b")
            assert not await a.alive("b")  # asking does not make it alive
        finally:
            await a.stop()
            await first.dispose()
            await second.dispose()


async def test_on_sqlite_only_this_process_is_alive(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        me = Liveness(db, "me")
        await me.start()
        assert await me.alive("me")
        assert not await me.alive("someone-else")
        await me.stop()
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_a_lost_lock_connection_is_taken_again() -> None:
    async with postgres_database() as url:
        first, second = Database(url), Database(url)
        a, b = Liveness(first, "a", keep_every=0.1), Liveness(second, "b")
        try:
            await a.start()
            # The database drops a's connection (a restart, a network blip).
            async with second.engine.connect() as conn:
                killed = await conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_locks "
                        "WHERE locktype = 'advisory' AND objid = :low"
                    ),
                    {"low": _key("a") & 0xFFFFFFFF},
                )
                assert killed.all() == [(True,)]
            for _ in range(50):
                if await b.alive("a"):
                    break
                await asyncio.sleep(0.1)
            assert await b.alive("a")
        finally:
            await a.stop()
            await first.dispose()
            await second.dispose()
