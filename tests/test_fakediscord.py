"""The fake Discord, proven against a real discord.py client over the real wire.

A ``commands.AutoShardedBot`` runs in-process, pointed at the fake with
``FakeDiscord.patch_discord()``; tests act as users through the fake and check
what the bot received and what it sent back.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakediscord import ChannelType, FakeDiscord, PracticeClub, build_practice_club
from tests.fakediscord.plugin import fake_discord, practice_club

__all__ = ["fake_discord", "practice_club"]  # fixtures, imported so this file runs standalone
# These tests drive plain discord.py clients, not Touchstone: the mention check is Touchstone's.
pytestmark = pytest.mark.mentions_unchecked


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    """A one-field modal; on submit the bot thanks the user ephemerally."""

    answer: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
        label="Your answer", custom_id="answer", style=discord.TextStyle.paragraph, max_length=4000
    )

    def __init__(self) -> None:
        super().__init__(custom_id="feedback-modal")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.answer.value}", ephemeral=True)


class PanelView(discord.ui.View):
    """A button that edits its own message when clicked."""

    @discord.ui.button(label="OK", custom_id="panel:ok")
    async def ok(
        self, interaction: discord.Interaction, button: discord.ui.Button[PanelView]
    ) -> None:
        await interaction.response.edit_message(content="clicked", view=None)


class ProbeBot(commands.AutoShardedBot):
    """A small bot exercising every interaction pattern the fake must support."""

    def __init__(self, **kwargs: Any) -> None:
        intents = discord.Intents.default()
        intents.members = True
        intents.message_content = True
        super().__init__(
            command_prefix="!",
            intents=intents,
            chunk_guilds_at_startup=False,
            guild_ready_timeout=0.1,
            **kwargs,
        )
        self.ready = asyncio.Event()
        self.received: list[discord.Message] = []
        self.threads: list[discord.Thread] = []
        self.errors: list[Exception] = []
        self.resumed = asyncio.Event()
        self._add_commands()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5-second wait between IDENTIFYs: the fake has no identify rate limit."""

    async def on_ready(self) -> None:
        self.ready.set()

    async def on_resumed(self) -> None:
        self.resumed.set()

    async def on_message(self, message: discord.Message) -> None:
        self.received.append(message)

    async def on_thread_create(self, thread: discord.Thread) -> None:
        self.threads.append(thread)

    def _add_commands(self) -> None:
        tree = self.tree

        @tree.command(description="Repeat text without pinging anyone")
        async def echo(
            interaction: discord.Interaction, text: str, who: discord.Member | None = None
        ) -> None:
            suffix = f" (for {who.display_name})" if who else ""
            await interaction.response.send_message(
                text + suffix, allowed_mentions=discord.AllowedMentions.none()
            )

        @tree.command(description="Answer too late")
        async def slow(interaction: discord.Interaction) -> None:
            await asyncio.sleep(3.2)
            try:
                await interaction.response.send_message("too late")
            except discord.HTTPException as exc:
                self.errors.append(exc)

        @tree.command(description="Answer twice")
        async def twice(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("one")
            # Bypass discord.py's own "already responded" guard to hit Discord's.
            route = discord.http.Route(
                "POST",
                "/interactions/{interaction_id}/{token}/callback",
                interaction_id=interaction.id,
                token=interaction.token,
            )
            try:
                await self.http.request(route, json={"type": 4, "data": {"content": "two"}})
            except discord.HTTPException as exc:
                self.errors.append(exc)

        @tree.command(description="Defer, follow up, then edit the original")
        async def think(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("part one", ephemeral=True)
            await interaction.edit_original_response(content="done thinking")

        @tree.command(description="Open the feedback modal")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(FeedbackModal())

        @tree.command(description="Show a button")
        async def panel(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("press it", view=PanelView())

        @tree.command(description="Pick a topic")
        async def topic(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(f"topic {name}")

        @topic.autocomplete("name")
        async def topic_complete(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [
                app_commands.Choice(name=f"{current} {i}", value=f"{current}-{i}")
                for i in range(30)
            ][:25]

        @tree.context_menu(name="Quote")
        async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(f"> {message.content}", ephemeral=True)

        @tree.context_menu(name="Inspect")
        async def inspect(interaction: discord.Interaction, member: discord.Member) -> None:
            await interaction.response.send_message(
                f"{member.name} has {len(member.roles)} roles", ephemeral=True
            )


async def _run_bot(fake: FakeDiscord, bot: ProbeBot) -> AsyncIterator[ProbeBot]:
    with fake.patch_discord():
        task = asyncio.create_task(bot.start(fake.token))
        try:
            await asyncio.wait_for(bot.ready.wait(), 10)
            yield bot
        finally:
            await bot.close()
            await asyncio.wait_for(task, 10)


@pytest.fixture
async def bot(fake_discord: FakeDiscord) -> AsyncIterator[ProbeBot]:
    """The probe bot, logged in to the fake and past ``on_ready``."""
    async for running in _run_bot(fake_discord, ProbeBot()):
        yield running


# ---------------------------------------------------------------------- login


async def test_login_ready_and_guild_create(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    guild = bot.get_guild(practice_club.guild.id)
    assert guild is not None and guild.name == "Practice Club"
    assert bot.user is not None and bot.user.id == fake_discord.bot_user.id
    assert bot.application_id == fake_discord.application_id
    assert {m.id for m in guild.members} >= {u.id for u in practice_club.users}
    member = guild.get_member(practice_club.admin.id)
    assert member is not None and member.guild_permissions.administrator
    forum = guild.get_channel(practice_club.help.id)
    assert isinstance(forum, discord.ForumChannel)
    assert [t.name for t in forum.available_tags] == ["just started", "details welcome"]
    assert guild.shard_id == 0

    (identify,) = fake_discord.identifies
    assert identify.data["shard"] == [0, 1]
    assert identify.data["intents"] == bot.intents.value
    assert identify.data["token"] == "<redacted>"
    assert fake_discord.gateway_received("HEARTBEAT")
    keys = [r.key for r in fake_discord.requests]
    assert keys[:3] == ["GET /users/@me", "GET /oauth2/applications/@me", "GET /gateway/bot"]
    assert all(r.authorized for r in fake_discord.requests)
    assert "Authorization" not in fake_discord.requests[0].headers
    assert fake_discord.unhandled == []


async def test_bad_token_closes_4004(fake_discord: FakeDiscord) -> None:
    bot = ProbeBot()
    with fake_discord.patch_discord():
        fake_discord.gateway.token = "another-token"  # REST accepts, gateway refuses
        with pytest.raises(discord.ConnectionClosed) as info:
            await asyncio.wait_for(bot.start(fake_discord.token), 10)
    await bot.close()
    assert info.value.code == 4004


async def test_privileged_intents_must_be_enabled(fake_discord: FakeDiscord) -> None:
    fake_discord.gateway.allowed_intents = 0  # no privileged intents enabled in the portal
    bot = ProbeBot()
    with fake_discord.patch_discord(), pytest.raises(discord.PrivilegedIntentsRequired):
        await asyncio.wait_for(bot.start(fake_discord.token), 10)
    await bot.close()


# --------------------------------------------------------------- interactions


async def test_slash_command_answered(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    club = practice_club
    interaction = await fake_discord.send_slash_command(
        club.guild.id,
        club.general.id,
        club.member.id,
        "echo",
        {"text": "hi @everyone", "who": club.moderator},
    )
    response = await interaction.first_response(timeout=5)
    assert response.content == "hi @everyone (for Mo Moderator)"
    assert response.allowed_mentions == {"parse": []}
    assert interaction.callback_type == 4
    (stored,) = fake_discord.messages_in(club.general)
    assert stored.author_id == fake_discord.bot_user.id and stored.interaction_id == interaction.id
    assert stored.mention_everyone is False
    callback = fake_discord.requests_matching(
        "POST", "/interactions/{interaction_id}/{interaction_token}/callback"
    )
    assert callback[0].query == {"with_response": "1"} and not callback[0].authorized


async def test_late_response_is_unknown_interaction(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    club = practice_club
    interaction = await fake_discord.send_slash_command(
        club.guild.id, club.general.id, club.member.id, "slow"
    )
    rejection = await interaction.wait_for_rejection(timeout=6)
    assert (rejection.status, rejection.code) == (404, 10062)
    await fake_discord.wait_for(lambda: bot.errors, what="the bot's error")
    assert isinstance(bot.errors[0], discord.NotFound) and bot.errors[0].code == 10062
    assert not interaction.acknowledged and fake_discord.messages_in(club.general) == []


async def test_double_response_is_already_acknowledged(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    club = practice_club
    interaction = await fake_discord.send_slash_command(
        club.guild.id, club.general.id, club.member.id, "twice"
    )
    rejection = await interaction.wait_for_rejection()
    assert (rejection.status, rejection.code) == (400, 40060)
    await fake_discord.wait_for(lambda: bot.errors)
    assert isinstance(bot.errors[0], discord.HTTPException) and bot.errors[0].code == 40060
    assert [r.content for r in interaction.responses] == ["one"]


async def test_defer_followup_and_edit_original(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    club = practice_club
    interaction = await fake_discord.send_slash_command(
        club.guild.id, club.general.id, club.owner.id, "think"
    )
    first = await interaction.first_response()
    assert first.callback_type == 5 and interaction.deferred
    (followup,) = await interaction.wait_for_followups(1)
    assert followup.content == "part one" and followup.ephemeral
    edit = await interaction.wait_for_edit()
    assert edit.content == "done thinking"
    assert [r.kind for r in interaction.responses] == ["callback", "followup", "edit_original"]
    original = fake_discord.world.message(interaction.original_message_id or 0)
    assert original.content == "done thinking" and not original.flags & 128
    webhook_calls = [r for r in fake_discord.requests if r.path.startswith("/webhooks/")]
    assert webhook_calls and not any(r.authorized for r in webhook_calls)
    assert all(r.query.get("wait") in (None, "1") for r in webhook_calls)


async def test_modal_then_submit(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    club = practice_club
    opened = await fake_discord.send_slash_command(
        club.guild.id, club.general.id, club.member.id, "feedback"
    )
    await opened.first_response()
    assert opened.modal is not None and opened.modal["title"] == "Feedback"
    with pytest.raises(ValueError, match="required"):
        await fake_discord.send_modal_submit("feedback-modal", {})
    submitted = await fake_discord.send_modal_submit(
        "feedback-modal", {"answer": "more examples please"}
    )
    reply = await submitted.first_response()
    assert reply.content == "thanks: more examples please" and reply.ephemeral


async def test_component_click_updates_message(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    club = practice_club
    command = await fake_discord.send_slash_command(
        club.guild.id, club.general.id, club.member.id, "panel"
    )
    await command.first_response()
    message_id = command.original_message_id
    assert message_id is not None
    click = await fake_discord.send_component(message_id, "panel:ok")
    update = await click.first_response()
    assert update.callback_type == 7
    assert fake_discord.world.message(message_id).content == "clicked"
    assert fake_discord.world.message(message_id).components == []


async def test_autocomplete_and_context_menus(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    club = practice_club
    auto = await fake_discord.send_autocomplete(
        club.guild.id, club.general.id, club.member.id, "topic", {"name": "ev"}, focused="name"
    )
    await auto.first_response()
    assert (
        auto.choices is not None and len(auto.choices) == 25 and auto.choices[0]["value"] == "ev-0"
    )

    said = await fake_discord.send_message(club.general, club.member, "quote me")
    quote = await fake_discord.send_message_command(club.owner.id, "Quote", said)
    assert (await quote.first_response()).content == "> quote me"

    inspect = await fake_discord.send_user_command(
        club.guild, club.general, club.owner, "Inspect", club.moderator
    )
    assert (await inspect.first_response()).content == "mo_moderator has 2 roles"


async def test_dm_slash_command(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    dm = fake_discord.world.dm_channel(practice_club.member)
    interaction = await fake_discord.send_slash_command(
        None, dm.id, practice_club.member.id, "echo", {"text": "psst"}
    )
    assert interaction.payload["context"] == 1 and "user" in interaction.payload
    assert (await interaction.first_response()).content == "psst"


# ------------------------------------------------------------------- messages


async def test_message_limits_and_events(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    channel = bot.get_channel(practice_club.general.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as info:
        await channel.send("x" * 2001)
    assert info.value.status == 400 and info.value.code == 50035
    assert "content" in fake_discord.requests[-1].response["errors"]
    with pytest.raises(discord.HTTPException) as embed_info:
        await channel.send(embed=discord.Embed(title="t" * 257))
    assert embed_info.value.code == 50035

    incoming = await fake_discord.send_message(
        practice_club.general, practice_club.member, "hello bot"
    )
    await fake_discord.wait_for(lambda: bot.received, what="on_message")
    assert bot.received[0].content == "hello bot" and bot.received[0].id == incoming.id

    sent = await channel.send("with a file", file=discord.File(__file__, filename="proof.py"))
    assert sent.attachments[0].filename == "proof.py"
    stored = fake_discord.world.message(sent.id)
    assert stored.attachments[0].data.startswith(b'"""The fake Discord')
    reply = await sent.reply("a reply", mention_author=False)
    assert fake_discord.world.message(reply.id).reference_message_id == sent.id
    await sent.edit(content="edited")
    assert fake_discord.world.message(sent.id).content == "edited"
    await reply.delete()
    assert [m.content for m in fake_discord.messages_in(practice_club.general)][-1] == "edited"
    history = [m async for m in channel.history(limit=10)]
    assert [m.id for m in history][:2] == [sent.id, incoming.id]


async def test_rate_limited_route_is_retried(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    rule = fake_discord.rate_limit("POST /channels/{channel_id}/messages", count=2, retry_after=0.2)
    channel = bot.get_channel(practice_club.general.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("eventually")
    attempts = fake_discord.requests_matching("POST", "/channels/{channel_id}/messages")
    assert [r.status for r in attempts] == [429, 429, 200]
    assert len(rule.hits) == 2
    assert [m.content for m in fake_discord.messages_in(practice_club.general)] == ["eventually"]

    fake_discord.fail_next("POST /channels/{channel_id}/messages", status=502)
    await channel.send("after a 502")
    assert [
        r.status for r in fake_discord.requests_matching("POST", "/channels/{channel_id}/messages")
    ][-2:] == [502, 200]


async def test_dm_to_closed_user_is_forbidden(fake_discord: FakeDiscord, bot: ProbeBot) -> None:
    closed = fake_discord.add_user("private_person", dms_closed=True)
    user = await bot.fetch_user(closed.id)
    with pytest.raises(discord.Forbidden) as info:
        await user.send("hello")
    assert info.value.code == 50007
    assert fake_discord.dm_messages_to(closed) == []
    assert fake_discord.club is not None
    open_user = await bot.fetch_user(fake_discord.club.member.id)
    await open_user.send("welcome")
    assert [m.content for m in fake_discord.dm_messages_to(open_user.id)] == ["welcome"]


# -------------------------------------------------------------------- gateway


async def test_drop_connection_resumes(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    assert await fake_discord.drop_connection() == 1
    # Sent while the bot is disconnected: must be replayed on RESUME.
    await fake_discord.send_message(
        practice_club.general, practice_club.member, "while you were away"
    )
    await asyncio.wait_for(bot.resumed.wait(), 10)
    await fake_discord.wait_for(lambda: bot.received, what="the replayed message")
    assert bot.received[0].content == "while you were away"
    assert len(fake_discord.resumes) == 1 and len(fake_discord.identifies) == 1
    await fake_discord.send_message(practice_club.general, practice_club.member, "after resume")
    await fake_discord.wait_for(lambda: len(bot.received) == 2)


async def test_invalidated_session_reidentifies(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    assert await fake_discord.invalidate_sessions() == 1
    await fake_discord.wait_for(
        lambda: len(fake_discord.identifies) == 2, timeout=10, what="a second IDENTIFY"
    )
    await fake_discord.wait_until_ready()
    await fake_discord.send_message(practice_club.general, practice_club.member, "still there?")
    await fake_discord.wait_for(lambda: bot.received, what="a message after re-identify")
    assert fake_discord.resumes == []


async def test_two_shards_each_get_their_guilds() -> None:
    fake = FakeDiscord(shard_count=2)
    club = build_practice_club(fake, shard=(0, 2))
    other = fake.add_guild("Second Club", club.owner, shard=(1, 2))
    side = fake.add_channel(other, "side")
    async with fake:
        async for bot in _run_bot(fake, ProbeBot()):
            assert bot.shard_count == 2
            assert sorted(i.data["shard"][0] for i in fake.identifies) == [0, 1]
            created = {
                s.shard_id: [int(f["d"]["id"]) for f in s.log if f["t"] == "GUILD_CREATE"]
                for s in fake.gateway.active_sessions()
            }
            assert created == {0: [club.guild.id], 1: [other.id]}
            assert (bot.get_guild(other.id) or pytest.fail("guild missing")).shard_id == 1
            interaction = await fake.send_slash_command(
                other, side, club.owner, "echo", {"text": "shard one"}
            )
            assert (await interaction.first_response()).content == "shard one"
            shard_one = fake.gateway.session_for(other.id)
            assert shard_one is not None and shard_one.shard_id == 1
            sent = [int(f["d"]["id"]) for f in shard_one.log if f["t"] == "INTERACTION_CREATE"]
            assert sent == [interaction.id]


# ------------------------------------------------------- commands and objects


async def test_tree_sync_stores_commands(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    synced = await bot.tree.sync()
    assert {c.name for c in synced} >= {"echo", "think", "Quote", "Inspect"}
    assert all(c.id for c in synced)
    stored = {c["name"]: c for c in fake_discord.commands[None]}
    assert stored["echo"]["options"][0]["name"] == "text" and "contexts" in stored["echo"]
    assert len(fake_discord.command_syncs) == 1
    again = await bot.tree.sync()
    assert {c.id for c in again} == {c.id for c in synced}  # ids are stable across syncs
    interaction = await fake_discord.send_slash_command(
        practice_club.guild, practice_club.general, practice_club.member, "echo", {"text": "synced"}
    )
    assert interaction.payload["data"]["id"] == stored["echo"]["id"]
    fetched = await bot.tree.fetch_commands()
    assert len(fetched) == len(synced)

    with pytest.raises(discord.HTTPException) as info:
        await bot.http.bulk_upsert_global_commands(
            fake_discord.application_id, [{"name": "Bad Name", "description": "x", "type": 1}]
        )
    assert info.value.code == 50035


async def test_webhook_execute_with_username(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    channel = bot.get_channel(practice_club.general.id)
    assert isinstance(channel, discord.TextChannel)
    hook = await channel.create_webhook(name="Coach hook")
    assert [w.id for w in await channel.webhooks()] == [hook.id]
    sent = await hook.send(
        "from the coach", username="Coach", avatar_url="https://example.invalid/a.png", wait=True
    )
    assert sent.author.name == "Coach" and sent.webhook_id == hook.id
    stored = fake_discord.world.message(sent.id)
    assert (
        stored.webhook_name == "Coach"
        and stored.webhook_avatar_url == "https://example.invalid/a.png"
    )


async def test_threads_and_forum_posts(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    club = practice_club
    channel = bot.get_channel(club.general.id)
    forum = bot.get_channel(club.help.id)
    assert isinstance(channel, discord.TextChannel) and isinstance(forum, discord.ForumChannel)
    private = await channel.create_thread(name="coaching", type=discord.ChannelType.private_thread)
    assert private.type is discord.ChannelType.private_thread
    await private.add_user(discord.Object(club.member.id))
    assert club.member.id in fake_discord.world.channel(private.id).thread_member_ids
    members = await private.fetch_members()
    assert {m.id for m in members} == {fake_discord.bot_user.id, club.member.id}
    await private.send("welcome to your thread")

    starter = await channel.send("discuss here")
    public = await starter.create_thread(name="discussion")
    assert public.id == starter.id

    tag = forum.get_tag(club.tag_just_started.id)
    assert tag is not None
    post = await forum.create_thread(
        name="How do I start?", content="Question body", applied_tags=[tag]
    )
    assert post.thread.applied_tags == [tag] and post.message.content == "Question body"
    assert fake_discord.world.channel(post.thread.id).type == ChannelType.PUBLIC_THREAD

    await fake_discord.wait_for(lambda: len(bot.threads) == 3, what="three THREAD_CREATE events")
    assert fake_discord.unhandled == []


async def test_unknown_route_is_recorded(fake_discord: FakeDiscord, bot: ProbeBot) -> None:
    with pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/sticker-packs"))
    (unknown,) = fake_discord.unhandled
    assert unknown.path == "/sticker-packs" and unknown.status == 404


# ----------------------------------------------------------- rules and edges


async def test_rest_rules(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: ProbeBot
) -> None:
    club = practice_club
    channel = bot.get_channel(club.general.id)
    assert isinstance(channel, discord.TextChannel)
    big = [discord.Embed(description="d" * 4000) for _ in range(2)]
    with pytest.raises(discord.HTTPException) as total:
        await channel.send(embeds=big)
    assert total.value.code == 50035
    assert "MAX_EMBED_SIZE_EXCEEDED" in str(fake_discord.requests[-1].response)
    view = discord.ui.View()
    view.add_item(discord.ui.Button(label="L" * 81, custom_id="long"))
    with pytest.raises(discord.HTTPException) as label:
        await channel.send("labels", view=view)
    assert label.value.code == 50035
    with pytest.raises(discord.HTTPException) as empty:
        await bot.http.send_message(
            channel.id, params=discord.http.MultipartParameters({}, None, None)
        )
    assert empty.value.code == 50006
    with pytest.raises(discord.NotFound) as unknown:
        await channel.fetch_message(1)
    assert unknown.value.code == 10008
    member = await bot.get_guild(club.guild.id).fetch_member(club.member.id)  # type: ignore[union-attr]
    assert member.joined_at is not None

    # Follow-ups stop working after 15 minutes.
    interaction = await fake_discord.send_slash_command(
        club.guild, club.general, club.member, "echo", {"text": "old"}
    )
    await interaction.first_response()
    fake_discord.age_interaction(interaction, 15 * 60 + 1)
    hook = discord.Webhook.partial(fake_discord.application_id, interaction.token, client=bot)
    with pytest.raises(discord.HTTPException) as expired:
        await hook.send("too late", wait=True)
    assert expired.value.code == 50027

    # A wrong token on REST is a 401.
    bot.http.token = "wrong"
    try:
        with pytest.raises(discord.HTTPException) as unauthorized:
            await bot.fetch_user(club.member.id)
    finally:
        bot.http.token = fake_discord.token
    assert unauthorized.value.status == 401


SUBPROCESS_BOT = """
import os, discord, yarl
from discord import app_commands

discord.http.Route.BASE = os.environ["FAKE_API"]
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["FAKE_GATEWAY"])


class Bot(discord.AutoShardedClient):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.1)
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(description="ping")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong from a subprocess")

    async def on_ready(self) -> None:
        print("READY", flush=True)


Bot().run(os.environ["FAKE_TOKEN"], log_handler=None)
"""


async def test_bot_in_a_subprocess(
    fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    script = tmp_path / "bot.py"
    script.write_text(SUBPROCESS_BOT)
    info = fake_discord.connection_info
    env = {
        **os.environ,
        "FAKE_API": info["api_base"],
        "FAKE_GATEWAY": info["gateway_url"],
        "FAKE_TOKEN": info["token"],
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(script), env=env, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 20)
        assert line.strip() == b"READY"
        interaction = await fake_discord.send_slash_command(
            practice_club.guild, practice_club.general, practice_club.member, "ping"
        )
        assert (await interaction.first_response()).content == "pong from a subprocess"
    finally:
        proc.terminate()
        await proc.wait()
