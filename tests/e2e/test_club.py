"""The practice club end to end: the real bot on a simulated clock, a monthly club in
Europe/Berlin across the switch to summer time, three members checking in three ways
(form sharing hours, form keeping them private, a reply in the thread), and a digest
whose numbers, quotes and chart respect each choice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.e2e.conftest import StartBot
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import Channel, Message
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
TIMEOUT = 20.0
START = "2026-02-27T12:00:00+00:00"


async def move_clock(path: Path, moment: str) -> None:
    await asyncio.to_thread(path.write_text, moment, encoding="utf-8")
    await asyncio.sleep(0.5)


def threads_in(fake: FakeDiscord, forum: Channel) -> list[Channel]:
    return [c for c in fake.world.channels.values() if c.parent_id == forum.id]


def digest_in(fake: FakeDiscord, thread: Channel) -> Message | None:
    return next(
        (
            m
            for m in fake.messages_in(thread)
            if any("digest" in (e.get("title") or "") for e in m.embeds)
        ),
        None,
    )


def modal_fields(modal: dict[str, object]) -> dict[str, dict[str, object]]:
    rows = modal["components"]
    assert isinstance(rows, list)
    return {c["custom_id"]: c for row in rows for c in row["components"]}


async def test_a_monthly_club_across_dst_with_a_digest_that_respects_each_choice(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club = fake_discord, practice_club
    data_dir = tmp_path / "data"
    clock = data_dir / "simulated-clock"
    await start_bot(data_dir=data_dir, env={"TOUCHSTONE_SIMULATED_CLOCK_START": START})
    ana, ben, cy = club.member, fake.add_user("ben"), fake.add_user("cy")
    for user in (ben, cy):
        fake.add_member(club.guild, user)

    refused = await fake.send_slash_command(
        club.guild, club.general, ana, "club", {"timezone": "Europe/Berlin"}, subcommand="start"
    )
    await refused.wait_for_followups(1, TIMEOUT)
    assert "moderators" in (refused.followups[0].content or "")
    started = await fake.send_slash_command(
        club.guild,
        club.general,
        club.manager,  # Manage Server
        "club",
        {"timezone": "Europe/Berlin", "channel": club.help, "day": "1", "time": "19:00"},
        subcommand="start",
    )
    (reply,) = await started.wait_for_followups(1, TIMEOUT)
    assert "01 March, 19:00 2026 (Europe/Berlin)" in (reply.content or "")

    # 1 March, 19:00 CET = 18:00 UTC: a forum post with the note's questions.
    await move_clock(clock, "2026-03-01T17:59:00+00:00")
    await move_clock(clock, "2026-03-01T18:00:30+00:00")
    (march,) = await fake.wait_for(lambda: threads_in(fake, club.help), TIMEOUT, "March post")
    assert march.name == "Check-in · 01 March 2026"
    await move_clock(clock, "2026-03-04T18:00:30+00:00")
    quiet = await fake.wait_for(lambda: digest_in(fake, march), TIMEOUT, "March digest")
    assert "Nobody checked in" in quiet.embeds[0]["description"] and not quiet.attachments

    await move_clock(clock, "2026-03-05T12:00:00+00:00")
    for user, minutes, skill in ((ana, 120, "piano"), (ben, 90, "drawing")):
        logged = await fake.send_slash_command(
            club.guild, club.general, user, "practice",
            {"minutes": minutes, "skill": skill}, subcommand="log",
        )  # fmt: skip
        await logged.wait_for_followups(1, TIMEOUT)

    # 1 April, 19:00 CEST = 17:00 UTC (after the change on 29 March), not 18:00.
    await move_clock(clock, "2026-04-01T16:59:00+00:00")
    await move_clock(clock, "2026-04-01T17:00:30+00:00")
    await fake.wait_for(lambda: len(threads_in(fake, club.help)) == 2, TIMEOUT, "April post")
    april = threads_in(fake, club.help)[-1]
    assert april.name == "Check-in · 01 April 2026"
    (post,) = [m for m in fake.messages_in(april) if m.components]
    (button,) = [c for row in post.components for c in row["components"]]

    # Ana: the button, her log offered as a starting point, hours and change shared.
    pressed = await fake.send_component(post, button["custom_id"], user_id=ana.id)
    await pressed.first_response(timeout=3)
    assert pressed.modal is not None
    fields = modal_fields(pressed.modal)
    assert "2.0 h on 1 day (piano 2.0 h)" in str(fields["answers"]["value"])
    assert fields["share_hours"]["value"] == "no" and fields["quote_change"]["value"] == "no"
    submitted = await fake.send_modal_submit(
        pressed.modal["custom_id"],
        {"answers": str(fields["answers"]["value"]), "change": "Scales before pieces",
         "share_hours": "yes", "quote_change": "yes"},
        guild_id=club.guild.id, channel_id=april.id, user_id=ana.id,
    )  # fmt: skip
    (saved,) = await submitted.wait_for_followups(1, TIMEOUT)
    assert saved.ephemeral and "your practice hours" in (saved.content or "")

    # Ben: /club checkin, keeps his hours and change private.
    opened = await fake.send_slash_command(
        club.guild, club.general, ben, "club", subcommand="checkin"
    )
    await opened.first_response(timeout=3)
    assert opened.modal is not None
    submitted = await fake.send_modal_submit(
        opened.modal["custom_id"],
        {"answers": "Drew most days.", "change": "Draw from life on Sundays",
         "share_hours": "no", "quote_change": "no"},
        guild_id=club.guild.id, channel_id=club.general.id, user_id=ben.id,
    )  # fmt: skip
    (kept,) = await submitted.wait_for_followups(1, TIMEOUT)
    assert "stay private" in (kept.content or "")

    # Cy: a reply in the thread.
    await fake.send_message(april, cy, "Busy month, no practice, back at it now.")
    await asyncio.sleep(1.0)

    await move_clock(clock, "2026-04-04T17:00:30+00:00")
    digest = await fake.wait_for(lambda: digest_in(fake, april), TIMEOUT, "April digest")
    text = digest.embeds[0]["description"]
    assert "3 members checked in" in text
    assert "shared by 1 of them: 2.0 h" in text  # Ben's 1.5 h stay out
    assert "> Scales before pieces" in text and "Draw from life" not in text
    assert "ben" not in text.lower() and "<@" not in text  # nobody named
    (chart,) = digest.attachments
    assert chart.filename == "club-2026-04.png"
    # Exactly one post and one digest per check-in.
    assert len(threads_in(fake, club.help)) == 2
    assert sum(1 for m in fake.messages_in(april) if digest_in(fake, april) is m) == 1
