"""Interaction tokens never reach the log, even at DEBUG (issue 13, "also seen").

discord.py logs whole gateway events (INTERACTION_CREATE carries the token) and every
REST URL (/interactions/<id>/<token>/callback, /webhooks/<app>/<token>/...) at DEBUG.
Anyone holding such a token can answer as the bot for 15 minutes.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import StartBot
from tests.e2e.members import club_member
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e


async def test_interaction_tokens_are_redacted_from_debug_logs(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    club = practice_club
    bot = await start_bot(env={"TOUCHSTONE_LOG_LEVEL": "DEBUG"})
    about = await club_member(fake_discord, club).run("/about")
    await about.first_response(3)
    asking = await club_member(fake_discord, club).run(
        "/ask", question="How do I start practising?"
    )
    await asking.wait_for_followups(1, timeout=30)

    assert "INTERACTION_CREATE" in bot.log  # the events are logged, only without tokens
    assert "/callback" in bot.log
    for interaction in (about, asking):
        assert interaction.token not in bot.log
    assert fake_discord.token not in bot.log
    assert "[redacted]" in bot.log
