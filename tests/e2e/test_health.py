"""The real bot's /healthz and /metrics: the database goes away and comes back.

The bot reaches PostgreSQL through a TCP proxy the test stops and starts: from the
bot's side that is exactly "the database is down" (refused connections, cut sockets),
without stopping the PostgreSQL server other tests share.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from tests.databases import postgres_database
from tests.e2e.conftest import StartBot
from tests.e2e.members import club_member
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import PracticeClub
from tests.ops.endpoint import HEALTH_ENV, endpoint_of, healthz, metric_samples
from tests.ops.proxy import TcpProxy

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


async def wait_for_health(base: str, status: int, timeout: float = 30) -> dict[str, Any]:
    """Poll /healthz until it answers ``status`` (fails with the last body otherwise)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        code, body = await healthz(base)
        if code == status:
            return body
        if loop.time() > deadline:
            raise AssertionError(f"/healthz stayed {code}, not {status}: {body}")
        await asyncio.sleep(0.3)


async def test_healthz_follows_the_database_down_and_back_without_a_restart(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    async with postgres_database() as url:
        parsed = make_url(url)
        proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
        await proxy.start()
        try:
            via_proxy = parsed.set(host="127.0.0.1", port=proxy.port)
            bot = await start_bot(
                database_url=via_proxy.render_as_string(hide_password=False), env=HEALTH_ENV
            )
            base = await endpoint_of(bot)
            body = await wait_for_health(base, 200)
            assert {name for name, check in body["checks"].items() if check["ok"]} == {
                "database",
                "vector_store",
                "gateway",
            }

            await proxy.stop()
            body = await wait_for_health(base, 503)
            assert body["status"] == "unhealthy"
            assert body["checks"]["database"]["ok"] is False
            assert body["checks"]["gateway"]["ok"] is True
            assert body["checks"]["vector_store"]["ok"] is True

            await proxy.start()
            body = await wait_for_health(base, 200)
            assert body["status"] == "ok"
            assert bot.process is not None and bot.process.returncode is None
            assert sum("Touchstone ready as" in line for line in bot.log_lines) == 1

            # And the bot works again: a command that needs the database.
            club = practice_club
            interaction = await club_member(fake_discord, club).run("/about")
            await interaction.first_response(timeout=5)
            assert interaction.rejections == []
        finally:
            await proxy.stop()


async def test_metrics_parse_and_count_commands(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    bot = await start_bot(env=HEALTH_ENV)
    base = await endpoint_of(bot)
    club = practice_club
    for _ in range(2):
        interaction = await club_member(fake_discord, club).run("/about")
        await interaction.first_response(timeout=5)
    samples = await metric_samples(base)  # parsed by prometheus_client's text parser
    ok = (("command", "about"), ("outcome", "ok"))
    assert samples[("touchstone_commands_total", ok)] == 2
    assert samples[("touchstone_command_duration_seconds_count", (("command", "about"),))] == 2
    assert samples[("touchstone_gateway_connected", (("shard", "0"),))] == 1
    assert ("touchstone_gateway_latency_seconds", (("shard", "0"),)) in samples
    assert samples[("touchstone_scheduler_queue_depth", (("state", "due"),))] >= 0
    assert not any("password" in name for name, _ in samples)
