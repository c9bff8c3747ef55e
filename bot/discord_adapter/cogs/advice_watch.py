"""Watch mode: replies in watched channels are checked after they are posted, and a
reply that might bury someone in unasked advice gets a nudge, or is held."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import Any

import discord

from bot.advice_flow import Draft, WatchAction, WatchedReply
from bot.advice_flow.watch import ReportCard, TextFile, WatchPlace, run_watch
from bot.discord_adapter.advice_views import report_layout
from bot.discord_adapter.client import TouchstoneBot
from bot.discord_adapter.cogs.advice_support import context_for, send_dm, thread_facts
from bot.discord_adapter.messages import MAX_CONTENT, NO_MENTIONS
from bot.guild_config.model import AdvicePolicy
from bot.services import Services
from bot.storage import StorageUnavailable

#: The cog's logger, so the lines read as they did before the cog was split.
log = logging.getLogger("bot.discord_adapter.cogs.advice")


def where(message: discord.Message) -> str:
    name = getattr(message.channel, "name", None)
    return f"#{name}" if name else "a channel"


class WatchMode:
    """What the Advice cog's ``on_message`` listener does with each message."""

    def __init__(self, bot: TouchstoneBot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self.flow = services.advice_flow

    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None or message.author.bot or message.webhook_id is not None:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        parent_id, _ = thread_facts(message.channel)
        try:
            policy = await self.flow.policy(message.guild.id, message.channel.id, parent_id)
            if policy is AdvicePolicy.OFF:
                return
            post = await self._answered_post(message)
            if post is None:
                return
            reply = WatchedReply(
                context_for(post),
                message_id=message.id,
                author_id=message.author.id,
                text=message.content,
                author_is_bot=message.author.bot,
            )
            plan = await self.flow.plan_watch(reply)
            if plan.action is not WatchAction.NONE:
                place = WatchPlace(where(message), message.jump_url, message.author.display_name)
                port = DiscordWatchPort(self.bot, self.services, message)
                await run_watch(self.flow, plan, place, port)
        except StorageUnavailable:
            log.warning("watch mode skipped message %s: database unavailable", message.id)
        except Exception:
            log.exception("watch mode failed on message %s", message.id)

    async def _answered_post(self, message: discord.Message) -> discord.Message | None:
        """The message this one answers: its reply target, or its forum post's opener."""
        reference = message.reference
        if reference is not None and reference.message_id is not None:
            if isinstance(reference.resolved, discord.Message):
                return reference.resolved
            try:
                return await message.channel.fetch_message(reference.message_id)
            except discord.HTTPException:
                return None
        channel = message.channel
        if not isinstance(channel, discord.Thread) or channel.id == message.id:
            return None
        if not isinstance(channel.parent, discord.ForumChannel):
            return None
        if channel.starter_message is not None:
            return channel.starter_message
        try:
            return await channel.fetch_message(channel.id)
        except discord.HTTPException:
            pass
        async for first in channel.history(limit=1, oldest_first=True):
            return first if first.id != message.id else None
        return None


class DiscordWatchPort:
    """The watch sequence's port for one reply on Discord: DMs to its writer, its
    removal, and the server's report channel."""

    message_limit = MAX_CONTENT

    def __init__(self, bot: TouchstoneBot, services: Services, message: discord.Message) -> None:
        self.bot = bot
        self.services = services
        self.message = message

    async def dm(self, pieces: Sequence[str], file: TextFile | None = None) -> bool:
        for index, piece in enumerate(pieces):
            extra: dict[str, Any] = {}
            if file is not None and index == len(pieces) - 1:
                data = io.BytesIO(file.text.encode("utf-8"))
                extra["file"] = discord.File(data, filename=file.name)
            if not await send_dm(self.services, self.message.author, content=piece, **extra):
                return False
        return True

    async def dm_report(self, draft: Draft, card: ReportCard) -> bool:
        layout = report_layout(draft, intro=card.intro, title=card.title, watched=card.watched)
        return await send_dm(self.services, self.message.author, view=layout)

    async def remove(self) -> bool:
        try:
            await self.message.delete()
        except discord.HTTPException as exc:
            log.warning("could not remove held message %s: HTTP %s", self.message.id, exc.status)
            return False
        return True

    async def tell_moderators(self, note: str) -> bool:
        guild = self.message.guild
        assert guild is not None
        config = await self.services.guild_config.get(guild.id)
        if config.report_channel_id is None:
            return False
        channel = self.bot.get_partial_messageable(config.report_channel_id, guild_id=guild.id)
        try:
            await channel.send(note, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.info("could not notify the report channel: HTTP %s", exc.status)
            return False
        return True
