"""Coaching end to end: the real bot on a simulated clock, across Berlin's DST change."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.e2e.conftest import StartBot
from tests.e2e.members import club_member
from tests.fakediscord.components_v2 import (
    MEDIA_GALLERY,
    MESSAGE_FLAG_IS_COMPONENTS_V2,
    texts,
    walk,
)
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import Message
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
TIMEOUT = 20.0
START = "2026-03-27T05:00:00+00:00"  # Friday; Berlin switches to summer time on Sunday


def orient_dms(fake: FakeDiscord, user: int) -> list[Message]:
    return [
        m
        for m in fake.dm_messages_to(user)
        if any("Morning orient" in (e.get("title") or "") for e in m.embeds)
    ]


def title(message: Message) -> str:
    return str(message.embeds[0].get("title"))


def review(fake: FakeDiscord, user: int, heading: str) -> Message | None:
    """The DM whose V2 card starts with this heading (reviews are cards)."""
    return next(
        (m for m in fake.dm_messages_to(user) if texts(m.components)[:1] == [f"### {heading}"]),
        None,
    )


def assert_chart_in_gallery(message: Message) -> None:
    """A review is one V2 card: no content or embeds, its chart shown in a media gallery
    that references the PNG sent with it (V2 shows only referenced attachments)."""
    assert message.flags & MESSAGE_FLAG_IS_COMPONENTS_V2
    assert not message.content and not message.embeds
    (png,) = message.attachments
    assert png.filename.endswith(".png")
    (gallery,) = [c for c in walk(message.components) if c["type"] == MEDIA_GALLERY]
    assert [i["media"]["url"] for i in gallery["items"]] == [f"attachment://{png.filename}"]


async def move_clock(path: Path, moment: str) -> None:
    await asyncio.to_thread(path.write_text, moment, encoding="utf-8")


async def test_orient_dms_keep_local_time_across_dst_and_the_week_ends_with_a_chart(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club = fake_discord, practice_club
    data_dir = tmp_path / "data"
    clock_file = data_dir / "simulated-clock"
    await start_bot(data_dir=data_dir, env={"TOUCHSTONE_SIMULATED_CLOCK_START": START})
    user = club.member.id

    started = await club_member(fake, club).run(
        "/coach start", timezone="Europe/Berlin", time="07:00"
    )
    reply = await started.first_response(timeout=3)
    assert reply.ephemeral
    await fake.wait_for(lambda: fake.dm_messages_to(user), TIMEOUT, "the welcome DM")

    # Friday 07:00 CET = 06:00 UTC.
    await move_clock(clock_file, "2026-03-27T06:00:30+00:00")
    await fake.wait_for(lambda: len(orient_dms(fake, user)) == 1, TIMEOUT, "Friday's orient")
    dm_channel = fake.world.dm_channel_ids[user]
    await fake.send_message(dm_channel, user, "The grant report matters most today.")
    await fake.send_message(dm_channel, user, "Roughly on track.")
    await fake.wait_for(
        lambda: any("Saved (2 today)" in m.content for m in fake.dm_messages_to(user)),
        TIMEOUT,
        "both answers stored",
    )

    # Saturday 07:00 CET = 06:00 UTC.
    await move_clock(clock_file, "2026-03-28T06:00:30+00:00")
    await fake.wait_for(lambda: len(orient_dms(fake, user)) == 2, TIMEOUT, "Saturday's orient")

    # Sunday after the switch: 06:00 UTC would be 08:00 local; 07:00 CEST is 05:00 UTC.
    await move_clock(clock_file, "2026-03-29T04:59:00+00:00")
    await move_clock(clock_file, "2026-03-29T05:00:30+00:00")
    await fake.wait_for(lambda: len(orient_dms(fake, user)) == 3, TIMEOUT, "Sunday's orient")
    titles = [title(m) for m in orient_dms(fake, user)]
    assert titles == [
        "Morning orient · Friday 27 March",
        "Morning orient · Saturday 28 March",
        "Morning orient · Sunday 29 March",
    ]

    # The weekly review: Sunday 18:00 CEST = 16:00 UTC, with a PNG chart.
    await move_clock(clock_file, "2026-03-29T16:00:30+00:00")
    weekly = await fake.wait_for(
        lambda: review(fake, user, "Your week · 23 Mar to 29 Mar"), TIMEOUT, "the weekly review"
    )
    assert_chart_in_gallery(weekly)
    assert "grant report" in "\n".join(texts(weekly.components))
    # Exactly one orient per morning, never a duplicate.
    assert len(orient_dms(fake, user)) == 3

    # The monthly review: 1 April 18:00 CEST = 16:00 UTC, March's chart in its card.
    await move_clock(clock_file, "2026-04-01T16:00:30+00:00")
    monthly = await fake.wait_for(
        lambda: review(fake, user, "Your month · March 2026"), TIMEOUT, "the monthly review"
    )
    assert_chart_in_gallery(monthly)
    assert "Monthly check-in" in "\n".join(texts(monthly.components))


async def test_closed_dms_are_tried_once_and_the_user_is_told_on_their_next_command(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club = fake_discord, practice_club
    closed = fake.add_user("closed-dms", dms_closed=True)
    fake.add_member(club.guild, closed)
    data_dir = tmp_path / "data"
    await start_bot(data_dir=data_dir, env={"TOUCHSTONE_SIMULATED_CLOCK_START": START})

    started = await club_member(fake, club, closed).run(
        "/coach start", timezone="Europe/Berlin", time="07:00"
    )
    await started.first_response(timeout=3)

    def dm_attempts() -> list[object]:
        return [
            r
            for r in fake.requests_matching("POST", "/channels/{channel_id}/messages")
            if r.status == 403
        ]

    await fake.wait_for(dm_attempts, TIMEOUT, "the welcome DM to fail")
    # Three mornings pass: no retry storm, the bot doesn't try again.
    for day in ("27", "28", "29"):
        await move_clock(data_dir / "simulated-clock", f"2026-03-{day}T07:00:00+00:00")
    notice = await club_member(fake, club, closed).run("/practice log", minutes=20, skill="piano")
    await fake.wait_for(lambda: len(notice.followups) >= 2, TIMEOUT, "the notice")
    followups = notice.followups
    assert any("Privacy Settings" in (m.content or "") for m in followups)
    assert len(dm_attempts()) == 1


async def test_own_prompts_from_the_form_are_asked_and_quick_version_shortens_them(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club = fake_discord, practice_club
    data_dir = tmp_path / "data"
    await start_bot(data_dir=data_dir, env={"TOUCHSTONE_SIMULATED_CLOCK_START": START})
    user = club.member.id
    started = await club_member(fake, club).run(
        "/coach start", timezone="Europe/Berlin", time="07:00"
    )
    await started.wait_for_followups(1, TIMEOUT)

    opened = await club_member(fake, club).run("/coach prompts")
    await opened.first_response(timeout=3)
    assert opened.modal is not None
    (field,) = [c for row in opened.modal["components"] for c in row["components"]]
    assert "most important thing" in field["value"], "the form starts from the current list"
    submitted = await fake.send_modal_submit(
        opened.modal["custom_id"],
        {field["custom_id"]: "What matters most today?\n\nWhat am I avoiding?\n"},
        guild_id=club.guild.id,
        channel_id=club.general.id,
        user_id=user,
    )
    (saved,) = await submitted.wait_for_followups(1, TIMEOUT)
    assert submitted.deferred and saved.ephemeral
    assert saved.content == (
        "Your prompts are saved.\n1. What matters most today?\n2. What am I avoiding?"
    )

    await move_clock(data_dir / "simulated-clock", "2026-03-27T06:00:30+00:00")
    (orient,) = await fake.wait_for(lambda: orient_dms(fake, user), TIMEOUT, "Friday's orient")
    assert orient.embeds[0]["description"].startswith(
        "1. What matters most today?\n2. What am I avoiding?\n\n"
    )
    (button,) = [c for row in orient.components for c in row["components"]]
    assert button["label"] == "Quick version"
    pressed = await fake.send_component(orient, button["custom_id"], user_id=user)
    quick = await pressed.first_response(timeout=3)
    assert "1. What matters most today?\n2. What am I avoiding?" in (quick.content or "")
