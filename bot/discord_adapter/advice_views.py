"""What the advice flow looks like in Discord: report cards, buttons, the draft form.

A report is a Components V2 card (``layouts``) with its buttons inside; the reply
published in the channel stays an embed, because only an embed author line shows the
writer's name and avatar above words that aren't the bot's. Buttons are :class:`discord.ui.DynamicItem` with the draft id in the custom id, so a
report keeps working after a restart; the form's submissions are handled by custom id
in the cog for the same reason (a modal object does not survive a restart).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from enum import StrEnum
from typing import Any, Protocol

import discord

from bot.advice_flow import Draft, DraftStatus
from bot.advice_flow.links import STATED_INTENTS
from bot.advice_flow.model import MAX_DRAFT_CHARS
from bot.advice_flow.text import (
    ATTRIBUTION,
    quote,
    report_footer,
    report_parts,
    report_title,
)
from bot.discord_adapter.client import touchstone
from bot.discord_adapter.layouts import Block, Card, card_view
from bot.discord_adapter.messages import EMBED_COLOUR, truncate

BUTTON_PREFIX = "ts:adv"
MODAL_PREFIX = "ts:advm"
REPLY_FIELD = "reply"
POST_FIELD = "post"
INTENT_FIELD = "intent"
FLAGGED_COLOUR = discord.Colour.from_rgb(214, 160, 60)


class Action(StrEnum):
    POST = "post"
    GENTLE = "gentle"
    EDIT = "edit"
    CANCEL = "cancel"
    MISTAKE = "mistake"


_LABELS: dict[Action, tuple[str, discord.ButtonStyle]] = {
    Action.POST: ("Post as written", discord.ButtonStyle.secondary),
    Action.GENTLE: ("Post the gentler version", discord.ButtonStyle.primary),
    Action.EDIT: ("Edit again", discord.ButtonStyle.secondary),
    Action.CANCEL: ("Cancel", discord.ButtonStyle.secondary),
    Action.MISTAKE: ("This was a mistake", discord.ButtonStyle.danger),
}


class AdvicePress(Protocol):
    """What a report button press calls (the Advice cog's ``on_button``)."""

    def __call__(
        self, interaction: discord.Interaction[Any], draft_id: int, action: Action, /
    ) -> Awaitable[None]: ...


class AdviceButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"ts:adv:(?P<draft>\d+):(?P<action>post|gentle|edit|cancel|mistake)",
):
    """A report button; the Advice cog decides what a press means."""

    def __init__(self, draft_id: int, action: Action, label: str | None = None) -> None:
        default_label, style = _LABELS[action]
        super().__init__(
            discord.ui.Button(
                label=label or default_label,
                style=style,
                custom_id=f"{BUTTON_PREFIX}:{draft_id}:{action.value}",
            )
        )
        self.draft_id = draft_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[discord.Client],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> AdviceButton:
        return cls(int(match["draft"]), Action(match["action"]))

    async def callback(self, interaction: discord.Interaction[discord.Client]) -> None:
        press = touchstone(interaction).advice_press
        if press is not None:
            await press(interaction, self.draft_id, self.action)


def report_buttons(draft: Draft, *, watched: bool = False) -> list[discord.ui.Item[Any]]:
    """The buttons that make sense for a draft in its current state."""
    actions: list[tuple[Action, str | None]] = []
    if draft.status is DraftStatus.WATCHED:
        actions = [(Action.MISTAKE, None)] if draft.flagged else []
    elif draft.status is DraftStatus.CANCELLED:
        actions = [(Action.EDIT, None)]
    elif draft.is_open:
        if draft.offers_gentler:
            actions.append((Action.GENTLE, None))
            actions.append((Action.POST, None))
        else:
            actions.append((Action.POST, "Post" if not draft.flagged else None))
        actions.append((Action.EDIT, None))
        if draft.status is DraftStatus.DRAFT and not watched:
            actions.append((Action.CANCEL, None))
        if draft.flagged:
            actions.append((Action.MISTAKE, None))
    return [AdviceButton(draft.id, action, label) for action, label in actions]


def report_layout(
    draft: Draft,
    note: str = "",
    *,
    watched: bool = False,
    intro: str = "",
    title: str | None = None,
) -> discord.ui.LayoutView:
    """The report as one V2 container: title, the report's parts (quoted sentences and
    reasons, the gentler version), an optional intro and closing note, the draft's
    small print and its buttons. The words come from ``report_parts``, as in the console.
    """
    blocks = [Block(intro)] if intro else []
    blocks += [Block(part.markdown) for part in report_parts(draft)]
    if note:
        blocks.append(Block(note))
    card = Card(
        title=title or report_title(draft),
        blocks=blocks,
        footer=report_footer(draft),
        buttons=report_buttons(draft, watched=watched),
        colour=FLAGGED_COLOUR if draft.flagged else EMBED_COLOUR,
    )
    return card_view(card)


