"""The /ask answer card and its buttons, and what pressing them does in Discord.

The answer is a Components V2 card: one section per cited note with an "Open note"
button beside it, and the feedback buttons under it.

Each button is a :class:`discord.ui.DynamicItem` whose custom id carries only the
stored answer's id (``ts:ask:<id>:<action>``): the question itself is read back from
the database, so a button keeps working after a restart and a client cannot make it
act on text of its own. The rules (which note comes next, who may post a question)
are the domain's (:class:`bot.asking.AskService`); this module only acknowledges in
time, shows the result privately and posts in the help channel.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Any

import discord

from bot.asking import AskRefused, AskReply, SharePlan
from bot.asking.citations import SOURCES_HEADING, split_sources
from bot.asking.text import (
    ANOTHER_LABEL,
    SHARE_FAILED,
    SHARE_LABEL,
    SHARED_FOOTER,
    UNHELPFUL_LABEL,
    shared_done,
)
from bot.discord_adapter.acknowledging import acknowledge
from bot.discord_adapter.client import touchstone
from bot.discord_adapter.errors import message_for
from bot.discord_adapter.layouts import Block, Card, card_view
from bot.discord_adapter.messages import (
    EMBED_COLOUR,
    embeds_for,
    post_in_channel,
    respond,
    truncate,
)
from bot.guidance import Where
from bot.note_text import note_markdown
from bot.services import Services
from knowledge.answer import Citation
from knowledge.note import Note

log = logging.getLogger(__name__)

MODEL_FOOTER = "Answer written with a language model from these notes"
OPEN_NOTE_PREFIX = "ts:asknote"
OPEN_NOTE_LABEL = "Open note"
#: Cited notes shown as sections with a button (3 components each); the rest as text,
#: keeping a card well within Discord's 40 components.
MAX_NOTE_SECTIONS = 8


class AskAction(StrEnum):
    ANOTHER = "another"
    UNHELPFUL = "unhelpful"
    SHARE = "share"


_BUTTONS: dict[AskAction, tuple[str, discord.ButtonStyle]] = {
    AskAction.ANOTHER: (ANOTHER_LABEL, discord.ButtonStyle.secondary),
    AskAction.UNHELPFUL: (UNHELPFUL_LABEL, discord.ButtonStyle.secondary),
    AskAction.SHARE: (SHARE_LABEL, discord.ButtonStyle.primary),
}


class AskButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"ts:ask:(?P<answer>\d+):(?P<action>another|unhelpful|share)",
):
    """A button under an answer; the press is handled by :func:`on_press`."""

    def __init__(self, answer_id: int, action: AskAction) -> None:
        label, style = _BUTTONS[action]
        super().__init__(
            discord.ui.Button(label=label, style=style, custom_id=f"ts:ask:{answer_id}:{action}")
        )
        self.answer_id = answer_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[discord.Client],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> AskButton:
        return cls(int(match["answer"]), AskAction(match["action"]))

    async def callback(self, interaction: discord.Interaction[discord.Client]) -> None:
        services = touchstone(interaction).services
        await on_press(services, interaction, self.answer_id, self.action)


class OpenNoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"ts:asknote:(?P<note>[^:]{1,89})",
):
    """ "Open note" beside a cited note: shows the whole note, privately. The custom id
    carries the note's id, so it opens after a restart too; the note is looked up in
    the library of the server the button is pressed in, never trusted from the id."""

    def __init__(self, note_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=OPEN_NOTE_LABEL,
                style=discord.ButtonStyle.secondary,
                custom_id=f"{OPEN_NOTE_PREFIX}:{note_id}",
            )
        )
        self.note_id = note_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[discord.Client],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> OpenNoteButton:
        return cls(match["note"])

    async def callback(self, interaction: discord.Interaction[discord.Client]) -> None:
        services = touchstone(interaction).services
        await acknowledge(interaction)
        await services.knowledge_ready()
        note = services.knowledge.get_note(self.note_id, guild_id=interaction.guild_id)
        if note is None:
            await respond(interaction, "That note is no longer available.", ephemeral=True)
            return
        await respond(interaction, embeds=note_embeds(note), ephemeral=True)


def note_embeds(note: Note) -> list[discord.Embed]:
    """A whole note stays in embeds: up to 6,000 characters across ten of them, where
    a V2 message holds 4,000."""
    return embeds_for(note.title, note_markdown(note), footer=f"note {note.id}")


def feedback_buttons(answer_id: int) -> list[discord.ui.Item[Any]]:
    return [AskButton(answer_id, AskAction.ANOTHER), AskButton(answer_id, AskAction.UNHELPFUL)]


def reply_buttons(reply: AskReply) -> list[discord.ui.Item[Any]]:
    """Feedback under a note answer; under a kind reply, the offer to post (if any)."""
    if reply.answer_id is None:
        return []
    if reply.offers_feedback:
        return feedback_buttons(reply.answer_id)
    if reply.can_share:
        return [AskButton(reply.answer_id, AskAction.SHARE)]
    return []


def answer_layout(
    title: str,
    text: str,
    used_model: bool,
    citations: Sequence[Citation] = (),
    buttons: Sequence[discord.ui.Item[Any]] = (),
) -> discord.ui.LayoutView:
    """The answer as one V2 card: what it says, then one section per cited note with
    an "Open note" button beside it, then the answer's own buttons. The source lines
    are the answer's own (``split_sources``), as the console prints them."""
    body, cited = split_sources(text, citations)
    blocks = [Block(body)]
    if cited:
        blocks.append(Block(SOURCES_HEADING))
    for index, source in enumerate(cited):
        fits = index < MAX_NOTE_SECTIONS and len(source.note_id) <= 89 and ":" not in source.note_id
        blocks.append(Block(source.line, OpenNoteButton(source.note_id) if fits else None))
    card = Card(
        title=truncate(title, 200),
        blocks=blocks,
        footer=MODEL_FOOTER if used_model else "",
        buttons=list(buttons),
    )
    return card_view(card)


