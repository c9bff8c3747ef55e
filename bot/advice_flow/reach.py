"""Where the bot is not a member of the server: what changes in the advice flow.

A person who installed Touchstone to their own account (a user install) can use
"Reply with care" in any server, including servers whose moderators never added the
bot. There the bot cannot read the channel, cannot send a message of its own, and no
moderator configured anything. These rules say what the flow does instead, so the
Discord cog only has to follow them (and the console and tests can check them):

* the post's text comes from the interaction (a message command's target arrives with
  its content even without the Message Content intent; Discord's gateway page lists
  that exception), and when none arrived the writer pastes it into the form;
* the reply is published as the post button's own interaction response, in the
  channel where the button was pressed, attributed to its writer; a bot message there
  is impossible;
* the server has no configuration to apply, so the defaults apply (the same personal
  defaults a DM gets); watch mode never runs there, since no message events arrive.
"""

from __future__ import annotations

from enum import StrEnum

from bot.advice_flow.model import PostContext


class Delivery(StrEnum):
    """How a reply reaches the channel."""

    #: A bot message replying to the post (the bot is a member of the server, or a DM).
    BOT_REPLY = "bot-reply"
    #: The post button's own interaction response in that channel (user install only).
    INTERACTION = "interaction"


def delivery_for(context: PostContext) -> Delivery:
    """Bot members reply as the bot; elsewhere only the interaction can speak."""
    return Delivery.BOT_REPLY if context.bot_present else Delivery.INTERACTION


def config_guild(context: PostContext) -> int | None:
    """The server whose configuration applies: none where the bot is not a member.

    Moderators there never installed Touchstone, so nothing they configured (even if
    the bot was there once) speaks for them now; the writer gets the defaults.
    """
    return context.guild_id if context.bot_present else None


def needs_pasted_post(bot_present: bool, known_post_text: str | None) -> bool:
    """Whether the form must ask the writer to paste the post they are answering.

    Only where the bot cannot fetch the post itself (not a member) and nothing arrived
    with the interaction: a /advise link, or a post with no text of its own.
    """
    return not bot_present and not (known_post_text or "").strip()


def may_publish_here(context: PostContext, channel_id: int | None) -> bool:
    """An interaction response lands where the button was pressed: it must be the
    post's channel (a report sent to the writer's DMs after a restart cannot post)."""
    if delivery_for(context) is Delivery.BOT_REPLY:
        return True
    return channel_id is not None and channel_id == context.channel_id


NOT_HERE = (
    "Touchstone is not a member of that server, so it can only post your reply from the "
    "channel of the post: use Reply with care on the post again to publish it."
)


def post_link(guild_id: int | None, channel_id: int | None, message_id: int | None) -> str | None:
    """A link to the post being answered (an interaction response cannot be a reply)."""
    if channel_id is None or message_id is None:
        return None
    where = guild_id if guild_id is not None else "@me"
    return f"https://discord.com/channels/{where}/{channel_id}/{message_id}"
