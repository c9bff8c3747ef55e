"""Fixtures that start the real bot process against the fake Discord.

The shipped notes are indexed once per test session (``prebuilt_index`` in
tests/conftest.py: real embeddings, real chromadb) and copied into each bot's data
directory, so a bot starts with an up-to-date index and embeds nothing, exactly like
a deployment that already ran ``touchstone ingest``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from tests.databases import postgres_database
from tests.e2e.harness import BotProcess, launch_bot
from tests.fakediscord.server import FakeDiscord

StartBot = Callable[..., Awaitable[BotProcess]]
#: ``TOUCHSTONE_TEST_BACKEND=postgres`` runs every bot on a fresh PostgreSQL database.
BACKEND_ENV = "TOUCHSTONE_TEST_BACKEND"


@pytest.fixture
async def start_bot(
    fake_discord: FakeDiscord, prebuilt_index: Path, tmp_path: Path
) -> AsyncIterator[StartBot]:
    """``await start_bot(...)`` starts a bot process (more than one for restart tests).

    Keyword arguments: ``data_dir`` (reuse one to restart on the same data),
    ``database_url``, ``env`` (extra variables). With ``TOUCHSTONE_TEST_BACKEND=postgres``
    and no ``database_url``, each data directory gets its own fresh PostgreSQL database
    (the same one again when a test restarts on that data directory).
    """
    processes: list[BotProcess] = []
    databases = AsyncExitStack()
    postgres_urls: dict[Path, str] = {}

    async def start(
        *,
        data_dir: Path | None = None,
        database_url: str | None = None,
        env: dict[str, str] | None = None,
    ) -> BotProcess:
        data_dir = data_dir or tmp_path / "data"
        if database_url is None and os.environ.get(BACKEND_ENV) == "postgres":
            key = data_dir.resolve()
            if key not in postgres_urls:
                postgres_urls[key] = await databases.enter_async_context(postgres_database())
            database_url = postgres_urls[key]
        process = await launch_bot(
            api_base=fake_discord.api_base,
            gateway_url=fake_discord.gateway_url,
            token=fake_discord.token,
            index=prebuilt_index,
            data_dir=data_dir,
            database_url=database_url,
            env=env,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        await process.stop()
    await databases.aclose()


@pytest.fixture
async def bot(start_bot: StartBot) -> BotProcess:
    """One running bot with a fresh SQLite database."""
    return await start_bot()
