"""Dialogues end to end: the real bot process, the fake Discord, typed answers, buttons,
forms, a kill -9 in the middle, and the summaries with their images."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.e2e.conftest import StartBot
from tests.e2e.members import club_member
from tests.fakediscord.components_v2 import MESSAGE_FLAG_IS_COMPONENTS_V2, texts, walk
from tests.fakediscord.interactions import FakeInteraction
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import Message
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
TIMEOUT = 20.0


def said(message: Message) -> str:
    """What a message says: its content, or a V2 card's text (prompts are cards)."""
    return "\n".join([message.content, *texts(message.components)]).strip()


def bot_messages(fake: FakeDiscord, channel: int) -> list[Message]:
    return [m for m in fake.messages_in(channel) if m.author_id == fake.bot_user.id]


async def bot_says(fake: FakeDiscord, channel: int, fragment: str, count: int = 1) -> Message:
    def found() -> Message | None:
        hits = [m for m in bot_messages(fake, channel) if fragment in said(m)]
        return hits[count - 1] if len(hits) >= count else None

    message: Message = await fake.wait_for(found, TIMEOUT, f"the bot to say {fragment!r}")
    return message


def button(message: Message, label: str) -> str:
    for component in walk(message.components):
        if component.get("label") == label:
            return str(component["custom_id"])
    raise AssertionError(f"no button {label!r} on {said(message)!r}")


async def dialogue_thread(started: FakeInteraction) -> int:
    """The thread a dialogue command's reply points to (``<#id>``)."""
    reply = await started.wait_for_followups(1, timeout=TIMEOUT)
    match = re.search(r"<#(\d+)>", reply[-1].content or "")
    assert match, reply[-1].content
    return int(match.group(1))


async def dialogue_summary(fake: FakeDiscord, thread: int) -> Message:
    """The end-of-dialogue summary: the bot's first message in the thread with an embed."""
    summary: Message = await fake.wait_for(
        lambda: next((m for m in bot_messages(fake, thread) if m.embeds), None), TIMEOUT, "summary"
    )
    return summary


def questions(fake: FakeDiscord, channel: int) -> list[str]:
    return [
        said(m).split("\n-#")[0]
        for m in bot_messages(fake, channel)
        if m.components or "?" in m.content
    ]


