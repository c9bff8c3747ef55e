"""/exercise end to end: murphyjitsu's loop through the fake Discord, typed answers and
buttons, ending in a summary that keeps every failure and its fix."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.e2e.conftest import StartBot
from tests.e2e.members import club_member
from tests.e2e.test_dialogues import (
    bot_says,
    button,
    dialogue_summary,
    dialogue_thread,
    questions,
)
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e


async def test_murphyjitsu_loops_until_failure_would_surprise_and_survives_a_restart(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    bot = await start_bot()
    started = await club_member(fake, club).run("/exercise", name="murphyjitsu")
    thread = await dialogue_thread(started)

    await bot_says(fake, thread, "Describe the plan")
    await fake.send_message(thread, club.member, "Run a half marathon in April")
    first = await bot_says(fake, thread, "Would that surprise you?")
    await fake.send_component(first, button(first, "No, not really surprised"), user_id=club.member)
    await bot_says(fake, thread, "find the failure")
    await fake.send_message(thread, club.member, "My knee flares up after long runs")

    await bot_says(fake, thread, "What will you do about it?")

    await bot.kill()  # between a failure and its fix: the stored loop picks up again
    await start_bot()

    await fake.send_message(thread, club.member, "Physio check in January, cap weekly km")
    again = await bot_says(fake, thread, "With this fix in place")
    assert "Physio check in January" in str(again.components)
    await fake.send_component(again, button(again, "Yes, I'd be surprised"), user_id=club.member)

    summary = await dialogue_summary(fake, thread)
    text = summary.embeds[0]["description"]
    assert "**Plan:** Run a half marathon in April" in text
    assert "**Failure 1:** My knee flares up after long runs" in text
    assert "Fix: Physio check in January, cap weekly km" in text
    assert "failure would surprise you" in text
    asked = questions(fake, thread)
    assert [q for q, n in Counter(asked).items() if n > 1] == []
