"""The fake Discord's user installs, proven against a real discord.py client.

A user can add the app to their own account and use it in servers the bot was never
added to. There the interaction says who authorized it (``authorizing_integration_owners``
and ``context``), the bot gets no events and no channel access, follow-ups are capped
at five, and responses are public unless the member lacks Use External Apps.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakediscord import FakeDiscord, PracticeClub
from tests.fakediscord.plugin import fake_discord, practice_club
from tests.fakediscord.state import EVERYONE_PERMISSIONS, Channel, ChannelType, Guild, Permission

__all__ = ["fake_discord", "practice_club"]
pytestmark = pytest.mark.mentions_unchecked


class UserAppBot(commands.AutoShardedBot):
    """No Message Content intent: what a user-installed app sees in foreign servers."""

    def __init__(self) -> None:
        super().__init__(
            command_prefix="!",
            intents=discord.Intents.default(),
            chunk_guilds_at_startup=False,
            guild_ready_timeout=0.1,
            allowed_installs=app_commands.AppInstallationType(guild=True, user=False),
        )
        self.ready = asyncio.Event()
        self.seen: list[Any] = []
        self.errors: list[discord.HTTPException] = []
        tree = self.tree

        @tree.command(description="Say hi anywhere")
        @app_commands.allowed_installs(guilds=True, users=True)
        @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
        async def hi(interaction: discord.Interaction) -> None:
            self.seen.append(
                (interaction.is_user_integration(), interaction.is_guild_integration())
            )
            await interaction.response.send_message("hi")

        @tree.command(description="Six follow-ups")
        @app_commands.allowed_installs(guilds=True, users=True)
        async def many(interaction: discord.Interaction) -> None:
            await interaction.response.defer()
            for i in range(6):
                try:
                    await interaction.followup.send(f"part {i}")
                except discord.HTTPException as exc:
                    self.errors.append(exc)

        @tree.command(description="Server only")
        @app_commands.guild_only()
        async def serveronly(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("server")

        @tree.context_menu(name="Peek")
        @app_commands.allowed_installs(guilds=True, users=True)
        async def peek(interaction: discord.Interaction, message: discord.Message) -> None:
            self.seen.append(message.content)
            try:
                await message.channel.fetch_message(message.id)
            except discord.HTTPException as exc:
                self.errors.append(exc)
            await interaction.response.send_message("peeked", ephemeral=True)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No wait between IDENTIFYs."""

    async def on_ready(self) -> None:
        self.ready.set()


@pytest.fixture
async def bot(fake_discord: FakeDiscord) -> AsyncIterator[UserAppBot]:
    running = UserAppBot()
    with fake_discord.patch_discord():
        task = asyncio.create_task(running.start(fake_discord.token))
        try:
            await asyncio.wait_for(running.ready.wait(), 10)
            await running.tree.sync()
            yield running
        finally:
            await running.close()
            await asyncio.wait_for(task, 10)


def elsewhere(fake: FakeDiscord, club: PracticeClub) -> tuple[Guild, Channel]:
    """A server the bot was never added to, where Pat (who installed the app) is a member."""
    guild = fake.add_guild("Elsewhere", add_bot=False)
    fake.add_member(guild, club.member)
    channel = fake.add_channel(guild, "lobby", ChannelType.GUILD_TEXT)
    return guild, channel


async def test_commands_register_their_installs_and_contexts(
    fake_discord: FakeDiscord, bot: UserAppBot
) -> None:
    synced = {c["name"]: c for c in fake_discord.commands[None]}
    assert synced["hi"]["integration_types"] == [0, 1]
    assert synced["hi"]["contexts"] == [0, 1, 2]
    assert synced["serveronly"]["integration_types"] == [0]
    assert synced["serveronly"]["contexts"] == [0]
    assert synced["Peek"]["integration_types"] == [0, 1]
    bad = [{"name": "x", "description": "x", "integration_types": [2], "contexts": []}]
    with pytest.raises(discord.HTTPException) as info:
        await bot.http.bulk_upsert_global_commands(fake_discord.application_id, bad)
    assert (info.value.status, info.value.code) == (400, 50035)
    assert "integration_types" in info.value.text and "contexts" in info.value.text