async def test_why_impossible_survives_a_kill_and_ends_with_tree_and_image(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    bot = await start_bot()
    started = await club_member(fake, club).run("/impossible", goal="Write a novel this year")
    thread = await dialogue_thread(started)
    assert club.member.id in fake.world.channel(thread).thread_member_ids

    await bot_says(fake, thread, "How likely")
    await fake.send_message(thread, club.member, "25%")
    await bot_says(fake, thread, "List every reason")
    await fake.send_message(thread, club.member, "I have no time\nI can't write well")
    await bot_says(fake, thread, "1. I have no time")

    await bot.kill()  # mid-dialogue, nothing gets to clean up
    await start_bot()

    await fake.send_message(thread, club.member, "My job takes 50 hours a week")
    await bot_says(fake, thread, "1.1. My job takes 50 hours a week")
    await fake.send_message(thread, club.member, "The weekly report eats Friday afternoons")
    why2 = await bot_says(fake, thread, "2. I can't write well")
    # A prompt is one V2 card: the question and its answer buttons in one container.
    assert why2.flags & MESSAGE_FLAG_IS_COMPONENTS_V2 and not why2.content
    (card,) = why2.components
    assert card["type"] == 17 and "It's concrete" in str(card)
    await fake.send_component(why2, button(why2, "It's concrete"), user_id=club.member)
    label = await bot_says(fake, thread, "1.1.1. The weekly report eats Friday afternoons")
    await fake.send_component(label, button(label, "Merely inconvenient"), user_id=club.member)
    label2 = await bot_says(fake, thread, "Is this actually impossible", count=2)
    await fake.send_component(label2, button(label2, "Very hard"), user_id=club.member)
    # Every obstacle is labelled: then the reasons above (1.1, 1), deepest first.
    for count in (1, 2):
        above = await bot_says(fake, thread, "Now that you've looked underneath", count=count)
        await fake.send_component(above, button(above, "Very hard"), user_id=club.member)
    await bot_says(fake, thread, "first step of five minutes")
    await fake.send_message(thread, club.member, "Ask my manager if the report can be scripted")
    await bot_says(fake, thread, "first step of five minutes", count=2)
    await fake.send_message(thread, club.member, "Write 100 words tonight")
    await bot_says(fake, thread, "Make a prediction")
    await fake.send_message(thread, club.member, "One evening a week back; 45% now")
    when = await bot_says(fake, thread, "When should I check in")
    await fake.send_component(when, button(when, "In a week"), user_id=club.member)

    summary = await dialogue_summary(fake, thread)
    text = summary.embeds[0]["description"]
    assert "1.1.1. The weekly report eats Friday afternoons — *merely inconvenient*" in text
    assert "next action: Ask my manager" in text
    assert summary.attachments and summary.attachments[0].filename.endswith(".png")

    asked = questions(fake, thread)
    duplicates = [q for q, n in Counter(asked).items() if n > 1]
    assert duplicates == [], duplicates
    assert fake.world.channel(thread).id == thread
    outbox = fake.dm_messages_to(club.member)  # follow-up is scheduled a week out, not sent now
    assert all("What happened" not in m.content for m in outbox)


async def test_double_crux_hides_cruxes_and_keeps_third_users_out(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    alice, bob, carol = club.member, club.moderator, club.manager
    bot = await start_bot()
    invite_cmd = await club_member(fake, club, alice).run(
        "/crux", claim="Remote work is better for junior engineers", partner=bob.id
    )
    await invite_cmd.wait_for_followups(1, timeout=TIMEOUT)
    invitation = await bot_says(fake, club.general.id, "invites")
    await fake.send_component(invitation, button(invitation, "Accept"), user_id=bob)

    def thread_id() -> int | None:
        return next(iter(t for t in fake.world.channels if fake.world.channel(t).type == 12), None)

    thread = await fake.wait_for(thread_id, TIMEOUT, "the private thread")
    rules = await bot_says(fake, thread, "Ground rules")
    await fake.send_component(rules, button(rules, "I agree"), user_id=alice)
    await fake.send_component(rules, button(rules, "I agree"), user_id=bob)
    await bot_says(fake, thread, "what is your position")
    await fake.send_message(thread, alice, "Juniors at home do just as well")
    await fake.send_message(thread, bob, "Juniors need to sit next to seniors")
    await bot_says(fake, thread, "How confident")
    await fake.send_message(thread, alice, "65")
    await fake.send_message(thread, bob, "70")
    await bot_says(fake, thread, "Operationalise")
    await fake.send_message(thread, carol, "I want to answer too")
    await bot_says(fake, thread, "only they can answer here")
    await fake.send_message(thread, bob, "none")
    await bot_says(fake, thread, "Restate your position")

    await bot.kill()
    await start_bot()

    await fake.send_message(thread, alice, "Remote juniors close as many tickets by month 6")
    await fake.send_message(thread, bob, "Office juniors close more tickets by month 6")
    cruxes = await bot_says(fake, thread, "List your cruxes")
    secret = "Juniors learn faster from code review than from sitting together"
    form_button = button(cruxes, "Write my cruxes privately")
    opened = await fake.send_component(cruxes, form_button, user_id=alice)
    modal = (await opened.first_response(timeout=3)).data
    await fake.send_modal_submit(modal["custom_id"], {"answer": secret})
    await bot_says(fake, thread, "has submitted their cruxes (hidden)")
    everything_bob_can_see = "\n".join(
        said(m) for m in fake.messages_in(thread, include_ephemeral=False)
    )
    assert secret not in everything_bob_can_see

    opened = await fake.send_component(cruxes, form_button, user_id=bob)
    modal = (await opened.first_response(timeout=3)).data
    await fake.send_modal_submit(
        modal["custom_id"],
        {"answer": "Juniors learn more by sitting together than from code review"},
    )
    reveal = await bot_says(fake, thread, "Both have submitted")
    assert secret in said(reveal)

    confirm = await bot_says(fake, thread, "Candidate double crux 1")
    await fake.send_component(confirm, button(confirm, "Yes, shared crux"), user_id=alice)
    await fake.send_component(confirm, button(confirm, "Yes, shared crux"), user_id=bob)
    resonate = await bot_says(fake, thread, "Resonance check")
    await fake.send_component(resonate, button(resonate, "Yes"), user_id=alice)
    await fake.send_component(resonate, button(resonate, "Somewhat"), user_id=bob)
    nxt = await bot_says(fake, thread, "Dig underneath")
    await fake.send_component(nxt, button(nxt, "Settle it with a test"), user_id=bob)
    kind = await bot_says(fake, thread, "Pick the kind of test")
    await fake.send_component(kind, button(kind, "An experiment"), user_id=alice)
    await bot_says(fake, thread, "Describe the experiment")
    await fake.send_message(thread, bob, "Pair two juniors remotely and two in the office")
    await bot_says(fake, thread, "By when")
    await fake.send_message(thread, alice, "in 3 months")
    accept = await bot_says(fake, thread, "Do you both accept it")
    await fake.send_component(accept, button(accept, "I accept"), user_id=alice)
    await fake.send_component(accept, button(accept, "I accept"), user_id=bob)
    share = await bot_says(fake, thread, "Post the summary in the channel")
    await fake.send_component(share, button(share, "Yes"), user_id=alice)
    await fake.send_component(share, button(share, "Yes"), user_id=bob)

    summary = await dialogue_summary(fake, thread)
    text = summary.embeds[0]["description"]
    assert "Double crux: Juniors learn faster from code review" in text
    assert "**Agreed test (experiment):** Pair two juniors" in text
    assert summary.attachments[0].filename.endswith(".png")
    await fake.wait_for(
        lambda: any(m.embeds for m in bot_messages(fake, club.general.id)),
        TIMEOUT,
        "shared summary",
    )
    asked = questions(fake, thread)
    assert [q for q, n in Counter(asked).items() if n > 1] == []
