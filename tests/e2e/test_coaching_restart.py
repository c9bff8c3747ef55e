"""The bot is down across a scheduled orient time: the real bot process, restarted.

Acceptance: back within the grace window, exactly one DM is sent for that morning;
back later than that, the morning is skipped (no stale prompt hours late) and the
next morning's DM arrives as usual. The clock is the bot's simulated clock, moved
through ``<data_dir>/simulated-clock`` while the process is down.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.e2e.conftest import StartBot
from tests.e2e.harness import BotProcess
from tests.e2e.members import club_member
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import Message
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
TIMEOUT = 20.0
# Tuesday 14 April 2026; Berlin is on summer time (UTC+2), so 08:00 local is 06:00 UTC.
START = "2026-04-14T05:00:00+00:00"
ENV = {"TOUCHSTONE_SIMULATED_CLOCK_START": START, "TOUCHSTONE_DM_GRACE_MINUTES": "120"}
TUESDAY = "Morning orient · Tuesday 14 April"
WEDNESDAY = "Morning orient · Wednesday 15 April"
THURSDAY = "Morning orient · Thursday 16 April"


def orient_titles(fake: FakeDiscord, user: int) -> list[str]:
    return [
        str(e.get("title"))
        for m in fake.dm_messages_to(user)
        for e in m.embeds
        if "Morning orient" in (e.get("title") or "")
    ]


def bot_dm_texts(fake: FakeDiscord, user: int) -> list[str]:
    return [m.content for m in fake.dm_messages_to(user) if m.content]


async def move_clock(path: Path, moment: str) -> None:
    await asyncio.to_thread(path.write_text, moment, encoding="utf-8")


async def until_orients(fake: FakeDiscord, user: int, count: int, what: str) -> None:
    await fake.wait_for(lambda: len(orient_titles(fake, user)) >= count, TIMEOUT, what)


async def answer(fake: FakeDiscord, user: int, text: str, confirmation: str) -> Message:
    """The person answers in their DM; returns the bot's confirmation."""
    before = len(fake.dm_messages_to(user))
    await fake.send_message(fake.world.dm_channel_ids[user], user, text)
    found: Message = await fake.wait_for(
        lambda: next(
            (m for m in fake.dm_messages_to(user)[before:] if confirmation in m.content), None
        ),
        TIMEOUT,
        f"the bot to confirm {text!r}",
    )
    return found


async def start_coaching_and_get_tuesdays_orient(
    start_bot: StartBot, fake: FakeDiscord, club: PracticeClub, data_dir: Path
) -> BotProcess:
    bot = await start_bot(data_dir=data_dir, env=ENV)
    user = club.member.id
    started = await club_member(fake, club).run(
        "/coach start", timezone="Europe/Berlin", time="08:00"
    )
    await started.wait_for_followups(1, TIMEOUT)
    assert "Next one: Tuesday 14 April, 08:00" in (started.followups[0].content or "")
    await fake.wait_for(lambda: fake.dm_messages_to(user), TIMEOUT, "the welcome DM")

    await move_clock(data_dir / "simulated-clock", "2026-04-14T06:00:30+00:00")
    await until_orients(fake, user, 1, "Tuesday's orient")
    await answer(fake, user, "Finish the grant draft before lunch.", "Saved (1 today)")
    return bot


@pytest.mark.parametrize("shutdown", ["crash", "clean stop"])
async def test_back_within_the_grace_window_the_missed_orient_is_sent_exactly_once(
    shutdown: str,
    start_bot: StartBot,
    fake_discord: FakeDiscord,
    practice_club: PracticeClub,
    tmp_path: Path,
) -> None:
    fake, club = fake_discord, practice_club
    user = club.member.id
    data_dir = tmp_path / "data"
    clock_file = data_dir / "simulated-clock"
    bot = await start_coaching_and_get_tuesdays_orient(start_bot, fake, club, data_dir)

    if shutdown == "crash":
        await bot.kill()
    else:
        assert await bot.stop() == 0
    # Down across Wednesday 08:00 (06:00 UTC); back 45 minutes later, inside 2 hours.
    await move_clock(clock_file, "2026-04-15T06:45:00+00:00")
    await start_bot(data_dir=data_dir, env=ENV)

    await until_orients(fake, user, 2, "Wednesday's orient after the restart")
    # The answer is filed under Wednesday's (fresh) session: the count starts again.
    await answer(fake, user, "Call the printer about the proofs.", "Saved (1 today)")

    # Thursday's orient proves the scheduler went on past Wednesday; no second copy came.
    await move_clock(clock_file, "2026-04-16T06:00:30+00:00")
    await until_orients(fake, user, 3, "Thursday's orient")
    assert orient_titles(fake, user) == [TUESDAY, WEDNESDAY, THURSDAY]


async def test_back_after_the_grace_window_the_missed_orient_is_skipped(
    start_bot: StartBot,
    fake_discord: FakeDiscord,
    practice_club: PracticeClub,
    tmp_path: Path,
) -> None:
    fake, club = fake_discord, practice_club
    user = club.member.id
    data_dir = tmp_path / "data"
    clock_file = data_dir / "simulated-clock"
    bot = await start_coaching_and_get_tuesdays_orient(start_bot, fake, club, data_dir)

    await bot.kill()
    # Back at 10:30 Berlin time, two and a half hours after Wednesday's 08:00.
    await move_clock(clock_file, "2026-04-15T08:30:00+00:00")
    restarted = await start_bot(data_dir=data_dir, env=ENV)
    await restarted.wait_for_log(f"outbox item coach.orient:{user}:2026-04-15 skipped", TIMEOUT)

    # The person doesn't get a morning prompt at 10:30; a reply now isn't filed under it.
    reply = await answer(
        fake, user, "Is anything waiting for me?", "Nothing is waiting for an answer"
    )
    assert "Your next morning prompts arrive here" in reply.content

    await move_clock(clock_file, "2026-04-16T06:00:30+00:00")
    await until_orients(fake, user, 2, "Thursday's orient")
    assert orient_titles(fake, user) == [TUESDAY, THURSDAY]
    await answer(fake, user, "Thursday: proofs back to the printer.", "Saved (1 today)")
