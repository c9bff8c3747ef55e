"""A shard process killed mid-batch: the survivor sends its claimed DMs (issue 13 #6).

Two bot processes share one PostgreSQL outbox. One of them is held on a send (a long
429) with its batch claimed, and killed there. The survivor notices at once (the dead
process's advisory lock is gone), sends every DM the dead one never attempted, looks in
the DM channel before re-sending the one that was cut off, and sends nothing twice.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import SimulatedClock
from bot.scheduling import Outbox
from bot.storage import Database
from tests.databases import postgres_database
from tests.e2e.conftest import StartBot
from tests.e2e.harness import BotProcess
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import build_practice_club

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

SHARDS = 2
DMS = 60
RECIPIENTS = 12
START = datetime.fromisoformat("2026-04-01T08:00:00+00:00")
DUE = START + timedelta(hours=1)
#: The survivor must have sent everything within this long of the kill.
TAKEOVER = 120.0
RATE_LIMITED = "responded with 429"


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord(shard_count=SHARDS)
    build_practice_club(fake, shard=(0, SHARDS))
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


async def test_a_killed_workers_claimed_dms_are_sent_once_by_the_survivor(
    start_bot: StartBot, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    users = [fake.add_user(f"learner_{n}") for n in range(RECIPIENTS)]
    async with postgres_database() as url:
        bots: list[BotProcess] = []
        for shard in range(SHARDS):
            bots.append(
                await start_bot(
                    data_dir=tmp_path / f"shard{shard}",
                    database_url=url,
                    env={
                        "TOUCHSTONE_SHARD_COUNT": str(SHARDS),
                        "TOUCHSTONE_SHARD_IDS": f"[{shard}]",
                        "TOUCHSTONE_SIMULATED_CLOCK_START": START.isoformat(),
                        "TOUCHSTONE_LOG_LEVEL": "INFO",
                    },
                )
            )
        db = Database(url)
        try:
            outbox = Outbox(db, SimulatedClock(START).now)
            await asyncio.gather(
                *(
                    outbox.schedule(
                        users[n % RECIPIENTS].id,
                        "ops.test",
                        DUE,
                        {"text": f"scheduled message #{n}"},
                        f"ops-test-{n}",
                        unsolicited=False,
                    )
                    for n in range(DMS)
                )
            )
            # The third DM sent anywhere is held for five minutes: its process sits on
            # its claimed batch, mid-send.
            sends = re.compile(r"^POST /channels/\d+/messages$")
            stalled_at = 3

            def sent_so_far() -> int:
                return len([r for r in fake.requests if sends.match(f"{r.method} {r.path}")])

            for shard in range(SHARDS):
                clock_file = tmp_path / f"shard{shard}" / "simulated-clock"
                clock_file.write_text((DUE + timedelta(seconds=30)).isoformat(), encoding="utf-8")
            await fake.wait_for(lambda: sent_so_far() >= stalled_at - 1, 60, "the first DMs")
            stall = fake.rate_limit(sends, count=1, retry_after=300)
            await fake.wait_for(lambda: stall.hits, 60, "a held send")

            def victim() -> BotProcess | None:
                return next((b for b in bots if RATE_LIMITED in b.log), None)

            dead: BotProcess = await fake.wait_for(victim, 20, "the held process's log")
            await dead.kill()
            survivor = next(b for b in bots if b is not dead)

            def sent_texts() -> Counter[str]:
                return Counter(m.content for user in users for m in fake.dm_messages_to(user))

            try:
                await fake.wait_for(lambda: len(sent_texts()) >= DMS, TAKEOVER, f"{DMS} DMs")
            except TimeoutError:
                statuses = Counter(
                    (await outbox.statuses([f"ops-test-{n}" for n in range(DMS)])).values()
                )
                raise AssertionError(
                    f"{len(sent_texts())} of {DMS} sent; outbox {statuses}\n" + survivor.log[-3000:]
                ) from None
            await asyncio.sleep(1)  # room for a duplicate to show up
            assert sent_texts() == {f"scheduled message #{n}": 1 for n in range(DMS)}
            statuses = await outbox.statuses([f"ops-test-{n}" for n in range(DMS)])
            assert Counter(statuses.values()) == {"sent": DMS}
            assert "took over" in survivor.log
        finally:
            await db.dispose()
