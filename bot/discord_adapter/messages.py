"""Outgoing-message hygiene: Discord's limits and mention safety, in one place.

Every reply goes through :func:`respond`, so no code path can forget to defer,
exceed 2,000 characters, or ping a role by echoing user text.
"""

from __future__ import annotations

import discord

MAX_CONTENT = 2000
MAX_EMBED_DESCRIPTION = 4096
MAX_EMBED_TITLE = 256
MAX_EMBEDS_TOTAL = 6000
NO_MENTIONS = discord.AllowedMentions.none()
EMBED_COLOUR = discord.Colour.from_rgb(88, 130, 120)


def split_text(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """Split text into pieces within ``limit``, preferring paragraph, line, then word breaks."""
    text = text.strip() or "(empty)"
    pieces: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    pieces.append(text)
    return pieces


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def embeds_for(title: str, text: str, footer: str | None = None) -> list[discord.Embed]:
    """Long text as a sequence of embeds that together respect every embed limit."""
    parts = split_text(text, MAX_EMBED_DESCRIPTION)
    embeds: list[discord.Embed] = []
    budget = MAX_EMBEDS_TOTAL
    for index, part in enumerate(parts[:10]):
        heading = truncate(title, MAX_EMBED_TITLE) if index == 0 else ""
        part = truncate(part, max(budget - len(heading) - 100, 1))
        embed = discord.Embed(title=heading or None, description=part, colour=EMBED_COLOUR)
        budget -= len(heading) + len(part)
        embeds.append(embed)
        if budget < 200:
            break
    if footer and embeds:
        embeds[-1].set_footer(text=truncate(footer, 2048))
    return embeds


async def respond(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embeds: list[discord.Embed] | None = None,
    ephemeral: bool = False,
    view: discord.ui.View | discord.ui.LayoutView | None = None,
    file: discord.File | None = None,
) -> None:
    """Answer an interaction whether or not it was already acknowledged.

    The first piece goes out as the response (or as a follow-up after a defer);
    long content continues in follow-ups, the view rides on the last piece, and
    mentions are never parsed. A Components V2 card (``LayoutView``) is the whole
    message: Discord refuses content or embeds beside it.
    """
    if isinstance(view, discord.ui.LayoutView):
        if content or embeds or file is not None:
            # Discord refuses content and embeds beside V2, and shows a file only when a
            # component references it: the card must carry everything itself.
            raise ValueError(
                "a Components V2 card carries its own text: no content, embeds or file"
            )
        await _send_card(interaction, view, ephemeral=ephemeral)
        return
    missing = discord.utils.MISSING
    pieces = split_text(content) if content else [""]
    last = len(pieces) - 1
    for index, piece in enumerate(pieces):
        piece_view = view if view is not None and index == last else missing
        piece_embeds = embeds[:10] if embeds and index == 0 else missing
        piece_file = file if file is not None and index == 0 else missing
        if index == 0 and not interaction.response.is_done():
            await interaction.response.send_message(
                piece or None,
                embeds=piece_embeds,
                ephemeral=ephemeral,
                view=piece_view,
                file=piece_file,
                allowed_mentions=NO_MENTIONS,
            )
        else:
            await interaction.followup.send(
                piece or missing,
                embeds=piece_embeds,
                ephemeral=ephemeral,
                view=piece_view,
                file=piece_file,
                allowed_mentions=NO_MENTIONS,
            )


async def _send_card(
    interaction: discord.Interaction, card: discord.ui.LayoutView, *, ephemeral: bool
) -> None:
    if not interaction.response.is_done():
        await interaction.response.send_message(
            view=card, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )
    else:
        await interaction.followup.send(
            view=card, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )


def mentions_for(role_id: int | None) -> discord.AllowedMentions:
    """No mentions at all, or exactly the one role a server chose to notify.

    The only place a ping is ever allowed: a server's mentor role, when moderators
    turned that on. Users, @everyone and every other role stay silent even if their
    mention appears in the text.
    """
    if role_id is None:
        return NO_MENTIONS
    return discord.AllowedMentions(
        everyone=False, users=False, roles=[discord.Object(id=role_id)], replied_user=False
    )


async def post_in_channel(
    channel: discord.abc.GuildChannel | discord.Thread,
    content: str,
    *,
    embeds: list[discord.Embed],
    thread_name: str,
    ping_role_id: int | None = None,
) -> discord.Message:
    """Post in a text channel or thread, or open a post in a forum; mentions as above."""
    allowed = mentions_for(ping_role_id)
    content = truncate(content, MAX_CONTENT)
    if isinstance(channel, discord.ForumChannel):
        created = await channel.create_thread(
            name=truncate(thread_name, 100),
            content=content,
            embeds=embeds[:10],
            allowed_mentions=allowed,
        )
        return created.message
    if not isinstance(channel, discord.abc.Messageable):
        raise discord.InvalidData(f"channel {channel.id} cannot hold messages")
    return await channel.send(content, embeds=embeds[:10], allowed_mentions=allowed)
