"""The club's social side through the domain: pairs matched by time zone and skill and
left kindly, a push whose bar is edited at most every few minutes and whose goal and
reflection come once (also with two workers), and streaks that forgive."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import SimulatedClock
from bot.club import ClubRepository, ClubService, CoachingPracticeLog
from bot.club.pairs import best_partner
from bot.club.push import END
from bot.club.social import ClubSocial, build_social
from bot.club.social_model import PairRequest
from bot.coaching import CoachingService, CoachingStore, InputProblem
from bot.coaching.streaks import current_streak, streak_run
from bot.guild_config import GuildConfigService
from bot.guild_config.repository import GuildConfigRepository
from bot.permissions import NotAllowed
from bot.privacy import PrivacyService
from bot.privacy.repository import PrivacyRepository
from bot.scheduling import (
    Delivery,
    DeliveryOutcome,
    DeliveryResult,
    Outbox,
    OutboxItem,
    Scheduler,
    SchedulerPolicy,
)
from bot.storage import Database
from tests.club.test_club import FORUM, GUILD, ThreadDeliverer, member, owner

ANA, BEN, CY, DEE = 11, 12, 13, 14
TEXT_CHANNEL = 700
START = datetime(2026, 4, 6, 9, 0, tzinfo=UTC)  # a Monday


@dataclass
class World:
    clock: SimulatedClock
    club: ClubService
    social: ClubSocial
    coaching: CoachingService
    scheduler: Scheduler
    deliverer: ThreadDeliverer
    privacy: PrivacyService


@dataclass
class FlakyDeliverer(ThreadDeliverer):
    """The first delivery of each kind in ``failing`` fails as a temporary outage would
    (Discord answered 503), so the scheduler retries it a minute later."""

    failing: set[str] = field(default_factory=set)

    async def deliver(self, delivery: Delivery) -> DeliveryOutcome:
        if delivery.kind in self.failing:
            self.failing.discard(delivery.kind)
            return DeliveryOutcome.failed("503 Service Unavailable", retry=True)
        return await super().deliver(delivery)


def build(db: Database, clock: SimulatedClock, worker: str = "w1") -> World:
    outbox = Outbox(db, clock.now)
    store = CoachingStore(db)
    config = GuildConfigService(GuildConfigRepository(db))
    coaching = CoachingService(store, outbox, clock, config)
    club = ClubService(ClubRepository(db), outbox, clock, config, CoachingPracticeLog(store))
    privacy = PrivacyService(PrivacyRepository(db), clock)
    social = build_social(db, outbox, clock, config, coaching, privacy)
    scheduler = Scheduler(outbox, clock, SchedulerPolicy(daily_unsolicited_cap=8), worker=worker)
    return World(clock, club, social, coaching, scheduler, ThreadDeliverer(), privacy)


async def run(world: World, minutes: int = 1) -> None:
    """Move on in steps of at most an hour, as a running scheduler would see time."""
    while minutes > 0:
        step = min(minutes, 60)
        world.clock.advance(timedelta(minutes=step))
        await world.scheduler.run_due(world.deliverer)
        minutes -= step


async def started(db: Database) -> World:
    world = build(db, SimulatedClock(START))
    await world.club.start(owner(), channel_id=FORUM, in_forum=True, timezone="Europe/Berlin")
    return world


def test_partners_are_matched_by_time_zone_then_skill() -> None:
    def ask(user: int, zone: str, skill: str, minute: int) -> PairRequest:
        return PairRequest(1, user, zone, skill, TEXT_CHANNEL, START + timedelta(minutes=minute))

    me = ask(ANA, "Europe/Berlin", "piano", 9)
    tokyo = ask(BEN, "Asia/Tokyo", "piano", 1)
    london = ask(CY, "Europe/London", "drawing", 2)
    paris = ask(DEE, "Europe/Paris", "Piano", 3)
    assert best_partner(me, [tokyo], START) is None  # 7 hours apart: no one
    assert best_partner(me, [me, tokyo, london], START) == london
    assert best_partner(me, [tokyo, london, paris], START) == paris  # same skill wins


async def test_a_pair_is_introduced_asked_weekly_and_left_kindly(database: Database) -> None:
    world = await started(database)
    pairs = world.social.pairs
    waiting = await pairs.request(GUILD, ANA, channel_id=TEXT_CHANNEL, skill="piano",
                                  timezone="Europe/Berlin")  # fmt: skip
    assert "on the partner list (Europe/Berlin, piano)" in waiting
    far = await pairs.request(GUILD, BEN, channel_id=TEXT_CHANNEL, timezone="Asia/Tokyo")
    assert "on the partner list" in far  # too far from Ana
    matched = await pairs.request(GUILD, CY, channel_id=TEXT_CHANNEL, skill="Piano",
                                  timezone="Europe/London")  # fmt: skip
    assert "You have a practice partner" in matched
    with pytest.raises(InputProblem, match="already have a practice partner"):
        await pairs.request(GUILD, ANA, channel_id=TEXT_CHANNEL)
    await run(world)
    (intro,) = world.deliverer.of_kind("club.pair.intro")
    assert intro.message.private_members == (ANA, CY)
    assert intro.message.channel_id == TEXT_CHANNEL and intro.message.thread_name
    assert f"<@{ANA}>" in intro.message.text and "Both of you named piano" in intro.message.text

    # One prompt a week in their thread, and a restart re-creating schedules adds none.
    for _ in range(15):
        await world.social.ensure_schedules()
        await run(world, 24 * 60)
    weekly = world.deliverer.of_kind("club.pair.week")
    assert [d.message.title for d in weekly] == ["Week 1 together", "Week 2 together"]
    thread = await pairs.store.active_pair_of(1, ANA)
    assert thread is not None and weekly[0].message.channel_id == thread.thread_id

    # Cy leaves: Ana is told kindly, once, and no more prompts come.
    assert "You've left the pair" in await pairs.leave(GUILD, CY)
    with pytest.raises(InputProblem):
        await pairs.leave(GUILD, CY)
    await run(world)
    (left,) = world.deliverer.of_kind("club.pair.left")
    assert left.user_id == ANA and "nothing about you" in left.message.text
    assert str(CY) not in left.message.text
    await run(world, 8 * 24 * 60)
    assert len(world.deliverer.of_kind("club.pair.week")) == 2
    # Ana can ask again, and Ben (waiting) can step off the list.
    assert "on the partner list" in await pairs.request(GUILD, ANA, channel_id=TEXT_CHANNEL)
    assert "off the partner list" in await pairs.leave(GUILD, BEN)


async def test_erasing_ones_data_ends_the_pair_and_the_partner_is_told_once(
    database: Database,
) -> None:
    """/mydata delete is a way of leaving: the partner gets the same kind note, naming no
    one, once, and the pair's weekly prompts stop."""
    world = await started(database)
    pairs = world.social.pairs
    for user, zone in ((ANA, "Europe/Berlin"), (CY, "Europe/London")):
        await pairs.request(GUILD, user, channel_id=TEXT_CHANNEL, timezone=zone)
    await run(world)
    assert len(world.deliverer.of_kind("club.pair.intro")) == 1

    await world.privacy.delete_everything(CY)
    await world.privacy.delete_everything(CY)  # a second press changes nothing
    await run(world)
    (left,) = world.deliverer.of_kind("club.pair.left")
    assert left.user_id == ANA and left.message.title == "Your practice pair"
    assert "stepped away" in left.message.text and "nothing about you" in left.message.text
    assert str(CY) not in left.message.text
    for _ in range(3):
        await world.social.ensure_schedules()
        await run(world, 8 * 24 * 60)
    assert world.deliverer.of_kind("club.pair.week") == []
    assert len(world.deliverer.of_kind("club.pair.left")) == 1
    assert await pairs.store.active_pair_of(1, ANA) is None