async def test_a_server_without_the_bot_is_reached_only_through_the_users_install(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: UserAppBot
) -> None:
    guild, lobby = elsewhere(fake_discord, practice_club)
    interaction = await fake_discord.send_slash_command(guild, lobby, practice_club.member, "hi")
    response = await interaction.first_response()
    assert interaction.payload["authorizing_integration_owners"] == {
        "1": str(practice_club.member.id)
    }
    assert interaction.payload["context"] == 0 and interaction.user_install_only
    assert bot.seen == [(True, False)]
    assert not response.ephemeral  # not forced ephemeral: the member may use external apps
    (public,) = fake_discord.messages_in(lobby, include_ephemeral=False)
    assert public.content == "hi"
    assert bot.get_guild(guild.id) is None  # never in READY / GUILD_CREATE
    with pytest.raises(ValueError, match="not installed this way"):
        await fake_discord.send_slash_command(guild, lobby, practice_club.member, "serveronly")


async def test_the_server_install_is_named_where_the_bot_is_a_member(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: UserAppBot
) -> None:
    club = practice_club
    plain = await fake_discord.send_slash_command(club.guild, club.general, club.member, "hi")
    await plain.first_response()
    assert plain.authorizing_integration_owners == {"0": str(club.guild.id)}
    both = await fake_discord.send_slash_command(
        club.guild, club.general, club.member, "hi", user_install=True
    )
    await both.first_response()
    assert both.authorizing_integration_owners == {
        "0": str(club.guild.id),
        "1": str(club.member.id),
    }
    dm_channel = fake_discord.world.dm_channel(club.member)
    dm = await fake_discord.send_slash_command(
        None, dm_channel, club.member, "hi", user_install=True
    )
    await dm.first_response()
    assert dm.context == 1 and dm.authorizing_integration_owners == {"1": str(club.member.id)}


async def test_five_follow_ups_at_most_where_only_the_user_installed_the_app(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: UserAppBot
) -> None:
    guild, lobby = elsewhere(fake_discord, practice_club)
    capped = await fake_discord.send_slash_command(guild, lobby, practice_club.member, "many")
    rejection = await capped.wait_for_rejection()
    assert (rejection.status, rejection.code) == (400, 40094)
    assert len(capped.followups) == 5
    club = practice_club
    free = await fake_discord.send_slash_command(club.guild, club.general, club.member, "many")
    await free.wait_for_followups(6)
    assert free.rejections == []


async def test_responses_are_forced_ephemeral_without_use_external_apps(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: UserAppBot
) -> None:
    strict = fake_discord.add_guild(
        "Strict",
        add_bot=False,
        everyone_permissions=EVERYONE_PERMISSIONS & ~Permission.USE_EXTERNAL_APPS,
    )
    fake_discord.add_member(strict, practice_club.member)
    lobby = fake_discord.add_channel(strict, "lobby", ChannelType.GUILD_TEXT)
    interaction = await fake_discord.send_slash_command(strict, lobby, practice_club.member, "hi")
    response = await interaction.first_response()
    assert response.ephemeral is False  # the bot asked for a public message...
    assert fake_discord.messages_in(lobby, include_ephemeral=False) == []  # ...Discord hid it


async def test_a_message_commands_target_keeps_its_content_but_the_channel_is_closed(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: UserAppBot
) -> None:
    guild, lobby = elsewhere(fake_discord, practice_club)
    post = await fake_discord.send_message(lobby, guild.owner_id, "I just started the violin!")
    peek = await fake_discord.send_message_command(practice_club.member, "Peek", post)
    await peek.first_response()
    assert bot.seen == ["I just started the violin!"]  # no Message Content intent needed
    (error,) = bot.errors
    assert (error.status, error.code) == (403, 50001)  # but the bot can't read the channel
