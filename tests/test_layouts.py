"""V2 cards stay within Discord's limits whatever the domain hands them.

Discord refuses a Components V2 message over 4,000 characters of text or 40
components (the fake Discord enforces the same; see tests/fakediscord/components_v2.py).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import discord

from bot.dialogues.model import Choice, Prompt
from bot.discord_adapter.ask_views import MAX_NOTE_SECTIONS, answer_layout
from bot.discord_adapter.dialogue_views import prompt_card
from bot.discord_adapter.dm_delivery import as_card, outgoing_card
from bot.discord_adapter.layouts import SHORTENED, TEXT_BUDGET, Block, Card, card_view, fit
from bot.scheduling import Attachment, OutgoingMessage
from knowledge.answer import Citation
from tests.fakediscord.components_v2 import (
    MEDIA_GALLERY,
    count_components,
    text_display_total,
    walk,
)


def payload(view: discord.ui.LayoutView) -> list[dict[str, Any]]:
    """The components JSON discord.py sends for a view."""
    sent: list[dict[str, Any]] = view.to_components()  # type: ignore[no-untyped-call]
    return sent


def test_the_longest_text_gives_way_first_and_says_so() -> None:
    short, long = "a short reason", "x" * 5000
    fitted = fit([short, long], 1000)
    assert fitted[0] == short
    assert fitted[1].endswith(SHORTENED) and sum(len(t) for t in fitted) <= 1000


def test_a_card_of_long_blocks_keeps_to_four_thousand_characters() -> None:
    card = Card(title="Report", blocks=[Block("y" * 3000), Block("z" * 3000)], footer="draft 1")
    components = payload(card_view(card))
    assert text_display_total(components) <= TEXT_BUDGET


def test_an_answer_citing_many_notes_stays_within_forty_components() -> None:
    citations = [Citation(n, f"note-{n}", f"Note {n}") for n in range(1, 16)]
    text = "An answer.\n\n**Sources**\n" + "\n".join(c.line() for c in citations)
    buttons: list[discord.ui.Item[discord.ui.LayoutView]] = [
        discord.ui.Button(label="More", custom_id="more")
    ]
    components = payload(answer_layout("Q?", text, False, citations, buttons))
    assert count_components(components) <= 40
    sections = [c for c in components[0]["components"] if c["type"] == 9]
    assert len(sections) == MAX_NOTE_SECTIONS


def test_a_budget_too_small_for_any_text_ends_instead_of_looping() -> None:
    fitted = fit(["a" * 50, "b" * 50], 10)
    assert all(t.endswith(SHORTENED) for t in fitted)


def test_a_review_card_shows_its_chart_in_a_gallery_and_a_long_one_stays_in_embeds() -> None:
    chart = Attachment("practice-week-2026-03-29.png", b"\x89PNG")
    review = OutgoingMessage(
        text="20 minutes on 3 days.", title="Your week", attachments=(chart,), card=True
    )
    assert as_card(review)
    components = payload(outgoing_card(review))
    (gallery,) = [c for c in walk(components) if c["type"] == MEDIA_GALLERY]
    assert [i["media"]["url"] for i in gallery["items"]] == [f"attachment://{chart.filename}"]
    # Cutting a long review to fit a card would lose words: it goes out in embeds instead.
    assert not as_card(dataclasses.replace(review, text="w" * TEXT_BUDGET))
    assert not as_card(dataclasses.replace(review, card=False))


def test_a_prompt_with_twenty_choices_stays_within_forty_components() -> None:
    choices = tuple(Choice(f"c{n}", f"Choice {n}") for n in range(25))
    prompt = Prompt(
        key="pick", text="Which?", seats=("a",), choices=choices, free_text=True, long=True
    )
    components = payload(prompt_card(7, prompt, "Which one?"))
    assert count_components(components) <= 40
    labels = [c.get("label") for c in walk(components) if c["type"] == 2]
    assert len(labels) == 21 and labels[-1] == "Write a long answer"