def cancelled_layout(draft: Draft) -> discord.ui.LayoutView:
    return card_view(
        Card(
            title="Cancelled: nothing was posted",
            blocks=[Block("Your draft is kept, here it is:\n" + quote(draft.text))],
            footer=f"draft {draft.id} · Edit again to reopen it",
            buttons=report_buttons(draft),
        )
    )


def posted_layout(draft_id: int, jump_url: str | None) -> discord.ui.LayoutView:
    where = f" [See it in the channel]({jump_url})" if jump_url else ""
    return card_view(
        Card(
            title="Posted",
            blocks=[Block(f"Your reply is in the channel.{where}")],
            footer=f"draft {draft_id}",
        )
    )


def attributed_embed(
    author: discord.abc.User, text: str, replying_to: str | None = None
) -> discord.Embed:
    """The published reply: the writer's name and avatar on top, their words as written.

    ``replying_to`` links the post where the reply cannot be a Discord reply (an
    interaction response, where the bot is not a member of the server).
    """
    name = truncate(author.display_name, 200)
    embed = discord.Embed(description=text[:4096], colour=EMBED_COLOUR)
    embed.set_author(name=name, icon_url=author.display_avatar.url)
    if replying_to:
        embed.add_field(name="Replying to", value=f"[this post]({replying_to})", inline=False)
    embed.set_footer(text=ATTRIBUTION.format(name=name))
    return embed


def new_modal_id(channel_id: int, message_id: int) -> str:
    return f"{MODAL_PREFIX}:new:{channel_id}:{message_id}"


def edit_modal_id(draft_id: int) -> str:
    return f"{MODAL_PREFIX}:edit:{draft_id}"


MODAL_ID = re.compile(r"ts:advm:(?:new:(?P<channel>\d+):(?P<message>\d+)|edit:(?P<draft>\d+))")


class DraftForm(discord.ui.Modal):
    """The draft reply form. Its submission is handled by custom id in the cog."""

    reply: discord.ui.TextInput[DraftForm] = discord.ui.TextInput(
        label="Your reply",
        style=discord.TextStyle.paragraph,
        max_length=MAX_DRAFT_CHARS,
        custom_id=REPLY_FIELD,
        placeholder="Write your reply; Touchstone checks it before anything is posted.",
    )

    def __init__(
        self,
        custom_id: str,
        title: str,
        default: str | None = None,
        *,
        ask_for_post: bool = False,
        ask_intent: bool = False,
    ) -> None:
        super().__init__(title=title, custom_id=custom_id, timeout=900)
        if default:
            self.reply.default = default[:MAX_DRAFT_CHARS]
        if ask_for_post:
            # Where Touchstone can't read the channel, the check needs the post's words.
            self.remove_item(self.reply)
            self.add_item(
                discord.ui.TextInput(
                    label="The post you are answering (paste it)",
                    style=discord.TextStyle.paragraph,
                    max_length=MAX_DRAFT_CHARS,
                    custom_id=POST_FIELD,
                    placeholder="Touchstone isn't in this server, so it can't read the post.",
                )
            )
            self.add_item(self.reply)
        if ask_intent:
            # The writer knows what the poster asked for; the check uses it unless a
            # forum tag a moderator mapped says otherwise. Optional: "not sure" or no
            # answer lets the check read the post.
            said: discord.ui.RadioGroup[DraftForm] = discord.ui.RadioGroup(
                custom_id=INTENT_FIELD,
                options=[
                    discord.RadioGroupOption(label=label, value=value)
                    for value, label in STATED_INTENTS
                ],
                required=False,
            )
            self.add_item(discord.ui.Label(text="What did they ask for?", component=said))

    async def on_submit(self, interaction: discord.Interaction[discord.Client]) -> None:
        """Handled by ``Advice.on_interaction``, which also works after a restart."""
        return


def submitted_reply(data: object, field: str = REPLY_FIELD) -> str | None:
    """A field (the reply by default) of a modal submission, whatever the nesting."""
    if isinstance(data, dict):
        if data.get("custom_id") == field and isinstance(data.get("value"), str):
            return str(data["value"])
        for value in data.values():
            found = submitted_reply(value, field)
            if found is not None:
                return found
    elif isinstance(data, list):
        for item in data:
            found = submitted_reply(item, field)
            if found is not None:
                return found
    return None
