"""/ask's buttons and the kind reply, through the fake Discord with the real bot process.

"Show another note" and "That didn't help" work, also on an answer given by a process
that was replaced since (the buttons carry only the stored answer's id); a question
that shows distress gets people instead of a note; when the server has a help channel,
the asker's click posts their question there, in their name, notifying only the
mentor role the server chose.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import StartBot
from tests.e2e.members import club_member
from tests.e2e.test_config import Moderator
from tests.fakediscord.components_v2 import texts, walk
from tests.fakediscord.interactions import FakeInteraction, InteractionResponse
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import ChannelType, User
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
TIMEOUT = 30.0
QUESTION = "how do I practise every day?"
HURTING = "i feel so stupid compared to everyone in my lab"
CRISIS = "i can't cope anymore and i want to kill myself"


def text_of(response: InteractionResponse) -> str:
    parts = [response.content or ""]
    parts += [f"{e.get('title', '')}\n{e.get('description', '')}" for e in response.embeds]
    parts += texts(response.components)
    return "\n".join(parts)


def buttons(response: InteractionResponse) -> dict[str, str]:
    """Label -> custom id of every button on a message (rows, containers, sections)."""
    return {c["label"]: c["custom_id"] for c in walk(response.components) if c.get("type") == 2}


def sources(text: str) -> list[str]:
    """The titles in an answer's sources list, in order."""
    return re.findall(r"^\[\d+\] (.+?)(?: — |$)", text, flags=re.MULTILINE)


async def asked(fake: FakeDiscord, club: PracticeClub, question: str) -> FakeInteraction:
    """An /ask acknowledged within Discord's 3 seconds and answered once."""
    interaction = await club_member(fake, club).run("/ask", question=question)
    await interaction.first_response(timeout=3)
    (answer,) = await interaction.wait_for_followups(1, timeout=TIMEOUT)
    assert answer.message_id is not None
    return interaction


async def ask(fake: FakeDiscord, club: PracticeClub, question: str) -> InteractionResponse:
    (answer,) = (await asked(fake, club, question)).followups
    return answer


async def press(
    fake: FakeDiscord, message: InteractionResponse, label: str, user: User | int
) -> tuple[FakeInteraction, InteractionResponse]:
    assert message.message_id is not None
    click = await fake.send_component(message.message_id, buttons(message)[label], user_id=user)
    first = await click.first_response(timeout=3)
    assert click.deferred and first.ephemeral, "acknowledged at once, privately"
    (reply,) = await click.wait_for_followups(1, timeout=TIMEOUT)
    assert reply.ephemeral and reply.allowed_mentions == {"parse": []}
    return click, reply