async def test_a_pair_formed_after_an_erasure_is_introduced_and_told_when_left(
    database: Database,
) -> None:
    """The erased member's pair keeps its row (and its id): SQLite hands the highest id
    out again once its row is deleted, and a new pair on that id would find the old
    pair's introduction and kind note already sent under its keys, and get neither."""
    world = await started(database)
    pairs = world.social.pairs
    for user, zone in ((ANA, "Europe/Berlin"), (CY, "Europe/London")):
        await pairs.request(GUILD, user, channel_id=TEXT_CHANNEL, timezone=zone)
    await run(world)
    await world.privacy.delete_everything(CY)
    await run(world)
    for user, zone in ((BEN, "Europe/Berlin"), (DEE, "Europe/Paris")):
        await pairs.request(GUILD, user, channel_id=TEXT_CHANNEL, timezone=zone)
    await run(world)
    intros = world.deliverer.of_kind("club.pair.intro")
    assert [d.message.private_members for d in intros] == [(ANA, CY), (BEN, DEE)]
    assert len({d.message.thread_name for d in intros}) == 2
    await pairs.leave(GUILD, DEE)
    await run(world)
    assert [d.user_id for d in world.deliverer.of_kind("club.pair.left")] == [ANA, BEN]


async def test_a_pair_formed_while_its_member_was_being_erased_ends_kindly(
    database: Database,
) -> None:
    """The erasure hook ends a member's pairs before their rows go, but a pair can form
    in between (here: an erasure with no hook). Its row stays with 0 for the erased
    member; the pair's first outbox item ends it, and the partner gets the kind note
    instead of an introduction to nobody."""
    world = await started(database)
    pairs = world.social.pairs
    for user, zone in ((ANA, "Europe/Berlin"), (CY, "Europe/London")):
        await pairs.request(GUILD, user, channel_id=TEXT_CHANNEL, timezone=zone)
    report = await PrivacyService(PrivacyRepository(database), world.clock).delete_everything(CY)
    assert "stay on record for your partner" in report.describe()
    assert "as a moderator" not in report.describe()
    await run(world)
    assert world.deliverer.of_kind("club.pair.intro") == []
    (left,) = world.deliverer.of_kind("club.pair.left")
    assert left.user_id == ANA and str(CY) not in left.message.text
    assert await pairs.store.active_pair_of(1, ANA) is None
    assert "on the partner list" in await pairs.request(GUILD, ANA, channel_id=TEXT_CHANNEL)


