"""What the advice cog's parts share: DMs, report cards, the post a reply answers,
and publishing a reply in its channel."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.advice_flow import PostContext, PostPlan
from bot.advice_flow.reach import post_link
from bot.discord_adapter.advice_views import attributed_embed
from bot.discord_adapter.client import TouchstoneBot
from bot.discord_adapter.messages import NO_MENTIONS
from bot.services import Services

#: The cog's logger, so the lines read as they did before the cog was split.
log = logging.getLogger("bot.discord_adapter.cogs.advice")

CANNOT_DM = 50007


async def send_dm(services: Services, user: discord.User | discord.Member, **kwargs: Any) -> bool:
    """Send a DM now and say whether it arrived. Closed DMs are remembered, never retried."""
    if await services.users.dms_closed(user.id):
        return False
    try:
        await user.send(allowed_mentions=NO_MENTIONS, **kwargs)
    except discord.Forbidden as exc:
        if exc.code == CANNOT_DM:
            await services.users.mark_dms_closed(user.id)
        log.info("could not DM user %s (code %s)", user.id, exc.code)
        return False
    except discord.HTTPException as exc:
        log.warning("DM to user %s failed: HTTP %s", user.id, exc.status)
        return False
    return True


async def show_card(interaction: discord.Interaction, card: discord.ui.LayoutView) -> None:
    """Replace the interaction's message with a V2 card. A message can opt into
    Components V2 on edit only with its content and embeds cleared, which matters for
    reports sent as embeds before V2:
    https://docs.discord.com/developers/components/reference"""
    await interaction.edit_original_response(
        content=None, embeds=[], view=card, allowed_mentions=NO_MENTIONS
    )


def thread_facts(channel: object) -> tuple[int | None, tuple[str, ...]]:
    """(parent id, forum tag names) for a thread; (None, ()) elsewhere."""
    if isinstance(channel, discord.Thread):
        return channel.parent_id, tuple(tag.name for tag in channel.applied_tags)
    return None, ()


def context_for(message: discord.Message, text: str | None = None) -> PostContext:
    parent_id, tags = thread_facts(message.channel)
    return PostContext(
        post_text=message.content if text is None else text,
        guild_id=message.guild.id if message.guild else None,
        channel_id=message.channel.id,
        parent_id=parent_id,
        post_message_id=message.id,
        post_author_id=message.author.id,
        tags=tags,
    )


async def fetch_message(bot: TouchstoneBot, channel_id: int, message_id: int) -> discord.Message:
    channel = bot.get_channel(channel_id)
    if channel is None:
        channel = await bot.fetch_channel(channel_id)
    if not isinstance(channel, discord.abc.Messageable):
        raise LookupError(f"channel {channel_id} holds no messages")
    return await channel.fetch_message(message_id)


async def find_user(bot: TouchstoneBot, user_id: int) -> discord.User:
    return bot.get_user(user_id) or await bot.fetch_user(user_id)


async def respond_in_channel(interaction: discord.Interaction, plan: PostPlan) -> discord.Message:
    """Where the bot isn't a member: the post button's own response, public, in the
    post's channel, naming its writer and linking the post. One follow-up, well
    within the five a user install gets per interaction."""
    link = post_link(plan.guild_id, plan.channel_id, plan.post_message_id)
    return await interaction.followup.send(
        embed=attributed_embed(interaction.user, plan.text, link),
        allowed_mentions=NO_MENTIONS,
        wait=True,
    )


async def publish(bot: TouchstoneBot, plan: PostPlan, author: discord.abc.User) -> discord.Message:
    """A bot reply to the original post, naming and picturing its writer."""
    assert plan.channel_id is not None
    channel = bot.get_partial_messageable(plan.channel_id, guild_id=plan.guild_id)
    reference = (
        discord.MessageReference(
            message_id=plan.post_message_id,
            channel_id=plan.channel_id,
            guild_id=plan.guild_id,
            fail_if_not_exists=False,
        )
        if plan.post_message_id is not None
        else None
    )
    return await channel.send(
        embed=attributed_embed(author, plan.text),
        reference=reference,  # type: ignore[arg-type]
        allowed_mentions=NO_MENTIONS,
    )