async def test_another_note_and_didnt_help_work_and_survive_a_restart(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club = fake_discord, practice_club
    data_dir = tmp_path / "data"
    bot = await start_bot(data_dir=data_dir)

    answer = await ask(fake, club, QUESTION)
    assert set(buttons(answer)) == {"Show another note", "That didn't help", "Open note"}
    shown = sources(text_of(answer))
    assert shown

    _, more = await press(fake, answer, "Show another note", club.member)
    (first_more,) = sources(text_of(more))
    assert first_more not in shown and "[1]" in text_of(more)
    assert QUESTION in text_of(more), "the follow-up says which question it answers"
    assert set(buttons(more)) == {"Show another note", "That didn't help", "Open note"}

    # A new process: the same buttons on the same old message still work.
    await bot.stop()
    bot = await start_bot(data_dir=data_dir)
    _, after = await press(fake, answer, "Show another note", club.member)
    (second_more,) = sources(text_of(after))
    assert second_more not in {*shown, first_more}, "never a note this person has seen"

    _, thanks = await press(fake, answer, "That didn't help", club.member)
    assert "recorded" in text_of(thanks) and "/techniques" in text_of(thanks)
    assert "Traceback" not in bot.log

    # Moderators see it per note, and export it as evaluation data.
    mod = Moderator(fake, club)
    summary = await mod.text("feedback")
    assert "3 presses on 1 answer" in summary
    assert f"{shown[0]} (" in summary and "1 didn't help, 1 asked for another" in summary
    (file,) = (await mod.run("feedback-export")).files
    assert file.filename.endswith(".jsonl")
    rows = [json.loads(line) for line in file.data.decode().splitlines()]
    assert [r["action"] for r in rows] == ["another", "another", "unhelpful"]
    assert all(r["question"] == QUESTION for r in rows)
    assert len(rows[2]["shown_notes"]) == len(shown) + 2
    assert str(club.member.id) not in file.data.decode()

    refused = await club_member(fake, club).run("/config feedback-export")
    refusal = await refused.first_response(timeout=3)
    assert refusal.ephemeral and "moderators" in (refusal.content or "") and not refusal.files


async def test_distress_gets_a_kind_reply_that_points_to_people(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    await start_bot()
    hurting = await asked(fake, club, HURTING)
    (answer,) = hurting.followups
    text = text_of(answer)
    assert answer.ephemeral, "the kind reply is for the asker's eyes, though not asked private"
    assert hurting.original_message_id is not None
    placeholder = fake.world.messages[hurting.original_message_id]
    assert placeholder.deleted, "the public 'thinking…' placeholder is taken back"
    assert "You're not alone" in text and "someone you trust" in text
    assert "[1]" not in text and "Sources" not in text, "no technique note"
    assert "emergency" not in text
    assert buttons(answer) == {}, "no help channel configured: nothing to press"

    crisis = text_of(await ask(fake, club, CRISIS))
    assert "local emergency services or a crisis line" in crisis

    practice = await ask(fake, club, "this bug is killing me, how do I stay focused?")
    assert "You're not alone" not in text_of(practice) and "[1]" in text_of(practice)
    assert not practice.ephemeral


async def test_the_asker_can_post_their_question_in_the_help_channel(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    support = fake.add_channel(club.guild, "support", ChannelType.GUILD_TEXT)
    mentors = fake.add_role(club.guild, "Mentors")
    await start_bot()
    mod = Moderator(fake, club)
    await mod.text("set", key="care.help_channel_id", value=f"<#{support.id}>")
    await mod.text("set", key="care.mentor_role_id", value=f"<@&{mentors.id}>")
    await mod.text("set", key="care.ping_mentor_role", value="on")
    assert "care.help_channel_id" in await mod.text("history")

    answer = await ask(fake, club, HURTING)
    text = text_of(answer)
    assert f"<#{support.id}>" in text and f"<@&{mentors.id}>" in text
    assert answer.allowed_mentions == {"parse": []}, "the reply itself pings nobody"
    assert set(buttons(answer)) == {"Post my question for support"}

    _, refused = await press(fake, answer, "Post my question for support", club.moderator)
    assert "Only the person who asked" in text_of(refused)
    assert fake.messages_in(support) == []

    _, done = await press(fake, answer, "Post my question for support", club.member)
    assert "Posted in" in text_of(done)
    (posted,) = fake.messages_in(support)
    (embed,) = posted.embeds
    assert embed["description"] == HURTING
    assert embed["author"]["name"] == "Pat Member" and "Pat Member" in embed["footer"]["text"]
    assert posted.content.startswith(f"<@&{mentors.id}>")
    allowed = posted.request.get("allowed_mentions") or {}
    assert allowed.get("parse") == [] and [int(r) for r in allowed.get("roles", [])] == [mentors.id]
    assert posted.mention_roles == [mentors.id] and posted.mentions == []

    _, again = await press(fake, answer, "Post my question for support", club.member)
    assert "already posted" in text_of(again)
    assert len(fake.messages_in(support)) == 1


async def test_a_help_forum_gets_a_post_that_notifies_nobody_unless_asked_to(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    mentors = fake.add_role(club.guild, "Mentors")
    await start_bot()
    mod = Moderator(fake, club)
    await mod.text("set", key="care.help_channel_id", value=f"<#{club.help.id}>")
    await mod.text("set", key="care.mentor_role_id", value=f"<@&{mentors.id}>")

    answer = await ask(fake, club, HURTING)
    _, done = await press(fake, answer, "Post my question for support", club.member)
    assert "Posted in" in text_of(done)
    (thread,) = [t for t in fake.world.guild_threads(club.guild.id) if t.parent_id == club.help.id]
    assert "Pat Member" in (thread.name or "")
    (posted,) = fake.messages_in(thread)
    assert posted.embeds[0]["description"] == HURTING
    assert posted.mention_roles == [] and posted.mentions == [], "pinging was not turned on"


async def test_a_question_never_leaves_the_server_it_was_asked_in(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    elsewhere = fake.add_guild("Other Club", fake.add_user("other_owner"))
    their_channel = fake.add_channel(elsewhere, "support", ChannelType.GUILD_TEXT)
    await start_bot()
    # A mistyped id that happens to be a channel of another server the bot is in.
    await Moderator(fake, club).text("set", key="care.help_channel_id", value=str(their_channel.id))

    answer = await ask(fake, club, HURTING)
    _, failed = await press(fake, answer, "Post my question for support", club.member)
    assert "couldn't post" in text_of(failed) and "Nothing was posted" in text_of(failed)
    assert fake.messages_in(their_channel) == []