async def test_a_push_fills_its_bar_in_place_and_ends_with_a_reflection(
    database: Database,
) -> None:
    world = await started(database)
    push = world.social.push
    with pytest.raises(NotAllowed):
        await push.start(member(ANA), hours=2)
    reply = await push.start(owner(), hours=2, ends="7 days")
    assert "2 hours together by Monday 13 April" in reply
    with pytest.raises(InputProblem, match="already has a push"):
        await push.start(owner(), hours=5)
    await run(world)
    (opened,) = world.deliverer.of_kind("club.push.open")
    assert opened.message.thread_name and "0.0 / 2 h" in opened.message.text
    await push.join(GUILD, ANA)
    await push.join(GUILD, BEN)

    # A burst of logs is one edit of the bar, at the end of its five-minute window.
    for user, minutes in ((ANA, 30), (BEN, 20), (ANA, 10), (CY, 90)):  # Cy didn't join
        await world.coaching.log_practice(user, minutes, "piano")
    await run(world, 5)
    (bar,) = world.deliverer.of_kind("club.push.bar")
    assert bar.message.edit_message_id is not None
    assert bar.message.channel_id == bar.message.edit_message_id  # a forum post's first message
    assert "1.0 / 2 h · 50%" in bar.message.text and "2 members in" in bar.message.text
    assert world.deliverer.of_kind("club.push.goal") == []

    world.clock.advance(timedelta(days=1))
    await world.coaching.log_practice(BEN, 60, "drawing")
    await run(world, 5)
    assert "Goal reached!" in world.deliverer.of_kind("club.push.bar")[-1].message.text
    await world.coaching.log_practice(ANA, 15, "piano")
    await run(world, 5)
    (goal,) = world.deliverer.of_kind("club.push.goal")
    assert "2.0 hours of practice together, from 2 members" in goal.message.text

    await run(world, 7 * 24 * 60)
    (end,) = world.deliverer.of_kind("club.push.end")
    assert "reached its goal: 2.2 of 2 hours" in end.message.text
    assert "Define a before/after test you can run now and again at the end: how did that go?" in (
        end.message.text
    )
    assert "At the end, rerun the test" in end.message.text
    # A new push can start once this one has ended.
    assert "5 hours together" in await push.start(owner(), hours=5, ends="3 days")


