"""Coaching through the domain: DST-correct mornings, stored answers, streaks, pushes, reviews."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.clock import SimulatedClock
from bot.coaching import CoachingService, CoachingStore, InputProblem, ProfileStatus, PushStatus
from bot.coaching import text as wording
from bot.coaching.streaks import current_streak
from bot.coaching.timeparse import parse_days, parse_local_time, parse_timezone
from bot.guild_config import GuildConfigService
from bot.guild_config.repository import GuildConfigRepository
from bot.scheduling import Outbox, Scheduler, SchedulerPolicy
from bot.storage import Database
from bot.storage.coaching_models import OrientAnswer
from tests.scheduling.fakes import RecordingDeliverer

USER = 42
# Friday 27 March 2026; Berlin moves to summer time on Sunday 29 March at 02:00.
START = datetime(2026, 3, 27, 5, 0, tzinfo=UTC)


def build(db: Database, clock: SimulatedClock) -> tuple[CoachingService, Scheduler]:
    outbox = Outbox(db, clock.now)
    coaching = CoachingService(
        CoachingStore(db), outbox, clock, GuildConfigService(GuildConfigRepository(db))
    )
    return coaching, Scheduler(outbox, clock, SchedulerPolicy(daily_unsolicited_cap=10))


async def run_until(
    scheduler: Scheduler, clock: SimulatedClock, deliverer: RecordingDeliverer, end: datetime
) -> list[tuple[datetime, str]]:
    """Advance in 15-minute steps, recording when each DM went out."""
    seen: list[tuple[datetime, str]] = []
    while clock.now() < end:
        clock.advance(timedelta(minutes=15))
        before = len(deliverer.sent)
        await scheduler.run_due(deliverer)
        seen += [(clock.now(), d.kind) for d in deliverer.sent[before:]]
    return seen


async def test_orient_dm_keeps_local_time_across_the_dst_change(database: Database) -> None:
    clock = SimulatedClock(START)
    coaching, scheduler = build(database, clock)
    await coaching.start(USER, timezone="berlin", local_time="7:00", days="every day")
    deliverer = RecordingDeliverer()
    seen = await run_until(scheduler, clock, deliverer, datetime(2026, 3, 31, 6, 0, tzinfo=UTC))
    berlin_times = [
        when.astimezone(ZoneInfo("Europe/Berlin")).strftime("%d %H:%M")
        for when, kind in seen
        if kind == "coach.orient"
    ]
    assert berlin_times == ["27 07:00", "28 07:00", "29 07:00", "30 07:00", "31 07:00"]


async def test_answers_to_the_orient_dm_are_stored(database: Database) -> None:
    clock = SimulatedClock(START)
    coaching, scheduler = build(database, clock)
    await coaching.start(USER, timezone="Europe/Berlin", local_time="07:00")
    deliverer = RecordingDeliverer()
    await run_until(scheduler, clock, deliverer, datetime(2026, 3, 28, 6, 0, tzinfo=UTC))
    orient = deliverer.sent[-1].message
    assert "most important thing" in orient.text
    assert orient.actions and orient.actions[0].name == "orient.quick"

    first = await coaching.record_dm(USER, "Finish the chapter draft.")
    second = await coaching.record_dm(USER, "Yes, roughly on track.")
    assert first.stored and second.stored and first.session_id == second.session_id
    quick = wording.quick_version(await coaching.quick_version(int(orient.actions[0].ref), USER))
    assert "first two" in quick.lower()
    assert await coaching.quick_version(int(orient.actions[0].ref), USER + 1) is None
    async with database.session() as session:
        texts = list(await session.scalars(select(OrientAnswer.text).order_by(OrientAnswer.id)))
    assert texts == ["Finish the chapter draft.", "Yes, roughly on track."]


async def test_a_dm_with_nothing_to_answer_is_not_silently_stored(database: Database) -> None:
    clock = SimulatedClock(START)
    coaching, _ = build(database, clock)
    filing = await coaching.record_dm(USER, "hello?")
    assert not filing.stored and "didn't store" in wording.dm_filed(filing)


async def test_own_prompts_replace_the_server_default_which_replaces_the_corpus(
    database: Database,
) -> None:
    clock = SimulatedClock(START)
    coaching, _ = build(database, clock)
    await coaching.start(USER, timezone="UTC", local_time="08:00", guild_id=5)
    prompts, source = await coaching.prompts(USER)
    assert source == "default" and len(prompts) >= 3
    await coaching.set_server_default_prompts(5, ["What will I ship today?"])
    assert await coaching.prompts(USER) == (["What will I ship today?"], "server")
    await coaching.add_prompt(USER, "What am I avoiding?")
    await coaching.move_prompt(USER, 2, 1)
    await coaching.edit_prompt(USER, 2, "What will I finish today?")
    assert await coaching.prompts(USER) == (
        ["What am I avoiding?", "What will I finish today?"],
        "yours",
    )
    await coaching.remove_prompt(USER, 1)
    assert (await coaching.prompts(USER))[0] == ["What will I finish today?"]
    with pytest.raises(InputProblem):
        await coaching.remove_prompt(USER, 3)


async def test_pausing_stops_dms_and_keeps_the_streak(database: Database) -> None:
    clock = SimulatedClock(datetime(2026, 4, 1, 5, 0, tzinfo=UTC))
    coaching, scheduler = build(database, clock)
    await coaching.start(USER, timezone="UTC", local_time="06:00")
    await coaching.log_practice(USER, 20, "writing")
    await coaching.pause_until(USER, "2026-04-04")
    deliverer = RecordingDeliverer()
    seen = await run_until(scheduler, clock, deliverer, datetime(2026, 4, 5, 7, 0, tzinfo=UTC))
    orient_days = [when.date() for when, kind in seen if kind == "coach.orient"]
    assert orient_days == [date(2026, 4, 5)]
    result = await coaching.log_practice(USER, 15, "Writing")
    assert result.streak == 2  # 1 April and 5 April, the pause in between is neutral
    assert wording.logged(result).startswith("Logged 15 min of writing")


def test_streaks_skip_rest_days_and_pauses_but_break_on_missed_days() -> None:
    monday = date(2026, 3, 2)
    days = {monday, monday + timedelta(days=1), monday + timedelta(days=7)}
    # Weekdays only, with a pause from Wednesday to Friday of the first week.
    pauses = [(monday + timedelta(days=2), monday + timedelta(days=4))]
    assert current_streak(days, monday + timedelta(days=7), "01234", pauses) == 3
    assert current_streak(days, monday + timedelta(days=7), "01234", []) == 1
    # Today without practice yet doesn't break it.
    assert current_streak(days, monday + timedelta(days=8), "01234", pauses) == 3


async def test_a_push_reports_milestones_and_asks_for_reflection(database: Database) -> None:
    clock = SimulatedClock(START)
    coaching, scheduler = build(database, clock)
    await coaching.start_push(USER, "sight-reading", 2)
    first = await coaching.log_practice(USER, 60, "sight-reading")
    assert any("50%" in m for m in first.milestones)
    second = await coaching.log_practice(USER, 60, "sight-reading")
    assert any("40-hour" in m for m in second.milestones)
    deliverer = RecordingDeliverer()
    await scheduler.run_due(deliverer)
    assert deliverer.sent and deliverer.sent[0].message.title == "Push complete"
    reflected = await coaching.reflect_push(USER, "Daily short sessions worked.")
    assert "saved" in wording.push_reflected(reflected)
    assert reflected is not None and reflected.status is PushStatus.DONE


async def test_the_weekly_review_carries_a_chart_and_the_numbers(database: Database) -> None:
    clock = SimulatedClock(datetime(2026, 3, 23, 5, 0, tzinfo=UTC))  # a Monday
    coaching, scheduler = build(database, clock)
    await coaching.start(USER, timezone="Europe/Berlin", local_time="07:00")
    deliverer = RecordingDeliverer()
    await run_until(scheduler, clock, deliverer, datetime(2026, 3, 24, 9, 0, tzinfo=UTC))
    await coaching.record_dm(USER, "The most important thing is the grant report.")
    await coaching.log_practice(USER, 25, "writing")
    await run_until(scheduler, clock, deliverer, datetime(2026, 3, 29, 18, 0, tzinfo=UTC))
    weekly = [d.message for d in deliverer.sent if d.kind == "coach.weekly"]
    assert len(weekly) == 1
    assert "25 min" in weekly[0].text and "grant report" in weekly[0].text
    assert weekly[0].attachments[0].data.startswith(b"\x89PNG")


def test_forgiving_input_and_clear_refusals() -> None:
    assert parse_timezone("new york") == "America/New_York"
    assert parse_timezone("Europe/Berlin") == "Europe/Berlin"
    assert parse_local_time("7:30pm") == "19:30"
    assert parse_days("mon-fri") == "01234"
    with pytest.raises(InputProblem, match="Did you mean"):
        parse_timezone("Berln")
    with pytest.raises(InputProblem):
        parse_local_time("25:00")


async def test_server_defaults_come_from_the_server_configuration(database: Database) -> None:
    from bot.guild_config import GuildConfig, GuildConfigService

    configs = GuildConfigService(GuildConfigRepository(database))
    service, _scheduler = build(database, SimulatedClock(START))
    service.guild_config = configs
    await service.set_server_default_prompts(77, ["What will I ship today?"], actor_id=5)
    assert await service.server_default_prompts(77) == ["What will I ship today?"]
    assert (await configs.get(77)).coaching.default_prompts == ["What will I ship today?"]
    assert [h.key for h in await configs.history(77)] == ["coaching.default_prompts"]

    def later(config: GuildConfig) -> GuildConfig:
        changed = config.model_copy(deep=True)
        changed.coaching.default_time = "06:15"
        return changed

    await configs.update(77, later, actor_id=5)
    view = await service.start(1, timezone="Europe/Berlin", guild_id=77)
    assert "06:15" in wording.schedule(view)


async def test_a_member_receives_the_server_default_prompts_in_the_morning_dm(
    database: Database,
) -> None:
    """Issue 14 #6: the prompts saved in the server configuration reach members' DMs,
    whether set with /coach server-prompts or with /config set."""
    from bot.guild_config import GuildConfigService

    configs = GuildConfigService(GuildConfigRepository(database))
    clock = SimulatedClock(START)
    service, scheduler = build(database, clock)
    service.guild_config = configs
    await service.start(USER, timezone="UTC", local_time="08:00", guild_id=77)
    await service.start(USER + 1, timezone="UTC", local_time="08:00", guild_id=78)
    await service.set_server_default_prompts(77, ["What will I ship today?"], actor_id=5)
    await configs.set_value(78, "coaching.default_prompts", "Who needs me? | What can wait?", 5)
    assert await service.prompts(USER) == (["What will I ship today?"], "server")

    deliverer = RecordingDeliverer()
    await run_until(scheduler, clock, deliverer, datetime(2026, 3, 27, 8, 30, tzinfo=UTC))
    received = {d.user_id: d.message.text for d in deliverer.sent if d.kind == "coach.orient"}
    assert received[USER].startswith("1. What will I ship today?\n\n")
    assert "most important thing" not in received[USER]
    assert received[USER + 1].startswith("1. Who needs me?\n2. What can wait?\n\n")


async def test_invisible_notes_prompts_and_dms_are_refused(database: Database) -> None:
    """Issue 13 #12: zero-width text is refused with a message, never stored as written."""
    clock = SimulatedClock(START)
    coaching, _scheduler = build(database, clock)
    await coaching.start(USER, timezone="Europe/Berlin", local_time="07:00")
    invisible = "\u200b\u200d\ufeff"
    with pytest.raises(InputProblem, match="invisible characters"):
        await coaching.log_practice(USER, 20, "writing", noticed=invisible)
    with pytest.raises(InputProblem):
        await coaching.log_practice(USER, 20, invisible)
    with pytest.raises(InputProblem, match="invisible characters"):
        await coaching.add_prompt(USER, invisible)
    filing = await coaching.record_dm(USER, invisible)
    assert not filing.stored and "invisible characters" in wording.dm_filed(filing)


