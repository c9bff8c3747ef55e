"""The bot process against the fake Discord: first commands, Discord hygiene, deadlines."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from bot.catalog import CATALOG
from bot.discord_adapter.reach import USER_INSTALLABLE
from tests.e2e.conftest import StartBot
from tests.e2e.harness import REPO_ROOT, BotProcess, bot_environment
from tests.e2e.members import club_member
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
NO_PARSE = {"parse": []}


async def test_about_answers_within_the_deadline_without_parsing_mentions(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    club = practice_club
    interaction = await club_member(fake_discord, club).run("/about")
    response = await interaction.first_response(timeout=3)
    assert interaction.rejections == []
    assert response.ephemeral
    (embed,) = response.embeds
    assert "What it stores about you" in embed["description"]
    assert "0.1.0" in embed["description"]
    assert response.allowed_mentions == NO_PARSE


async def test_help_lists_every_registered_command(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    club = practice_club
    interaction = await club_member(fake_discord, club).run("/help")
    response = await interaction.first_response(timeout=3)
    text = "\n".join(embed["description"] for embed in response.embeds)
    registered = {
        command["name"] for command in fake_discord.commands[None] if command.get("type", 1) == 1
    }
    documented = {info.name.split()[0] for info in CATALOG}
    assert registered <= documented, f"undocumented commands: {registered - documented}"
    for name in registered:
        assert f"/{name}" in text


async def test_a_late_answer_is_rejected_by_discord_and_the_bot_keeps_working(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    club = practice_club
    # The interaction is delivered as if it had been in flight for 3 s already.
    late = await club_member(fake_discord, club).run("/about")
    fake_discord.age_interaction(late, 3.5)
    rejection = await late.wait_for_rejection(timeout=5)
    assert (rejection.status, rejection.code) == (404, 10062)
    assert not late.acknowledged

    on_time = await club_member(fake_discord, club).run("/about")
    await on_time.first_response(timeout=3)
    # The only traceback the late answer may leave in the log is Discord's 10062 itself.
    for block in bot.log.split("Traceback (most recent call last)")[1:]:
        assert "10062" in block[:4000], block[:500]


async def test_commands_sync_once_and_not_again_on_restart(
    start_bot: StartBot, fake_discord: FakeDiscord, tmp_path: object
) -> None:
    first = await start_bot()
    assert len(fake_discord.command_syncs) == 1
    await first.stop()
    await start_bot()
    assert len(fake_discord.command_syncs) == 1, "the bot re-synced unchanged commands on start"


async def test_the_token_never_appears_in_the_log(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    club = practice_club
    await (await club_member(fake_discord, club).run("/about")).first_response(3)
    assert fake_discord.token not in bot.log


async def test_sync_commands_registers_globally_or_to_one_server_and_exits(
    fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    env = bot_environment(
        api_base=fake_discord.api_base,
        gateway_url=fake_discord.gateway_url,
        data_dir=tmp_path / "data",
        extra={"TOUCHSTONE_TOKEN": fake_discord.token},
    )

    async def sync(*args: str) -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "sync-commands",
            *args,
            cwd=str(REPO_ROOT),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode is not None
        return process.returncode, output.decode()

    code, output = await sync()
    assert code == 0, output
    assert "synced" in output and "to all servers" in output
    assert [guild for guild, _, _ in fake_discord.command_syncs] == [None]
    synced = {c["name"]: c for c in fake_discord.commands[None]}
    assert {"about", "ask", "impossible", "config", "Reply with care"} <= set(synced)
    # User installs: the personal commands go anywhere, the rest stay with servers.
    (put,) = fake_discord.requests_matching("PUT", "/applications/{application_id}/commands")
    sent = {c["name"]: c for c in put.json}
    assert set(sent) >= USER_INSTALLABLE
    for name, command in sent.items():
        if name in USER_INSTALLABLE:
            assert command["integration_types"] == [0, 1], name
            assert command["contexts"] == [0, 1, 2], name
        else:
            assert command["integration_types"] == [0], name
            assert 2 not in (command["contexts"] or []), name
    for server_only in ("config", "knowledge"):
        assert sent[server_only]["contexts"] == [0]
    assert synced["advise"]["integration_types"] == [0, 1]

    code, output = await sync("--guild", str(practice_club.guild.id))
    assert code == 0, output
    assert [guild for guild, _, _ in fake_discord.command_syncs] == [None, practice_club.guild.id]
    assert fake_discord.identifies == []  # a REST-only login: no gateway session, nothing sent
    assert not [r for r in fake_discord.requests if r.method == "POST" and "/messages" in r.path]