@pytest.mark.parametrize("back_by", ["restart", "command"])
async def test_an_end_missed_while_every_process_was_down_still_comes_late_once(
    database: Database, back_by: str
) -> None:
    """Down from before the push's end until days after it: the end and its reflection
    still come, late and once, whether the restart's schedules or a moderator's next
    /club push start notices first."""
    world = await started(database)
    push = world.social.push
    await push.start(owner(), hours=1, ends="2 days")
    await run(world)
    (opened,) = world.deliverer.of_kind("club.push.open")
    await push.join(GUILD, ANA)
    await world.coaching.log_practice(ANA, 30, "piano")
    await run(world, 5)

    world.clock.advance(timedelta(days=4))  # every process down past the end
    if back_by == "restart":
        await world.social.ensure_schedules()
    else:
        assert "5 hours together" in await push.start(owner(), hours=5, ends="3 days")
    for _ in range(3):
        await run(world, 60)
        await world.social.ensure_schedules()
    (end,) = world.deliverer.of_kind("club.push.end")
    assert end.message.text.startswith("(A little late: the push ran to Wednesday 08 April")
    assert "0.5 of 1 hours" in end.message.text and "At the end, rerun the test" in end.message.text
    ended = await push.store.push(int(opened.key.rsplit(":", 1)[1]))
    assert ended is not None and end.message.channel_id == ended.thread_id  # as on time


async def test_an_end_whose_first_send_failed_is_posted_by_its_retry_once(
    database: Database,
) -> None:
    """A temporary delivery failure of the on-time end must not lose it: the retry posts
    the end and its reflection, on time and once, and the push is over afterwards."""
    world = await started(database)
    world.deliverer = flaky = FlakyDeliverer(failing={END})
    push = world.social.push
    await push.start(owner(), hours=1, ends="2 days")
    await run(world)
    await push.join(GUILD, ANA)
    await world.coaching.log_practice(ANA, 30, "piano")
    await run(world, 3 * 24 * 60)
    for _ in range(2):
        await world.social.ensure_schedules()
        await run(world, 2 * 24 * 60)
    assert flaky.failing == set()  # the first send did fail
    (end,) = world.deliverer.of_kind(END)
    assert end.message.text.startswith("Together: 0.5 of 1 hours")
    assert await push.store.running_pushes() == []
    assert "5 hours together" in await push.start(owner(), hours=5, ends="3 days")


@pytest.mark.parametrize("back_by", ["restart", "command"])
async def test_an_end_sent_just_before_a_crash_ends_the_push_without_posting_again(
    database: Database, monkeypatch: pytest.MonkeyPatch, back_by: str
) -> None:
    """The push is marked ended right after its end post is recorded as sent; a crash
    in between leaves it running with the post sent. The restart's schedules, or a
    command a day after the end, finish it without a second post."""
    world = await started(database)
    push = world.social.push
    await push.start(owner(), hours=1, ends="2 days")
    await run(world)

    async def crashed(item: OutboxItem, result: DeliveryResult | None) -> None:
        raise RuntimeError("the process died before the after-hook")

    end_kind = push.outbox.kinds.kinds[END]
    with monkeypatch.context() as patch:
        patch.setitem(push.outbox.kinds.kinds, END, replace(end_kind, after=crashed))
        await run(world, 3 * 24 * 60)
    assert len(world.deliverer.of_kind(END)) == 1
    assert (await push.store.running_pushes()) != []  # as the crash left it
    if back_by == "restart":
        await world.social.ensure_schedules()
        assert await push.store.running_pushes() == []
    else:
        assert "5 hours together" in await push.start(owner(), hours=5, ends="3 days")
    await run(world, 2 * 24 * 60)
    assert len(world.deliverer.of_kind(END)) == 1


async def test_two_workers_edit_the_bar_and_announce_the_goal_once(database: Database) -> None:
    clock = SimulatedClock(START)
    first, second = build(database, clock, "w1"), build(database, clock, "w2")
    await first.club.start(owner(), channel_id=FORUM, in_forum=True, timezone="UTC")
    await first.social.push.start(owner(), hours=1, ends="2 days")
    await first.social.push.join(GUILD, ANA)
    await second.social.push.join(GUILD, BEN)

    async def both() -> None:
        clock.advance(timedelta(minutes=1))
        await asyncio.gather(
            first.scheduler.run_due(first.deliverer), second.scheduler.run_due(second.deliverer)
        )

    await both()
    await asyncio.gather(
        first.coaching.log_practice(ANA, 40, "piano"),
        second.coaching.log_practice(BEN, 40, "drawing"),
    )
    for _ in range(6):
        await both()
    for _ in range(66):
        clock.advance(timedelta(minutes=59))
        await both()
    sent = first.deliverer.sent + second.deliverer.sent
    kinds = [d.kind for d in sent]
    assert kinds.count("club.push.open") == 1 and kinds.count("club.push.bar") == 1
    assert kinds.count("club.push.goal") == 1 and kinds.count("club.push.end") == 1


