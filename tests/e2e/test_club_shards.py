"""The practice club's acceptance scenario on PostgreSQL with two shard processes.

The club's guild lives on shard 0, so its commands reach one process; both processes'
schedulers share the PostgreSQL outbox and wake together at every clock move. The
scenario (a monthly club across DST with its digest, a pair formed and left, a push
reaching its goal) must come out exactly as with one process: nothing posted twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.databases import postgres_database
from tests.e2e.conftest import StartBot
from tests.e2e.test_club import START, play_monthly_club, play_pairs_and_push
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import build_practice_club

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.slow]
SHARDS = 2


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A two-shard Discord; the practice club's guild is on shard 0."""
    fake = FakeDiscord(shard_count=SHARDS)
    build_practice_club(fake, shard=(0, SHARDS))
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


async def test_the_club_scenario_on_two_shard_processes_posts_nothing_twice(
    start_bot: StartBot, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    assert fake.club is not None
    async with postgres_database() as url:
        for shard in range(SHARDS):
            await start_bot(
                data_dir=tmp_path / f"shard{shard}",
                database_url=url,
                env={
                    "TOUCHSTONE_SHARD_COUNT": str(SHARDS),
                    "TOUCHSTONE_SHARD_IDS": f"[{shard}]",
                    "TOUCHSTONE_SIMULATED_CLOCK_START": START,
                },
            )
        clocks = [tmp_path / f"shard{shard}" / "simulated-clock" for shard in range(SHARDS)]
        await play_monthly_club(fake, fake.club, clocks)
        base = datetime.fromisoformat("2026-04-05T12:00:00+00:00")
        await play_pairs_and_push(fake, fake.club, clocks, base)

        # Every bot post, in every channel and DM, is there once.
        bot_id = fake.world.bot_user.id
        posts = Counter(
            (m.channel_id, m.content, tuple(str(e.get("title")) for e in m.embeds))
            for m in fake.world.messages.values()
            # Posts, not the private replies to commands (interaction follow-ups).
            if m.author_id == bot_id and m.webhook_id is None and m.interaction_id is None
        )
        # Two check-in posts and their digests; the pair's introduction, its week-1
        # prompt and the kind note; the push's post (its bar), goal and end.
        assert len(posts) == 10
        assert [post for post, n in posts.items() if n > 1] == []
