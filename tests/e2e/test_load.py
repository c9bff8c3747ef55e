"""200 interactions arriving together are all acknowledged before Discord's deadline."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import StartBot
from tests.e2e.load import add_members, fire_burst
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import PracticeClub

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def test_a_burst_of_200_mixed_interactions_is_all_acknowledged_in_time(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    users = add_members(fake_discord, practice_club, 100)
    bot = await start_bot()
    result = await fire_burst(fake_discord, practice_club, users, total=200)
    assert len(result.interactions) == 200
    late = [(i.payload["data"]["name"], [r.code for r in i.rejections]) for i in result.rejected]
    assert late == [], f"rejected by the fake Discord (10062 = answered after 3 s): {late}"
    assert result.unacknowledged == []
    assert "Traceback" not in bot.log
