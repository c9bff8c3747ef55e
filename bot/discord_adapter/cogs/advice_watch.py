"""Watch mode: replies in watched channels are checked after they are posted, and a
reply that might bury someone in unasked advice gets a nudge, or is held."""

from __future__ import annotations

import logging

import discord

from bot.advice_flow import WatchAction, WatchedReply, WatchPlan
from bot.discord_adapter.advice_views import report_layout
from bot.discord_adapter.client import TouchstoneBot
from bot.discord_adapter.cogs.advice_support import context_for, send_dm, thread_facts
from bot.discord_adapter.messages import NO_MENTIONS, split_text, truncate
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
            if plan.action is WatchAction.NUDGE:
                await self._nudge(message, plan)
            elif plan.action is WatchAction.HOLD:
                await self._hold(message, plan)
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

    async def _nudge(self, message: discord.Message, plan: WatchPlan) -> None:
        assert plan.draft is not None
        draft = plan.draft
        intro = (
            f"About your reply in {where(message)} ({message.jump_url}): it might land as a "
            "pile of advice for someone who didn't ask for it. It's still posted, nothing "
            "happened to it; if you agree, you could edit it along these lines."
        )
        layout = report_layout(draft, intro=intro, title="A gentle nudge", watched=True)
        await send_dm(self.services, message.author, view=layout)

    async def _hold(self, message: discord.Message, plan: WatchPlan) -> None:
        """DM the full text first; remove the reply only if that DM arrived."""
        assert plan.draft is not None
        draft = plan.draft
        text_back = (
            f"Watch mode in {where(message)} holds replies that might bury someone in "
            "advice they didn't ask for, so I'm taking yours down for now. Here is exactly "
            "what you wrote, nothing is lost:\n\n" + draft.text
        )
        delivered = await self._dm_pieces(message.author, split_text(text_back))
        removed = False
        if plan.may_remove(delivered):
            try:
                await message.delete()
                removed = True
            except discord.HTTPException as exc:
                log.warning("could not remove held message %s: HTTP %s", message.id, exc.status)
        await self.flow.watch_outcome(plan, delivered, removed)
        if removed:
            fresh = await self.flow.get_for(draft.id, draft.author_id)
            explain = (
                "You can post it again as written, post the gentler version, or edit it "
                "first; it will appear as a reply to the same post, under your name.\n\n"
            )
            await send_dm(
                self.services,
                message.author,
                view=report_layout(fresh, intro=explain.strip(), title="What to do with it"),
            )
        elif delivered:
            await send_dm(
                self.services,
                message.author,
                content="I couldn't take it down after all, so your reply is still up.",
            )
        else:
            await self._tell_moderators(message)

    async def _dm_pieces(self, user: discord.User | discord.Member, pieces: list[str]) -> bool:
        for piece in pieces:
            if not await send_dm(self.services, user, content=piece):
                return False
        return True

    async def _tell_moderators(self, message: discord.Message) -> None:
        assert message.guild is not None
        config = await self.services.guild_config.get(message.guild.id)
        if config.report_channel_id is None:
            return
        channel = self.bot.get_partial_messageable(
            config.report_channel_id, guild_id=message.guild.id
        )
        note = (
            f"Watch mode (hold) flagged a reply by {truncate(message.author.display_name, 80)} "
            f"in {where(message)} ({message.jump_url}) but couldn't DM them the text, "
            "so the reply was left in place."
        )
        try:
            await channel.send(note, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.info("could not notify the report channel: HTTP %s", exc.status)