def test_freeze_days_keep_a_streak_through_missed_days() -> None:
    monday = date(2026, 4, 6)
    days = {monday, monday + timedelta(days=1), monday + timedelta(days=3)}
    today = monday + timedelta(days=4)
    assert current_streak(days, today) == 1  # Thursday missed
    run = streak_run(days, today, freezes_per_month=1)
    assert run.days == 3 and run.frozen == (monday + timedelta(days=2),)
    # Two misses in the same month, one freeze: the older miss still breaks it.
    sparse = {monday, monday + timedelta(days=3)}
    assert current_streak(sparse, today, freezes_per_month=1) == 1
    assert current_streak(sparse, today, freezes_per_month=2) == 2
    # Pauses stay neutral without using any freeze.
    pauses = [(monday + timedelta(days=1), monday + timedelta(days=2))]
    assert streak_run(sparse, today, "0123456", pauses, 0).days == 2


async def test_the_streak_reminder_comes_once_and_only_when_at_risk(database: Database) -> None:
    world = await started(database)
    streaks = world.social.streaks
    await world.coaching.start(ANA, timezone="Europe/Berlin", local_time="08:00")
    reply = await streaks.settings(ANA, freezes=1, remind=True, remind_time="21:00")
    assert "Freeze days: 1 a month" in reply and "a DM at 21:00 (Europe/Berlin)" in reply
    with pytest.raises(InputProblem):
        await streaks.settings(ANA, freezes=9)

    def reminders() -> list[str]:
        return [d.message.text for d in world.deliverer.of_kind("club.streak")]

    # Monday: no streak yet, nothing to lose: no reminder.
    await run(world, 13 * 60)
    assert reminders() == []
    # Tuesday: practised in the morning, nothing at risk.
    await world.coaching.log_practice(ANA, 20, "piano")
    await run(world, 24 * 60)
    assert reminders() == []
    # Wednesday 21:00 Berlin: a 1-day streak and nothing logged: one reminder.
    await run(world, 24 * 60)
    (risk,) = reminders()
    assert "Your 1 day streak" in risk and "1 freeze day left this month" in risk
    # Thursday: the freeze covered Wednesday, so the log keeps the streak going.
    log = await world.coaching.log_practice(ANA, 15, "piano")
    assert log.streak == 2
    await streaks.settings(ANA, remind=False)
    await run(world, 3 * 24 * 60)
    assert len(reminders()) == 1


async def test_club_data_is_exported_and_erased(database: Database) -> None:
    world = await started(database)
    await world.social.pairs.request(GUILD, ANA, channel_id=TEXT_CHANNEL, timezone="UTC")
    await world.social.pairs.request(GUILD, BEN, channel_id=TEXT_CHANNEL, timezone="UTC")
    await world.social.push.start(owner(), hours=2)
    await world.social.push.join(GUILD, ANA)
    await world.social.streaks.settings(ANA, freezes=2)
    tables = (await world.privacy.export(ANA))["tables"]
    assert {"club_pairs", "club_push_members", "streak_settings"} <= set(tables)
    await world.privacy.delete_everything(ANA)
    assert not {"club_pairs", "club_push_members", "streak_settings"} & set(
        (await world.privacy.export(ANA))["tables"]
    )
    # The push goes on without her, and its bar counts (never names) who is left.
    assert "0 members in" in await world.social.push.status(GUILD)


async def test_the_digest_leaves_out_someone_who_left(database: Database) -> None:
    """A member who erased their data before the digest is neither counted nor quoted;
    the digest names no one in any case."""
    world = build(database, SimulatedClock(START))
    await world.club.start(owner(), channel_id=FORUM, in_forum=True, timezone="UTC",
                           cadence="weekly", day="tue", local_time="10:00")  # fmt: skip
    await run(world, 25 * 60)
    check_in = await world.club.open_check_in(GUILD)
    for user, change in ((ANA, "Scales before pieces"), (BEN, "Sketch every morning")):
        await world.club.submit(user, check_in.id, answers="Fine week.", change=change,
                                share_hours=True, quote_change=True)  # fmt: skip
    await world.privacy.delete_everything(ANA)
    await run(world, 3 * 24 * 60)
    (digest,) = world.deliverer.of_kind("club.digest")
    assert "1 member checked in" in digest.message.text
    assert "> Sketch every morning" in digest.message.text
    assert "Scales" not in digest.message.text and "<@" not in digest.message.text
