"""Two bot processes split two shards over one PostgreSQL, against the fake Discord.

Each guild's events reach exactly one process (the one running its shard), and the
outbox shared through PostgreSQL sends each of 1,000 scheduled DMs exactly once
although both processes' schedulers wake for them at the same moment.
"""

from __future__ import annotations

import asyncio
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
from tests.e2e.members import Member
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import ChannelType
from tests.fakediscord.world import build_practice_club
from tests.ops.endpoint import HEALTH_ENV, endpoint_of, healthz, metric_samples

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.slow]

SHARDS = 2
GUILDS_PER_SHARD = 3
DMS = 1000
RECIPIENTS = 40
START = datetime.fromisoformat("2026-04-01T08:00:00+00:00")
DUE = START + timedelta(hours=1)


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """Overrides the default fixture: a two-shard Discord with guilds on both shards."""
    fake = FakeDiscord(shard_count=SHARDS)
    build_practice_club(fake, shard=(0, SHARDS))
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def add_guilds(fake: FakeDiscord) -> dict[int, list[tuple[int, int]]]:
    """{shard: [(guild id, channel id)]}, GUILDS_PER_SHARD on each shard."""
    assert fake.club is not None
    placed: dict[int, list[tuple[int, int]]] = {}
    for shard in range(SHARDS):
        for n in range(GUILDS_PER_SHARD):
            guild = fake.add_guild(
                f"Shard {shard} club {n}", fake.club.owner, shard=(shard, SHARDS)
            )
            fake.add_member(guild, fake.club.member)
            channel = fake.add_channel(guild, "general", ChannelType.GUILD_TEXT)
            placed.setdefault(shard, []).append((guild.id, channel.id))
    return placed


def about_count(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> float:
    key = ("touchstone_commands_total", (("command", "about"), ("outcome", "ok")))
    return samples.get(key, 0.0)


async def test_two_processes_split_the_shards_and_send_each_dm_once(
    start_bot: StartBot, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    guilds = add_guilds(fake)
    users = [fake.add_user(f"learner_{n}") for n in range(RECIPIENTS)]

    async with postgres_database() as url:
        bots = []
        for shard in range(SHARDS):
            bots.append(
                await start_bot(
                    data_dir=tmp_path / f"shard{shard}",
                    database_url=url,
                    env={
                        **HEALTH_ENV,
                        "TOUCHSTONE_SHARD_COUNT": str(SHARDS),
                        "TOUCHSTONE_SHARD_IDS": f"[{shard}]",
                        "TOUCHSTONE_SIMULATED_CLOCK_START": START.isoformat(),
                    },
                )
            )
        endpoints = [await endpoint_of(bot) for bot in bots]
        for shard, base in enumerate(endpoints):
            status, body = await healthz(base)
            assert status == 200, body
            assert body["checks"]["gateway"]["detail"] == f"shards connected: [{shard}]"

        # --- each guild's slash command is handled by exactly one process -------------
        assert fake.club is not None
        member = fake.club.member
        interactions = []
        for shard, placed in guilds.items():
            for guild_id, channel_id in placed:
                session = fake.gateway.session_for(guild_id)
                assert session is not None and session.shard_id == shard
                interactions.append(await Member(fake, guild_id, channel_id, member).run("/about"))
        for interaction in interactions:
            await interaction.first_response(timeout=5)
            assert interaction.rejections == []
            assert len([r for r in interaction.responses if r.kind == "callback"]) == 1
        # Each process counted exactly the commands of the guilds on its own shard.
        for shard, base in enumerate(endpoints):
            assert about_count(await metric_samples(base)) == GUILDS_PER_SHARD, shard

        # --- 1,000 DMs scheduled in the shared outbox, each sent exactly once ------------
        db = Database(url)
        try:
            outbox = Outbox(db, SimulatedClock(START).now)
            for first in range(0, DMS, 100):
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
                        for n in range(first, min(DMS, first + 100))
                    )
                )
            # Both processes' clocks jump past the due time together.
            for shard in range(SHARDS):
                clock_file = tmp_path / f"shard{shard}" / "simulated-clock"
                clock_file.write_text((DUE + timedelta(seconds=30)).isoformat(), encoding="utf-8")

            def sent_texts() -> list[str]:
                return [m.content for user in users for m in fake.dm_messages_to(user)]

            await fake.wait_for(lambda: len(sent_texts()) >= DMS, 240, f"{DMS} DMs")
            statuses = await outbox.statuses([f"ops-test-{n}" for n in range(DMS)])
            assert Counter(statuses.values()) == {"sent": DMS}
            # Every item is final (sent), so no later send can follow: count them now.
            texts = Counter(sent_texts())
            assert texts == {f"scheduled message #{n}": 1 for n in range(DMS)}
            workers = await claimed_by(db)
        finally:
            await db.dispose()
        print(f"DMs sent per worker process: {workers}")
        for bot in bots:
            assert await bot.stop() == 0


async def claimed_by(db: Database) -> dict[str, int]:
    from sqlalchemy import func, select

    from bot.storage.coaching_models import ScheduledItem

    async with db.session() as session:
        rows = await session.execute(
            select(ScheduledItem.claimed_by, func.count())
            .where(ScheduledItem.kind == "ops.test")
            .group_by(ScheduledItem.claimed_by)
        )
        return {str(worker): int(count) for worker, count in rows.all()}