async def test_a_push_asks_for_its_before_after_test_at_the_start(database: Database) -> None:
    """Issue 14: the test a push is judged by is asked for at the start, and the finish
    asks for it again next to the result before."""
    clock = SimulatedClock(START)
    coaching, scheduler = build(database, clock)
    started = wording.push_started(await coaching.start_push(USER, "sight-reading", 2))
    assert "what before/after test will this push be judged by?" in started
    assert "/practice push test" in started
    text = wording.push_test_set(
        await coaching.set_push_test(USER, "Sight-read one new page", "11 stops")
    )
    assert "Sight-read one new page" in text and "Before: 11 stops" in text
    await coaching.log_practice(USER, 120, "sight-reading")
    deliverer = RecordingDeliverer()
    await scheduler.run_due(deliverer)
    done = deliverer.sent[0].message.text
    assert "do your before/after test again: Sight-read one new page (before: 11 stops)" in done
    other = wording.push_started(
        await coaching.start_push(USER, "scales", 20, test="C major at 100 bpm", before="3 slips")
    )
    assert "Your before/after test: C major at 100 bpm. Before: 3 slips." in other
    assert "judged by?" not in other


async def test_two_milestones_in_one_session_state_their_own_figures(database: Database) -> None:
    clock = SimulatedClock(START)
    coaching, _scheduler = build(database, clock)
    await coaching.start_push(USER, "sight-reading", 2)
    result = await coaching.log_practice(USER, 70, "sight-reading")
    assert result.milestones[:2] == (
        "Milestone: 25% of your sight-reading push (0.5 of 2 h).",
        "Milestone: 50% of your sight-reading push (1.0 of 2 h).",
    )
    assert "You're at 1.2 h now." in result.milestones


