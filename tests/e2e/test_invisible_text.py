"""Issue 13 #12: text made only of invisible characters is refused, with a message.

Zero-width spaces, joiners and a byte order mark are not whitespace to ``str.strip``;
before the fix they became invisible obstacles in a dialogue and an invisible reply
that "looks good to post".
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.harness import BotProcess
from tests.e2e.members import club_member
from tests.e2e.test_dialogues import said
from tests.fakediscord.components_v2 import texts
from tests.fakediscord.interactions import FakeInteraction
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import Message
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
TIMEOUT = 20.0
INVISIBLE = "\u200b\u200b\n\u200d\u200c\n\ufeff\u2060"
REFUSAL = "invisible characters"


def bot_messages(fake: FakeDiscord, channel: int) -> list[Message]:
    return [m for m in fake.messages_in(channel) if m.author_id == fake.bot_user.id]


async def bot_says(fake: FakeDiscord, channel: int, fragment: str) -> Message:
    def found() -> Message | None:
        return next((m for m in bot_messages(fake, channel) if fragment in said(m)), None)

    message: Message = await fake.wait_for(found, TIMEOUT, f"the bot to say {fragment!r}")
    return message


def everything_said(interaction: FakeInteraction, fake: FakeDiscord) -> str:
    parts: list[str] = []
    for response in [interaction.callback, *interaction.edits, *interaction.followups]:
        if response is None:
            continue
        parts.append(response.content or "")
        parts += [f"{e.get('title', '')}\n{e.get('description', '')}" for e in response.embeds]
        parts += texts(response.components)
    if interaction.original_message_id is not None:
        original = fake.world.message(interaction.original_message_id)
        parts.append(original.content)
        parts += [f"{e.get('title', '')}\n{e.get('description', '')}" for e in original.embeds]
        parts += texts(original.components)
    return "\n".join(parts)


async def test_invisible_reasons_are_refused_and_not_recorded(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    started = await club_member(fake, club).run("/impossible", goal="Write a novel this year")
    reply = await started.wait_for_followups(1, timeout=TIMEOUT)
    match = re.search(r"<#(\d+)>", reply[-1].content or "")
    assert match, reply[-1].content
    thread = int(match.group(1))
    await bot_says(fake, thread, "How likely")
    await fake.send_message(thread, club.member, "25%")
    await bot_says(fake, thread, "List every reason")

    await fake.send_message(thread, club.member, INVISIBLE)
    refusal = await bot_says(fake, thread, REFUSAL)
    assert "reasons noted" not in "\n".join(m.content for m in bot_messages(fake, thread))
    assert refusal.content

    await fake.send_message(thread, club.member, "I have no time\n\u200b\nI can't write well")
    noted = await bot_says(fake, thread, "reasons noted")
    assert noted.content.startswith("2 reasons noted"), noted.content


async def test_an_invisible_reply_with_care_is_refused(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    post = await fake.send_message(club.general, club.member, "I started running again today!")
    opened = await fake.send_message_command(club.moderator, "Reply with care", post)
    await opened.first_response(timeout=3)
    assert opened.modal is not None
    submitted = await fake.send_modal_submit(opened.modal["custom_id"], {"reply": INVISIBLE})
    await submitted.first_response(timeout=3)

    said = await fake.wait_for(
        lambda: (text := everything_said(submitted, fake)) and REFUSAL in text and text,
        TIMEOUT,
        "the refusal",
    )
    assert "looks good" not in said
