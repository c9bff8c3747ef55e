"""Liveness: a process is alive while its PostgreSQL advisory lock is held; on SQLite
only this process runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ops.liveness import Liveness
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
