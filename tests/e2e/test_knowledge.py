"""Guidance through the fake Discord: /ask with citations, server notes scoped to their server."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import StartBot
from tests.e2e.members import Member, club_member
from tests.fakediscord.components_v2 import texts
from tests.fakediscord.interactions import InteractionResponse
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import Channel, ChannelType, Guild, User
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e

SERVER_NOTE = """---
id: kiln-logbook
title: The Kiln Logbook
kind: technique
tags: [practice, feedback]
source: {title: "Practice Club pottery notes", author: "Club Owner", date: "2026-11"}
summary: Write every firing's glaze, cone and result in one logbook so each kiln load teaches you something.
when_to_use: When your pottery glazes come out of the kiln differently each time and you can't tell why.
five_minute_version: Open the logbook and record the last firing's glaze, cone and what surprised you.
steps: ["Record glaze and cone before firing", "Photograph the result", "Write one lesson"]
---
## What it is
A potter's kiln logbook turns every firing into feedback about glazes.
"""
KILN_QUESTION = (
    "my pottery glazes come out of the kiln different every firing, how do I learn from it?"
)


def answer_text(response: InteractionResponse) -> str:
    """An answer's words: embed titles and descriptions, or its V2 text displays."""
    embeds = response.embeds
    shown = [str(e.get("title", "")) + "\n" + str(e.get("description", "")) for e in embeds]
    return "\n".join(shown + texts(response.components))


async def ask(
    fake: FakeDiscord, guild: Guild | int, channel: Channel | int, user: User | int, question: str
) -> str:
    interaction = await Member(fake, guild, channel, user).run("/ask", question=question)
    first = await interaction.first_response(timeout=3)
    assert interaction.rejections == []
    shown = first.embeds or first.components
    responses = [first] if shown else await interaction.wait_for_followups(1, timeout=30)
    return answer_text(responses[-1])


async def test_ask_answers_with_numbered_citations_within_the_deadline(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    await start_bot()
    club = practice_club
    interaction = await club_member(fake_discord, club).run(
        "/ask",
        question="I keep putting off my first experiment because setting up the cluster is a pain",
    )
    first = await interaction.first_response(timeout=3)
    assert first.callback_type is not None and interaction.deferred
    (followup,) = await interaction.wait_for_followups(1, timeout=30)
    text = answer_text(followup)
    assert "[1]" in text and "Sources" in text
    cited = set(re.findall(r"\[(\d)\]", text))
    assert cited and cited <= {"1", "2", "3"}
    assert followup.allowed_mentions == {"parse": []}
    assert not followup.ephemeral


async def test_private_ask_is_ephemeral(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    await start_bot()
    club = practice_club
    interaction = await club_member(fake_discord, club).run(
        "/ask", question="how do I practise every day?", private=True
    )
    await interaction.first_response(timeout=3)
    (followup,) = await interaction.wait_for_followups(1, timeout=30)
    assert followup.ephemeral


async def test_a_moderators_note_is_retrievable_in_that_server_only(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    club = practice_club
    other_owner = fake_discord.add_user("other_owner")
    other = fake_discord.add_guild("Other Club", other_owner)
    other_general = fake_discord.add_channel(other, "general", ChannelType.GUILD_TEXT)
    await start_bot()

    added = await club_member(fake_discord, club, club.manager).run(
        "/knowledge add", file=("kiln-logbook.md", SERVER_NOTE.encode())
    )
    await added.first_response(timeout=3)
    (confirmation,) = await added.wait_for_followups(1, timeout=30)
    assert "The Kiln Logbook" in (confirmation.content or "")
    assert confirmation.ephemeral

    here = await ask(fake_discord, club.guild, club.general, club.member, KILN_QUESTION)
    assert "The Kiln Logbook" in here
    elsewhere = await ask(fake_discord, other, other_general, other_owner, KILN_QUESTION)
    assert "Kiln Logbook" not in elsewhere

    listed = await club_member(fake_discord, club).run("/knowledge list")
    await listed.first_response(timeout=3)
    assert "kiln-logbook" in answer_text(listed.responses[-1])


async def test_a_plain_member_cannot_add_notes(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    await start_bot()
    club = practice_club
    attempt = await club_member(fake_discord, club).run(
        "/knowledge add", file=("kiln-logbook.md", SERVER_NOTE.encode())
    )
    refusal = await attempt.first_response(timeout=3)
    assert refusal.ephemeral and "moderators" in (refusal.content or "")
    assert "Kiln Logbook" not in await ask(
        fake_discord, club.guild, club.general, club.member, KILN_QUESTION
    )


async def test_a_note_from_the_form_and_a_bad_note_with_its_field_named(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    await start_bot()
    club = practice_club
    bad = await club_member(fake_discord, club, club.owner).run(
        "/knowledge add",
        file=("broken.md", SERVER_NOTE.replace("kind: technique", "kind: recipe").encode()),
    )
    await bad.first_response(timeout=3)
    (report,) = await bad.wait_for_followups(1, timeout=30)
    assert "kind" in (report.content or "") and "not added" in (report.content or "")

    opened = await club_member(fake_discord, club, club.owner).run("/knowledge add")
    modal = (await opened.first_response(timeout=3)).data
    assert opened.modal is not None
    submitted = await fake_discord.send_modal_submit(
        modal["custom_id"],
        {
            "note_title": "Warm-up scales",
            "summary": "Play two scales slowly before every session.",
            "five_minute": "Play one scale at half speed.",
            "steps": "Pick a scale\nPlay it at half speed",
            "body": "Warming up prevents sloppy habits.",
        },
        guild_id=club.guild.id,
        channel_id=club.general.id,
        user_id=club.owner.id,
    )
    await submitted.first_response(timeout=3)
    (saved,) = await submitted.wait_for_followups(1, timeout=30)
    assert "Warm-up scales" in (saved.content or "") and "warm-up-scales" in (saved.content or "")
