"""Issue 13 #4: the bot_state write is an idempotent upsert.

Two shard processes starting together on an empty PostgreSQL both wrote the commands
hash; the old read-then-insert lost the race with ``UniqueViolationError`` on
``pk_bot_state``. Concurrent sessions from the pool stand in for the processes.
"""

from __future__ import annotations

import asyncio

from bot.storage import Database
from bot.storage.repositories import StateRepository

KEY = "discord.commands_hash"


async def test_concurrent_first_writes_of_one_key_all_succeed(database: Database) -> None:
    state = StateRepository(database)
    for attempt in range(5):
        key = f"{KEY}.{attempt}"
        await asyncio.gather(*(state.set(key, f"hash-{n}") for n in range(5)))
        assert (await state.get(key) or "").startswith("hash-")


async def test_set_overwrites_and_is_idempotent(database: Database) -> None:
    state = StateRepository(database)
    await state.set(KEY, "one")
    await state.set(KEY, "one")
    await state.set(KEY, "two")
    assert await state.get(KEY) == "two"
