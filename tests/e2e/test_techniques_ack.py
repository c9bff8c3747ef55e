"""Issue 13 #7: /techniques is acknowledged before it waits for the library.

On a first start the index can take longer than Discord's 3 seconds (10062 followed).
Here another process "is indexing": the test holds the cluster-wide knowledge-index
lock on the shared PostgreSQL, so the bot's library stays unready until it lets go.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.ops.coordination import lock_id
from tests.databases import postgres_database
from tests.e2e.harness import BotProcess, bot_environment
from tests.e2e.members import club_member
from tests.fakediscord.interactions import CallbackType
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import PracticeClub

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


async def test_techniques_is_deferred_while_the_library_loads(
    fake_discord: FakeDiscord, practice_club: PracticeClub, prebuilt_index: Path, tmp_path: Path
) -> None:
    fake, club = fake_discord, practice_club
    data_dir = tmp_path / "data"
    shutil.copytree(prebuilt_index, data_dir / "chroma")
    async with postgres_database() as url:
        engine = create_async_engine(url)
        bot = BotProcess(
            bot_environment(
                api_base=fake.api_base,
                gateway_url=fake.gateway_url,
                data_dir=data_dir,
                database_url=url,
                extra={"TOUCHSTONE_TOKEN": fake.token},
            )
        )
        try:
            async with engine.connect() as holder:
                await holder.execute(
                    text("SELECT pg_advisory_lock(:key)"), {"key": lock_id("knowledge-index")}
                )
                await holder.commit()
                await bot.start()
                assert "knowledge ready" not in bot.log

                browsing = await club_member(fake, club).run("/techniques")
                first = await browsing.first_response(timeout=3)
                assert first.callback_type == CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
                assert first.ephemeral

                await holder.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": lock_id("knowledge-index")}
                )
                await holder.commit()
            (listing,) = await browsing.wait_for_followups(1, timeout=60)
            assert listing.ephemeral and listing.embeds
            assert browsing.rejections == []
        finally:
            await bot.stop()
            await engine.dispose()
