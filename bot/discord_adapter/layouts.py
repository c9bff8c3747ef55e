"""Components V2 cards: one container holding a heading, text blocks, small print and buttons.

Reports and answers used to be embeds with a separate row of buttons under them. A V2
card keeps the words and the buttons that act on them in one box, and a section can
put a button beside the block it belongs to (an "Open note" next to the note it
opens). The domain decides the words; this module only lays them out and keeps them
within Discord's V2 limits: at most 4,000 characters across a message's text displays
and 40 components (https://docs.discord.com/developers/components/reference).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.discord_adapter.messages import EMBED_COLOUR, truncate

TEXT_BUDGET = 4000
"""Characters Discord allows across all text displays of one message."""
BUTTONS_PER_ROW = 5
SHORTENED = "\n-# (shortened here to fit Discord)"


@dataclass
class Block:
    """A text block, optionally with one button beside it (a V2 section)."""

    text: str
    beside: discord.ui.Button[Any] | discord.ui.DynamicItem[Any] | None = None


@dataclass
class Card:
    """What a card shows, in order. ``buttons`` go in rows of five under the text."""

    title: str
    blocks: list[Block]
    footer: str = ""
    buttons: list[discord.ui.Item[Any]] = field(default_factory=list)
    colour: discord.Colour = EMBED_COLOUR
    #: Files sent with the card, shown in a media gallery under the text (a V2 message
    #: shows an attachment only where a component references it).
    images: list[str] = field(default_factory=list)


def fit(texts: Sequence[str], budget: int) -> list[str]:
    """Shorten the longest texts until all of them together fit ``budget`` characters.

    The longest text gives way first, so a short reason is never cut to make room for
    a long quote; a shortened text says so."""
    fitted = list(texts)
    while sum(len(t) for t in fitted) > budget:
        excess = sum(len(t) for t in fitted) - budget
        longest = max(range(len(fitted)), key=lambda i: len(fitted[i]))
        keep = max(len(fitted[longest]) - excess - len(SHORTENED), 1)
        shorter = truncate(fitted[longest], keep) + SHORTENED
        if len(shorter) >= len(fitted[longest]):
            break  # nothing left to cut: a budget this small is the caller's mistake
        fitted[longest] = shorter
    return fitted


def card_view(card: Card) -> discord.ui.LayoutView:
    """The card as a persistent (no timeout) layout view with one container."""
    heading = truncate(f"### {card.title}", 300)
    footer = truncate(f"-# {card.footer}", 300) if card.footer else ""
    fixed = len(heading) + len(footer)
    texts = fit([block.text or "\u200b" for block in card.blocks], TEXT_BUDGET - fixed)
    container: discord.ui.Container[Any] = discord.ui.Container(accent_colour=card.colour)
    container.add_item(discord.ui.TextDisplay(heading))
    for block, text in zip(card.blocks, texts, strict=True):
        if block.beside is not None:
            container.add_item(
                discord.ui.Section(discord.ui.TextDisplay(text), accessory=block.beside)
            )
        else:
            container.add_item(discord.ui.TextDisplay(text))
    if card.images:
        container.add_item(
            discord.ui.MediaGallery(
                *(discord.MediaGalleryItem(f"attachment://{name}") for name in card.images[:10])
            )
        )
    if footer:
        container.add_item(discord.ui.TextDisplay(footer))
    for start in range(0, len(card.buttons), BUTTONS_PER_ROW):
        if start == 0:
            container.add_item(discord.ui.Separator())
        container.add_item(discord.ui.ActionRow(*card.buttons[start : start + BUTTONS_PER_ROW]))
    view = discord.ui.LayoutView(timeout=None)
    view.add_item(container)
    return view


def first_text(message: discord.Message) -> str:
    """What a sent message says first: its content, or a V2 card's first text display.
    Checks for "was this sent before a kill?" compare it, so they recognise a card as
    well as plain text."""
    if message.content:
        return message.content
    stack: list[Any] = list(message.components)
    while stack:
        item = stack.pop(0)
        if isinstance(item, discord.components.TextDisplay):
            return item.content
        stack[:0] = list(getattr(item, "children", None) or [])
    return ""
