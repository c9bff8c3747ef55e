"""One rate-limited thread must not stall every dialogue (issue 13 #1).

Two dialogues run in two private threads. Discord holds one thread's next message for
20 seconds (a 429); the other dialogue's next question must still arrive at once.
"""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from tests.e2e.conftest import StartBot
from tests.e2e.members import club_member
from tests.e2e.test_dialogues import said
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import Message, User
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
TIMEOUT = 20.0
HELD = 20.0


async def open_dialogue(fake: FakeDiscord, club: PracticeClub, user: User, goal: str) -> int:
    started = await club_member(fake, club, user).run("/impossible", goal=goal)
    reply = await started.wait_for_followups(1, timeout=TIMEOUT)
    match = re.search(r"<#(\d+)>", reply[-1].content or "")
    assert match, reply[-1].content
    return int(match.group(1))


async def bot_says(fake: FakeDiscord, thread: int, fragment: str, timeout: float) -> Message:
    def found() -> Message | None:
        return next(
            (
                m
                for m in fake.messages_in(thread)
                if m.author_id == fake.bot_user.id and fragment in said(m)
            ),
            None,
        )

    message: Message = await fake.wait_for(found, timeout, f"the bot to say {fragment!r}")
    return message


async def test_a_429_in_one_thread_does_not_delay_another_dialogue(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    await start_bot()
    slow = await open_dialogue(fake, club, club.member, "Write a novel this year")
    quick = await open_dialogue(fake, club, club.moderator, "Run a marathon in spring")
    await bot_says(fake, slow, "How likely", TIMEOUT)
    await bot_says(fake, quick, "How likely", TIMEOUT)

    held = fake.rate_limit(f"POST /channels/{slow}/messages", count=1, retry_after=HELD)
    await fake.send_message(slow, club.member, "25%")
    await fake.wait_for(lambda: held.hits, 10, "the slow thread's 429")
    await asyncio.sleep(0.2)  # the slow thread's delivery is now waiting out its 429

    began = time.monotonic()
    await fake.send_message(quick, club.moderator, "30%")
    await bot_says(fake, quick, "List every reason", 5.0)
    assert time.monotonic() - began < 5.0
    # The held thread still gets its question, once, after the 429.
    await bot_says(fake, slow, "List every reason", HELD + TIMEOUT)
    asked = [
        m
        for m in fake.messages_in(slow)
        if m.author_id == fake.bot_user.id and "List every reason" in said(m)
    ]
    assert len(asked) == 1


async def test_a_thread_whose_429_outlasts_the_retries_gets_its_question_soon(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    """discord.py gives up after five 429s; the member must not wait for the 5-minute sweep."""
    fake, club = fake_discord, practice_club
    await start_bot()
    thread = await open_dialogue(fake, club, club.member, "Learn the cello by summer")
    await bot_says(fake, thread, "How likely", TIMEOUT)

    held = fake.rate_limit(f"POST /channels/{thread}/messages", count=6, retry_after=0.3)
    await fake.send_message(thread, club.member, "10%")
    await fake.wait_for(lambda: len(held.hits) >= 5, TIMEOUT, "discord.py to give up on the 429s")
    await bot_says(fake, thread, "List every reason", 60.0)
    asked = [
        m
        for m in fake.messages_in(thread)
        if m.author_id == fake.bot_user.id and "List every reason" in said(m)
    ]
    assert len(asked) == 1