def where_of(interaction: discord.Interaction[Any]) -> Where:
    """Server metadata for the model's instructions (see :class:`bot.guidance.Where`)."""
    topic = getattr(interaction.channel, "topic", None)
    return Where(
        server_name=interaction.guild.name if interaction.guild else "",
        topic=topic if isinstance(topic, str) else None,
    )


async def on_press(
    services: Services, interaction: discord.Interaction[Any], answer_id: int, action: AskAction
) -> None:
    """Acknowledge at once (privately), then do what the button says."""
    handlers: dict[AskAction, Callable[[], Awaitable[None]]] = {
        AskAction.ANOTHER: lambda: _another(services, interaction, answer_id),
        AskAction.UNHELPFUL: lambda: _unhelpful(services, interaction, answer_id),
        AskAction.SHARE: lambda: _share(services, interaction, answer_id),
    }
    try:
        await acknowledge(interaction)
        await handlers[action]()
    except AskRefused as exc:
        await respond(interaction, str(exc), ephemeral=True)
    except Exception as exc:
        text, worth_logging = message_for(exc)
        if worth_logging:
            log.error("an /ask button (%s) failed", action.value, exc_info=exc)
        try:
            await respond(interaction, text, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not report a failed /ask button to user %s", interaction.user.id)


async def _another(
    services: Services, interaction: discord.Interaction[Any], answer_id: int
) -> None:
    await services.knowledge_ready()
    more = await services.asking.another(answer_id, interaction.user.id, where_of(interaction))
    if more.note_id is None:
        await respond(interaction, more.text, ephemeral=True)
        return
    card = answer_layout(
        more.question, more.text, more.used_model, more.citations, feedback_buttons(answer_id)
    )
    await respond(interaction, view=card, ephemeral=True)


async def _unhelpful(
    services: Services, interaction: discord.Interaction[Any], answer_id: int
) -> None:
    text = await services.asking.unhelpful(answer_id, interaction.user.id)
    await respond(interaction, text, ephemeral=True)


async def _share(services: Services, interaction: discord.Interaction[Any], answer_id: int) -> None:
    plan = await services.asking.plan_share(answer_id, interaction.user.id)
    try:
        message = await _publish(interaction, plan)
    except discord.DiscordException as exc:
        await services.asking.share_failed(plan)
        log.info("posting question %s for support failed: %s", answer_id, type(exc).__name__)
        await respond(interaction, SHARE_FAILED, ephemeral=True)
        return
    except BaseException:
        await services.asking.share_failed(plan)
        raise
    await services.asking.shared(plan, message.id)
    await respond(interaction, shared_done(f"<#{plan.channel_id}>"), ephemeral=True)


async def _publish(interaction: discord.Interaction[Any], plan: SharePlan) -> discord.Message:
    """The question in the help channel, in the asker's name and with their picture."""
    client = interaction.client
    channel = client.get_channel(plan.channel_id) or await client.fetch_channel(plan.channel_id)
    if (
        not isinstance(channel, discord.abc.GuildChannel | discord.Thread)
        or channel.guild.id != plan.guild_id
    ):
        # A mistyped id could name a channel of another server the bot is in: never
        # carry someone's question out of the server they asked it in.
        raise discord.InvalidData(f"channel {plan.channel_id} is not in server {plan.guild_id}")
    author = interaction.user
    name = truncate(author.display_name, 200)
    embed = discord.Embed(description=truncate(plan.question, 4096), colour=EMBED_COLOUR)
    embed.set_author(name=name, icon_url=author.display_avatar.url)
    embed.set_footer(text=SHARED_FOOTER.format(name=name))
    ping = plan.mentor_role_id if plan.ping_mentor_role else None
    return await post_in_channel(
        channel,
        plan.heading("discord"),
        embeds=[embed],
        thread_name=f"Support for {name}",
        ping_role_id=ping,
    )
