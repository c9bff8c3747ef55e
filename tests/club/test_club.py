"""The practice club through the domain: DST-correct openings, consent in the digest,
one post per check-in even with two workers, moderator checks, audited questions."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import SimulatedClock
from bot.club import ClubRepository, ClubService, CoachingPracticeLog
from bot.club.calendar import next_occurrence
from bot.coaching import CoachingService, CoachingStore, InputProblem
from bot.guild_config import GuildConfigService
from bot.guild_config.repository import GuildConfigRepository
from bot.permissions import MemberFacts, NotAllowed
from bot.scheduling import Delivery, DeliveryOutcome, Outbox, Scheduler, SchedulerPolicy
from bot.storage import Database

GUILD, FORUM, OWNER = 500, 600, 1
ANA, BEN, CY = 11, 12, 13
BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 2, 20, 12, 0, tzinfo=UTC)
_threads = itertools.count(9000)


@dataclass
class ThreadDeliverer:
    """Records deliveries; a message with a thread name opens a (numbered) thread."""

    sent: list[Delivery] = field(default_factory=list)

    async def deliver(self, delivery: Delivery) -> DeliveryOutcome:
        self.sent.append(delivery)
        if delivery.message.thread_name:
            return DeliveryOutcome.sent(posted_to=next(_threads))
        return DeliveryOutcome.sent()

    def of_kind(self, kind: str) -> list[Delivery]:
        return [d for d in self.sent if d.kind == kind]


def owner() -> MemberFacts:
    return MemberFacts(OWNER, GUILD, OWNER, 0, frozenset())


def member(user_id: int) -> MemberFacts:
    return MemberFacts(user_id, GUILD, OWNER, 0, frozenset())


@dataclass
class World:
    clock: SimulatedClock
    club: ClubService
    coaching: CoachingService
    scheduler: Scheduler
    deliverer: ThreadDeliverer


def build(db: Database, clock: SimulatedClock, worker: str = "w1") -> World:
    outbox = Outbox(db, clock.now)
    store = CoachingStore(db)
    coaching = CoachingService(store, outbox, clock, GuildConfigService(GuildConfigRepository(db)))
    club = ClubService(
        ClubRepository(db),
        outbox,
        clock,
        GuildConfigService(GuildConfigRepository(db)),
        CoachingPracticeLog(store),
    )
    scheduler = Scheduler(outbox, clock, SchedulerPolicy(daily_unsolicited_cap=8), worker=worker)
    return World(clock, club, coaching, scheduler, ThreadDeliverer())


async def advance_to(world: World, end: datetime) -> None:
    while world.clock.now() < end:
        world.clock.advance(timedelta(minutes=30))
        await world.scheduler.run_due(world.deliverer)


def test_monthly_openings_keep_local_time_across_dst() -> None:
    from bot.club.model import Cadence, Club, ClubStatus

    club = Club(1, GUILD, FORUM, True, Cadence.MONTHLY, 1, "19:00", "Europe/Berlin", 3,
                ClubStatus.ACTIVE)  # fmt: skip
    march = next_occurrence(club, START)
    april = next_occurrence(club, march.opens_at)
    assert march.opens_at.astimezone(UTC).hour == 18  # CET
    assert april.opens_at.astimezone(UTC).hour == 17  # CEST
    assert april.covers_from == date(2026, 3, 1) and april.covers_to == date(2026, 3, 31)
    assert april.closes_at.astimezone(BERLIN).strftime("%d %H:%M") == "04 19:00"


async def test_a_monthly_club_across_dst_with_consent_in_the_digest(database: Database) -> None:
    world = build(database, SimulatedClock(START))
    club = world.club
    reply = await club.start(
        owner(), channel_id=FORUM, in_forum=True, timezone="Berlin", day="1", local_time="19:00"
    )
    assert "Sunday 01 March, 19:00 2026 (Europe/Berlin)" in reply
    await club.set_reminder(GUILD, CY, True)

    # March opens at 19:00 CET (18:00 UTC), in a new thread, with the note's questions.
    await advance_to(world, datetime(2026, 3, 1, 18, 30, tzinfo=UTC))
    (march,) = world.deliverer.of_kind("club.open")
    assert march.message.thread_name == "Check-in · 01 March 2026"
    assert march.message.channel_id == FORUM
    assert "What is one change to your practice for next month" in march.message.text
    # The March check-in closes on the 4th; nobody answered: no chart, nobody named.
    await advance_to(world, datetime(2026, 3, 4, 18, 30, tzinfo=UTC))
    (quiet,) = world.deliverer.of_kind("club.digest")
    assert "Nobody checked in" in quiet.message.text and not quiet.message.attachments

    # March's practice: Ana and Ben log; Cy doesn't.
    for day, minutes in ((5, 60), (10, 90), (20, 30), (30, 60)):
        world.clock.set(datetime(2026, 3, day, 20, 0, tzinfo=UTC))
        await world.coaching.log_practice(ANA, minutes, "piano")
        await world.coaching.log_practice(BEN, 45, "drawing")
    # April opens at 19:00 CEST, which is 17:00 UTC after the change on 29 March.
    await advance_to(world, datetime(2026, 4, 1, 17, 10, tzinfo=UTC))
    opens = world.deliverer.of_kind("club.open")
    assert len(opens) == 2
    april_at = world.clock.now()
    assert april_at.astimezone(BERLIN).strftime("%d %H") == "01 19"
    check_in = await club.open_check_in(GUILD)
    assert check_in.thread_id is not None

    form = await club.form(ANA, check_in.id)
    assert "4.0 h" in form.starting_point and "piano" in form.starting_point
    assert form.starting_point in form.answers  # offered, only to Ana, in her form
    assert not form.share_hours and not form.quote_change  # nothing shared by default
    await club.submit(
        ANA, check_in.id, answers=form.answers, change="Scales before pieces",
        share_hours=True, quote_change=True,
    )  # fmt: skip
    await club.submit(
        BEN, check_in.id, answers="Drew most days.", change="Draw from life on Sundays",
        share_hours=False, quote_change=False,
    )  # fmt: skip
    assert await club.thread_reply(check_in.thread_id, CY, "Busy month, no practice.")
    assert not await club.thread_reply(123, CY, "not a check-in thread")

    await advance_to(world, datetime(2026, 4, 4, 17, 30, tzinfo=UTC))
    digest_post = world.deliverer.of_kind("club.digest")[-1]
    text = digest_post.message.text
    assert digest_post.message.channel_id == check_in.thread_id
    assert "3 members checked in" in text
    assert "shared by 1 of them: 4.0 h" in text  # Ana's hours only, not Ben's 3.0 h
    assert "> Scales before pieces" in text
    assert "Draw from life" not in text  # Ben did not agree to be quoted
    (chart,) = digest_post.message.attachments
    assert chart.data.startswith(b"\x89PNG")
    digest = await club.digest(check_in)
    assert sum(w.hours for w in digest.weeks) == pytest.approx(4.0)
    # Cy opted in to reminders but checked in by replying: no reminder for April.
    reminders = world.deliverer.of_kind("club.remind")
    assert [d.user_id for d in reminders] == [CY]  # March's only
    assert "Nothing in your practice log" in reminders[0].message.text


async def test_two_workers_post_each_check_in_once(database: Database) -> None:
    clock = SimulatedClock(datetime(2026, 2, 28, 12, 0, tzinfo=UTC))
    first, second = build(database, clock, "w1"), build(database, clock, "w2")
    await first.club.start(owner(), channel_id=FORUM, in_forum=True, timezone="UTC", day="1")
    while clock.now() < datetime(2026, 3, 5, tzinfo=UTC):
        clock.advance(timedelta(hours=1))
        await asyncio.gather(
            first.scheduler.run_due(first.deliverer), second.scheduler.run_due(second.deliverer)
        )
    opens = first.deliverer.of_kind("club.open") + second.deliverer.of_kind("club.open")
    digests = first.deliverer.of_kind("club.digest") + second.deliverer.of_kind("club.digest")
    assert len(opens) == 1 and len(digests) == 1
    # A restart re-creating schedules adds nothing new for March.
    await first.club.ensure_schedules()
    await second.club.ensure_schedules()
    clock.advance(timedelta(hours=1))
    await first.scheduler.run_due(first.deliverer)
    assert len(first.deliverer.of_kind("club.open") + second.deliverer.of_kind("club.open")) == 1


async def test_only_moderators_run_the_club_and_questions_are_audited(database: Database) -> None:
    world = build(database, SimulatedClock(START))
    with pytest.raises(NotAllowed):
        await world.club.start(member(ANA), channel_id=FORUM, in_forum=True, timezone="UTC")
    with pytest.raises(InputProblem):
        await world.club.start(owner(), channel_id=FORUM, in_forum=True, timezone="UTC", day="31")
    await world.club.start(owner(), channel_id=FORUM, in_forum=True, timezone="UTC")
    with pytest.raises(NotAllowed):
        await world.club.pause(member(ANA))
    default = await world.club.questions(GUILD)
    assert default[0].startswith("How did the last month go?")
    saved = await world.club.set_questions(owner(), ["How did it go?", "One change, please?"])
    assert saved == ["How did it go?", "One change, please?"]
    history = await world.club.guild_config.history(GUILD)
    assert history[0].key == "club.check_in_questions" and history[0].actor_id == OWNER
    assert "paused" in await world.club.pause(owner())
    await advance_to(world, datetime(2026, 3, 2, tzinfo=UTC))
    assert world.deliverer.of_kind("club.open") == []  # paused: no check-in
    await world.club.start(owner(), channel_id=FORUM, in_forum=True, timezone="UTC", day="3")
    await advance_to(world, datetime(2026, 3, 3, 20, tzinfo=UTC))
    (opened,) = world.deliverer.of_kind("club.open")
    assert "1. How did it go?" in opened.message.text
