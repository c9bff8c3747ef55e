"""Forms, confirmations and page buttons survive a restart (issue 13 #11).

Each is shown by one bot process and used after that process was replaced by a new
one: the form is acknowledged and its text saved, the confirmation confirms, the page
button turns the page. None of them may be silent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.guild_config import GuildConfigService
from bot.guild_config.repository import GuildConfigRepository
from bot.storage import Database
from tests.e2e.conftest import StartBot
from tests.e2e.members import club_member
from tests.e2e.test_config import Moderator, final, text_of
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
TIMEOUT = 30.0
START = "2026-04-13T05:00:00+00:00"


async def seed_history(url: str, guild_id: int, actor_id: int, changes: int) -> None:
    """Enough settings history for several pages of /config history."""
    db = Database(url)
    try:
        await db.migrate()
        service = GuildConfigService(GuildConfigRepository(db))
        for n in range(changes):
            value = ("0.3", "0.7")[n % 2]
            await service.set_value(guild_id, "advice.sensitivity", value, actor_id)
    finally:
        await db.dispose()


async def test_forms_confirmations_and_pages_work_after_a_restart(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club = fake_discord, practice_club
    data_dir = tmp_path / "data"
    url = f"sqlite+aiosqlite:///{tmp_path / 'restart.db'}"
    await seed_history(url, club.guild.id, club.owner.id, 120)
    env = {"TOUCHSTONE_SIMULATED_CLOCK_START": START}
    bot = await start_bot(data_dir=data_dir, database_url=url, env=env)

    # Shown by the first process ------------------------------------------------------
    coach = await club_member(fake, club).run(
        "/coach start", timezone="Europe/Berlin", time="07:00"
    )
    await coach.wait_for_followups(1, TIMEOUT)
    prompts = await club_member(fake, club).run("/coach prompts")
    await prompts.first_response(timeout=3)
    assert prompts.modal is not None
    (field,) = [c for row in prompts.modal["components"] for c in row["components"]]

    note = await club_member(fake, club, club.owner).run("/knowledge add")
    await note.first_response(timeout=3)
    assert note.modal is not None

    asking = await club_member(fake, club, club.owner).run("/config reset")
    prompt = await asking.first_response(timeout=3)
    (row,) = prompt.components
    confirm = next(c for c in row["components"] if c["label"] == "Reset every setting")

    history = await club_member(fake, club, club.owner).run("/config history")
    first_page = await final(history)
    assert "Page 1 of" in json.dumps(first_page.embeds)
    (pager,) = first_page.components
    following = next(c for c in pager["components"] if "Next" in c["label"])

    # ...used after a restart -----------------------------------------------------------
    await bot.stop()
    await start_bot(data_dir=data_dir, database_url=url, env=env)

    submitted = await fake.send_modal_submit(
        prompts.modal["custom_id"],
        {field["custom_id"]: "What matters most today?\nWhat am I avoiding?"},
        guild_id=club.guild.id,
        channel_id=club.general.id,
        user_id=club.member.id,
    )
    (saved,) = await submitted.wait_for_followups(1, TIMEOUT)
    assert submitted.deferred and saved.ephemeral
    assert saved.content == (
        "Your prompts are saved.\n1. What matters most today?\n2. What am I avoiding?"
    )

    added = await fake.send_modal_submit(
        note.modal["custom_id"],
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
    await added.first_response(timeout=3)
    (stored,) = await added.wait_for_followups(1, timeout=TIMEOUT)
    assert "Warm-up scales" in (stored.content or "")

    turned = await fake.send_component(history.original_message_id or 0, following["custom_id"])
    second_page = await turned.first_response(timeout=5)
    assert "Page 2 of" in json.dumps(second_page.embeds)

    click = await fake.send_component(asking.original_message_id or 0, confirm["custom_id"])
    assert "back to its default" in text_of(await click.first_response(timeout=5))
    defaults = json.loads(await Moderator(fake, club).export())
    assert defaults["advice"]["sensitivity"] == 0.5