async def test_push_commands_return_values_the_text_module_words(database: Database) -> None:
    """Issue 16: the push methods return values; ``bot.coaching.text`` words them."""
    clock = SimulatedClock(START)
    coaching, _scheduler = build(database, clock)
    assert await coaching.push_status(USER) == []
    assert wording.push_status([]).startswith("No push under way.")
    assert await coaching.set_push_test(USER, "Scales at 100 bpm") is None
    assert await coaching.reflect_push(USER, "Nothing yet.") is None

    started = await coaching.start_push(USER, "scales", 10, test="C major at 100 bpm")
    assert started.created
    assert (started.push.skill, started.push.target_hours) == ("scales", 10)
    assert (started.push.test, started.push.test_before) == ("C major at 100 bpm", None)
    assert started.push.status is PushStatus.ACTIVE
    await coaching.log_practice(USER, 90, "scales")
    again = await coaching.start_push(USER, "Scales", 20)
    assert not again.created and again.push.id == started.push.id
    assert wording.push_started(again) == "You already have a push on scales: 1.5 of 10 h (15%)."
    (status,) = await coaching.push_status(USER)
    assert (status.hours_done, status.percent) == (1.5, 15)
    assert wording.push_status([status]) == "scales: 1.5 of 10 h (15%)"

    tested = await coaching.set_push_test(USER, "C major at 120 bpm", "4 slips")
    assert tested is not None and (tested.test, tested.test_before) == (
        "C major at 120 bpm",
        "4 slips",
    )

    missing = await coaching.stop_push(USER, "piano")
    assert missing.push is None
    assert wording.push_stopped(missing) == "No push under way on 'piano'."
    stopped = await coaching.stop_push(USER, "SCALES")
    assert stopped.push is not None and stopped.push.status is PushStatus.STOPPED
    assert (
        wording.push_stopped(stopped) == "Push on scales stopped. Its practice stays in your log."
    )
    assert await coaching.push_status(USER) == []
    (row,) = await coaching.store.pushes(USER, status=None)
    assert row.status == "stopped"


async def test_profile_statuses_are_stored_as_the_same_strings(database: Database) -> None:
    clock = SimulatedClock(START)
    coaching, _scheduler = build(database, clock)
    view = await coaching.start(USER, timezone="Europe/London", local_time="07:30")
    assert view.profile.status is ProfileStatus.ACTIVE
    paused = await coaching.pause_until(USER, "tomorrow")
    assert paused.profile.status is ProfileStatus.PAUSED
    assert await coaching.stop(USER) is True
    assert await coaching.stop(USER) is False
    assert wording.coaching_stopped(False) == "Coaching wasn't on. /coach start sets it up."
    profile = await coaching.profile(USER)
    assert profile is not None and profile.status is ProfileStatus.STOPPED
    assert [str(s) for s in ProfileStatus] == ["active", "paused", "stopped"]
    assert [str(s) for s in PushStatus] == ["active", "done", "stopped"]
