"""A 429 on one member's DMs delays nobody else's scheduled DMs (issue 13).

Scheduled DMs to four members fall due together. Discord keeps answering 429 on the
first member's DM channel. Everyone else's DMs must arrive at once, in order; the held
member's arrive in order, once each, when Discord lets them through.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import SimulatedClock
from bot.scheduling import Outbox
from bot.storage import Database
from tests.databases import postgres_database
from tests.e2e.conftest import BACKEND_ENV, StartBot
from tests.fakediscord.server import FakeDiscord

pytestmark = pytest.mark.e2e

MEMBERS = 4
EACH = 3
START = datetime.fromisoformat("2026-04-01T08:00:00+00:00")
DUE = START + timedelta(hours=1)
#: How long Discord asks the bot to wait, each time it tries the held channel.
RETRY_AFTER = 8.0
#: The others' DMs must all be out well within one wait of the held channel.
QUICK = RETRY_AFTER - 2.0


@contextlib.asynccontextmanager
async def bot_database(tmp_path: Path) -> AsyncIterator[str]:
    if os.environ.get(BACKEND_ENV) == "postgres":
        async with postgres_database() as url:
            yield url
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'lanes.db'}"


async def test_a_429_on_one_members_dms_holds_back_only_that_member(
    start_bot: StartBot, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    users = [fake.add_user(f"learner_{n}") for n in range(MEMBERS)]
    held = fake.world.dm_channel(users[0])
    data_dir = tmp_path / "data"
    async with bot_database(tmp_path) as url:
        await start_bot(
            data_dir=data_dir,
            database_url=url,
            env={"TOUCHSTONE_SIMULATED_CLOCK_START": START.isoformat()},
        )
        db = Database(url)
        try:
            outbox = Outbox(db, SimulatedClock(START).now)
            for n in range(EACH):
                for user in users:
                    await outbox.schedule(
                        user.id,
                        "ops.test",
                        DUE + timedelta(seconds=n),
                        {"text": f"{user.username} message #{n}"},
                        f"lanes-{user.id}-{n}",
                        unsolicited=False,
                    )
        finally:
            await db.dispose()

        stall = fake.rate_limit(
            f"POST /channels/{held.id}/messages", count=1000, retry_after=RETRY_AFTER
        )
        (data_dir / "simulated-clock").write_text(
            (DUE + timedelta(minutes=1)).isoformat(), encoding="utf-8"
        )
        await fake.wait_for(lambda: stall.hits, 30, "a send to the held member")
        others = users[1:]

        def texts(user_index: int) -> list[str]:
            return [m.content for m in fake.dm_messages_to(users[user_index])]

        def everyone_else_served() -> bool:
            return all(len(texts(i)) == EACH for i in range(1, MEMBERS))

        await fake.wait_for(everyone_else_served, QUICK, "the other members' DMs")
        for index, user in enumerate(others, start=1):
            assert texts(index) == [f"{user.username} message #{n}" for n in range(EACH)]
        assert texts(0) == []

        stall.remaining = 0  # Discord lets the held channel through again
        await fake.wait_for(lambda: len(texts(0)) >= EACH, 60, "the held member's DMs")
        await asyncio.sleep(1)  # room for a duplicate to show up
        assert texts(0) == [f"{users[0].username} message #{n}" for n in range(EACH)]
