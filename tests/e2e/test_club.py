"""The practice club end to end: the real bot on a simulated clock, a monthly club in
Europe/Berlin across the switch to summer time, three members checking in three ways
(form sharing hours, form keeping them private, a reply in the thread), and a digest
whose numbers, quotes and chart respect each choice; then a pair formed in a private
thread and left kindly, and a club push whose bar is edited in place until it reaches
its goal. test_club_shards.py plays the same scenarios with two shard processes."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import StartBot
from tests.e2e.members import club_member
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import Channel, ChannelType, Message, User
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
TIMEOUT = 20.0
START = "2026-02-27T12:00:00+00:00"
BERLIN = ZoneInfo("Europe/Berlin")


async def move_clock(paths: list[Path], moment: str | datetime) -> None:
    """Move every process's simulated clock to ``moment`` together."""
    text = moment if isinstance(moment, str) else moment.isoformat()
    for path in paths:
        await asyncio.to_thread(path.write_text, text, encoding="utf-8")
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
    data_dir = tmp_path / "data"
    await start_bot(data_dir=data_dir, env={"TOUCHSTONE_SIMULATED_CLOCK_START": START})
    await play_monthly_club(fake_discord, practice_club, [data_dir / "simulated-clock"])


async def play_monthly_club(fake: FakeDiscord, club: PracticeClub, clock: list[Path]) -> None:
    """The monthly club across DST; ``clock``: every bot process's clock file."""
    ana, ben, cy = club.member, fake.add_user("ben"), fake.add_user("cy")
    for user in (ben, cy):
        fake.add_member(club.guild, user)

    refused = await club_member(fake, club, ana).run("/club start", timezone="Europe/Berlin")
    await refused.wait_for_followups(1, TIMEOUT)
    assert "moderators" in (refused.followups[0].content or "")
    started = await club_member(fake, club, club.manager).run(
        "/club start", timezone="Europe/Berlin", channel=club.help, day="1", time="19:00"
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
        logged = await club_member(fake, club, user).run("/practice log", minutes=minutes, skill=skill)  # fmt: skip
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
    opened = await club_member(fake, club, ben).run("/club checkin")
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


def embed_text(message: Message) -> str:
    return " ".join(
        f"{e.get('title') or ''} {e.get('description') or ''}" for e in message.embeds
    ) + (message.content or "")


def titled(fake: FakeDiscord, channel: Channel, title: str) -> list[Message]:
    return [m for m in fake.messages_in(channel) if title in embed_text(m)]


async def command(
    fake: FakeDiscord,
    club: PracticeClub,
    user: User,
    group: str,
    subcommand: str,
    options: dict[str, object] | None = None,
    channel: Channel | None = None,
) -> str:
    """Run ``/club GROUP SUBCOMMAND`` and return its private reply."""
    sent = await club_member(fake, club, user, channel).run(f"/club {group} {subcommand}", options)
    (reply,) = await sent.wait_for_followups(1, TIMEOUT)
    assert reply.ephemeral
    return reply.content or ""


async def test_a_pair_formed_and_left_kindly_and_a_club_push_reaching_its_goal(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    await start_bot(data_dir=data_dir, env={"TOUCHSTONE_SIMULATED_CLOCK_START": START})
    base = datetime.fromisoformat(START)
    await play_pairs_and_push(fake_discord, practice_club, [data_dir / "simulated-clock"], base)


async def play_pairs_and_push(
    fake: FakeDiscord, club: PracticeClub, clocks: list[Path], base: datetime
) -> None:
    """Pairs and a push, from ``base`` (the clocks' current time) on; ``clocks``: every
    bot process's clock file."""

    async def move(days: int, minutes: int = 0) -> None:
        await move_clock(clocks, base + timedelta(days=days, minutes=minutes))

    await move(0)

    ana, ben, cy = club.member, fake.add_user("ben"), fake.add_user("cy")
    for user in (ben, cy):
        fake.add_member(club.guild, user)
    started = await club_member(fake, club, club.manager).run("/club start", timezone="Europe/Berlin", channel=club.help)  # fmt: skip
    await started.wait_for_followups(1, TIMEOUT)

    # --- a pair: Cy is too far away; Ana and Ben are close and both practise piano -----
    far = await command(fake, club, cy, "pair", "find", {"timezone": "America/New_York"})
    assert "on the partner list" in far
    waiting = await command(
        fake, club, ana, "pair", "find", {"skill": "piano", "timezone": "Europe/Berlin"}
    )
    assert "on the partner list (Europe/Berlin, piano)" in waiting
    matched = await command(
        fake, club, ben, "pair", "find", {"skill": "Piano", "timezone": "Europe/London"}
    )
    assert "You have a practice partner" in matched
    await move(0, 1)
    thread = await fake.wait_for(
        lambda: next(
            (c for c in fake.world.channels.values()
             if c.parent_id == club.general.id
             and (c.name or "").startswith("Practice partners")),
            None,
        ),
        TIMEOUT, "the pair's private thread",
    )  # fmt: skip
    assert thread.type == ChannelType.PRIVATE_THREAD and not thread.invitable
    assert {ana.id, ben.id} <= set(
        thread.thread_member_ids
    ) and cy.id not in thread.thread_member_ids
    await fake.wait_for(lambda: titled(fake, thread, "Practice partners"), TIMEOUT, "intro")
    # A week later, the weekly prompt in their thread.
    for day in (2, 4, 6, 7):
        await move(day, 2)
    await fake.wait_for(lambda: titled(fake, thread, "Week 1 together"), TIMEOUT, "week 1")

    # Ben leaves: Ana is told kindly by DM, without a word about who or why.
    left = await command(fake, club, ben, "pair", "leave")
    assert "You've left the pair" in left
    await move(7, 3)
    note = await fake.wait_for(
        lambda: next(
            (m for m in fake.dm_messages_to(ana) if "stepped away" in embed_text(m)), None
        ),
        TIMEOUT, "the kind note",
    )  # fmt: skip
    assert "ben" not in embed_text(note).lower() and "nothing about you" in embed_text(note)

    # --- a club push: members' minutes fill one bar, edited in place ---------------------
    refused = await command(fake, club, ana, "push", "start", {"hours": 1})
    assert "moderators" in refused
    on = await command(fake, club, club.manager, "push", "start", {"hours": 1, "ends": "7 days"})
    last_day = (base + timedelta(days=14)).astimezone(BERLIN).date()
    assert f"1 hour together by {last_day:%A %d %B}" in on
    await move(7, 4)
    push_thread = await fake.wait_for(
        lambda: next((c for c in threads_in(fake, club.help) if "push" in (c.name or "")), None),
        TIMEOUT, "the push's forum post",
    )  # fmt: skip
    for user in (ana, ben, cy):
        assert "You're in" in await command(fake, club, user, "push", "join")
    for user, minutes in ((ana, 30), (ben, 20), (cy, 25)):
        logged = await club_member(fake, club, user).run("/practice log", minutes=minutes, skill="piano")  # fmt: skip
        await logged.wait_for_followups(1, TIMEOUT)
    await move(7, 11)
    goal = await fake.wait_for(
        lambda: titled(fake, push_thread, "The club reached its goal"), TIMEOUT, "the goal"
    )
    assert "1.2 hours of practice together, from 3 members" in embed_text(goal[0])
    (bar,) = [m for m in fake.messages_in(push_thread) if m.id == push_thread.id]
    assert "Goal reached!" in embed_text(bar) and bar.edited_at is not None
    edits = fake.requests_matching("PATCH", "/channels/{channel_id}/messages/{message_id}")
    assert len([r for r in edits if str(push_thread.id) in r.path]) == 1  # one burst, one edit
    for name in ("ana", "ben", "cy", "<@"):
        assert name not in embed_text(bar).lower() and name not in embed_text(goal[0]).lower()

    # The end: the final word and a reflection built from the push note's steps.
    for day in (9, 11, 13, 14):
        await move(day)
    ends_at = datetime.combine(last_day + timedelta(days=1), time(0), BERLIN)
    await move_clock(clocks, ends_at + timedelta(seconds=30))
    (end,) = await fake.wait_for(
        lambda: titled(fake, push_thread, "the end, and a reflection"), TIMEOUT, "the end"
    )
    assert "Define a before/after test" in embed_text(end)
    # Nothing was posted twice.
    assert len(titled(fake, push_thread, "The club reached its goal")) == 1
    assert len(titled(fake, thread, "Week 1 together")) == 1
    assert len([m for m in fake.dm_messages_to(ana) if "stepped away" in embed_text(m)]) == 1
