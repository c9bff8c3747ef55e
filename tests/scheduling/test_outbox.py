"""The stored outbox: idempotent keys, restarts, grace window, closed DMs, the daily cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import SimulatedClock
from bot.scheduling import ItemStatus, Outbox, Scheduler, SchedulerPolicy
from bot.storage import Database
from bot.storage.repositories import UserRepository
from tests.scheduling.fakes import RecordingDeliverer

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def make(db: Database, clock: SimulatedClock, **policy: object) -> tuple[Outbox, Scheduler]:
    users = UserRepository(db)
    outbox = Outbox(db, clock.now)
    scheduler = Scheduler(
        outbox,
        clock,
        SchedulerPolicy(**policy),  # type: ignore[arg-type]
        dms_closed=users.dms_closed,
        mark_dms_closed=users.mark_dms_closed,
    )
    return outbox, scheduler


async def test_scheduling_a_key_twice_keeps_one_item_at_the_new_time(database: Database) -> None:
    clock = SimulatedClock(START)
    outbox, scheduler = make(database, clock)
    await outbox.schedule(7, "test", START + timedelta(hours=1), {"text": "first"}, "k")
    await outbox.schedule(7, "test", START + timedelta(hours=2), {"text": "second"}, "k")
    deliverer = RecordingDeliverer()

    clock.advance(timedelta(hours=1))
    assert (await scheduler.run_due(deliverer)).handled == 0
    clock.advance(timedelta(hours=1))
    await scheduler.run_due(deliverer)

    assert [d.message.text for d in deliverer.sent] == ["second"]
    # Scheduling the same key after it was sent never sends it again.
    await outbox.schedule(7, "test", clock.now(), {"text": "again"}, "k")
    assert (await scheduler.run_due(deliverer)).handled == 0
    assert len(deliverer.sent) == 1


async def test_cancelled_items_are_not_sent(database: Database) -> None:
    clock = SimulatedClock(START)
    outbox, scheduler = make(database, clock)
    await outbox.schedule(7, "test", START + timedelta(minutes=5), {"text": "x"}, "gone")
    assert await outbox.cancel("gone")
    clock.advance(timedelta(hours=1))
    deliverer = RecordingDeliverer()
    await scheduler.run_due(deliverer)
    assert deliverer.sent == []


async def test_a_restart_within_the_grace_window_sends_exactly_once(database: Database) -> None:
    clock = SimulatedClock(START)
    outbox, _ = make(database, clock)
    await outbox.schedule(7, "test", START + timedelta(hours=1), {"text": "morning"}, "m")
    # The bot is down from START until 90 minutes after the due time (grace: 2 h).
    clock.advance(timedelta(hours=2, minutes=30))
    deliverer = RecordingDeliverer()
    _, restarted = make(database, clock, grace=timedelta(hours=2))
    await restarted.run_due(deliverer)
    _, restarted_again = make(database, clock, grace=timedelta(hours=2))
    await restarted_again.run_due(deliverer)
    assert deliverer.keys() == ["m"]


async def test_a_dm_missed_beyond_the_grace_window_is_skipped(database: Database) -> None:
    clock = SimulatedClock(START)
    outbox, _ = make(database, clock)
    await outbox.schedule(7, "test", START + timedelta(hours=1), {"text": "stale"}, "s")
    clock.advance(timedelta(hours=5))
    deliverer = RecordingDeliverer()
    _, restarted = make(database, clock, grace=timedelta(hours=2))
    report = await restarted.run_due(deliverer)
    assert deliverer.sent == [] and report.skipped == ["s"]
    found = await outbox.get("s")
    assert found is not None and found[1] == ItemStatus.SKIPPED


async def test_closed_dms_are_tried_once_then_marked_and_never_retried(database: Database) -> None:
    clock = SimulatedClock(START)
    outbox, scheduler = make(database, clock)
    for n in range(3):
        await outbox.schedule(9, "test", START + timedelta(hours=n), {"text": f"{n}"}, f"c{n}")
    deliverer = RecordingDeliverer(closed_users={9})
    for _ in range(4):
        clock.advance(timedelta(hours=1))
        await scheduler.run_due(deliverer)
    assert len(deliverer.attempts) == 1
    users = UserRepository(database)
    assert await users.dms_closed(9)
    assert await users.take_dms_notice(9) is True
    assert await users.take_dms_notice(9) is False


async def test_transient_failures_are_retried_then_sent_once(database: Database) -> None:
    clock = SimulatedClock(START)
    outbox, scheduler = make(database, clock)
    await outbox.schedule(5, "test", START, {"text": "hi"}, "r")
    deliverer = RecordingDeliverer(failing_users={5})
    await scheduler.run_due(deliverer)
    deliverer.failing_users.clear()
    clock.advance(timedelta(minutes=2))
    await scheduler.run_due(deliverer)
    clock.advance(timedelta(hours=1))
    await scheduler.run_due(deliverer)
    assert deliverer.keys() == ["r"] and len(deliverer.attempts) == 2


async def test_the_daily_cap_limits_unsolicited_dms_but_not_replies(database: Database) -> None:
    clock = SimulatedClock(START)
    outbox, scheduler = make(database, clock, daily_unsolicited_cap=2)
    for n in range(4):
        await outbox.schedule(3, "test", START, {"text": f"u{n}"}, f"u{n}")
    await outbox.schedule(3, "test", START, {"text": "asked"}, "asked", unsolicited=False)
    deliverer = RecordingDeliverer()
    await scheduler.run_due(deliverer)
    texts = sorted(d.message.text for d in deliverer.sent)
    assert texts == ["asked", "u0", "u1"]


async def test_a_kind_renders_its_own_message_and_may_decline(database: Database) -> None:
    clock = SimulatedClock(START)
    outbox, scheduler = make(database, clock)
    from bot.scheduling import OutboxItem, OutgoingMessage

    async def render(item: OutboxItem) -> OutgoingMessage | None:
        if item.payload.get("obsolete"):
            return None
        return OutgoingMessage(text=f"Follow-up on {item.payload['topic']}")

    outbox.kinds.register("dialogue.followup", render)
    await outbox.schedule(1, "dialogue.followup", START, {"topic": "the thesis"}, "f1")
    await outbox.schedule(1, "dialogue.followup", START, {"obsolete": True}, "f2")
    deliverer = RecordingDeliverer()
    await scheduler.run_due(deliverer)
    assert [d.message.text for d in deliverer.sent] == ["Follow-up on the thesis"]


async def test_the_background_loop_wakes_when_something_is_scheduled(database: Database) -> None:
    import asyncio

    clock = SimulatedClock(START)
    outbox, scheduler = make(database, clock)
    deliverer = RecordingDeliverer()
    task = scheduler.start(deliverer)
    try:
        await outbox.schedule(1, "test", START, {"text": "now"}, "now")
        for _ in range(200):
            if deliverer.sent:
                break
            await asyncio.sleep(0.02)
    finally:
        await scheduler.stop()
    assert task.done() and deliverer.keys() == ["now"]


async def test_a_claim_left_by_a_process_that_died_mid_send_is_closed_not_resent(
    database: Database,
) -> None:
    clock = SimulatedClock(START)
    outbox, _ = make(database, clock)
    await outbox.schedule(7, "test", START, {"text": "hello"}, "mid-send")
    # The old process claimed the item, then died before recording the outcome.
    assert [i.key for i in await outbox.claim_due("dead-worker", clock.now())] == ["mid-send"]

    # A new process starts two minutes later: the claim may still be a live send.
    clock.advance(timedelta(minutes=2))
    _, restarted = make(database, clock)
    deliverer = RecordingDeliverer()
    assert (await restarted.run_due(deliverer)).handled == 0
    assert (await outbox.get("mid-send") or (None, ""))[1] == ItemStatus.CLAIMED

    # Later the same process closes it: it may have been sent, so it is never sent again.
    clock.advance(timedelta(minutes=10))
    await restarted.run_due(deliverer)
    assert (await outbox.get("mid-send") or (None, ""))[1] == ItemStatus.FAILED
    assert deliverer.attempts == []


async def test_a_dead_workers_unattempted_claims_are_sent_and_the_cut_off_one_checked(
    database: Database,
) -> None:
    """Issue 13 #6: with liveness, a dead worker's batch is taken over at once."""
    clock = SimulatedClock(START)
    outbox, _ = make(database, clock)
    for n in range(5):
        await outbox.schedule(7, "test", START, {"text": f"dm {n}"}, f"batch-{n}")
    claimed = await outbox.claim_due("dead-worker", clock.now())
    assert len(claimed) == 5
    # The dead worker had started sending the first one when it was killed.
    await outbox.mark_sending(claimed[0].id, "dead-worker", clock.now())

    async def alive(name: str | None) -> bool:
        return name == "survivor"

    survivor = Scheduler(outbox, clock, SchedulerPolicy(), worker="survivor", alive=alive)
    deliverer = RecordingDeliverer()
    report = await survivor.run_due(deliverer)
    assert sorted(report.sent) == [f"batch-{n}" for n in range(5)]
    uncertain = {d.key: d.uncertain for d in deliverer.attempts}
    assert uncertain == {"batch-0": True, **{f"batch-{n}": False for n in range(1, 5)}}
    statuses = await outbox.statuses([f"batch-{n}" for n in range(5)])
    assert set(statuses.values()) == {ItemStatus.SENT}
    # Attempts count real attempts only: the never-attempted ones were tried once.
    items = [await outbox.get(f"batch-{n}") for n in range(5)]
    assert [i[0].attempts for i in items if i] == [2, 1, 1, 1, 1]


async def test_a_live_workers_claims_are_left_alone(database: Database) -> None:
    clock = SimulatedClock(START)
    outbox, _ = make(database, clock)
    await outbox.schedule(7, "test", START, {"text": "busy"}, "busy")
    assert len(await outbox.claim_due("other", clock.now())) == 1

    async def alive(name: str | None) -> bool:
        return name in ("other", "me")

    me = Scheduler(outbox, clock, SchedulerPolicy(), worker="me", alive=alive)
    deliverer = RecordingDeliverer()
    clock.advance(timedelta(hours=1))
    assert (await me.run_due(deliverer)).handled == 0
    assert (await outbox.get("busy") or (None, ""))[1] == ItemStatus.CLAIMED


async def test_an_item_scheduled_in_a_transaction_is_stored_with_it_or_not_at_all(
    database: Database,
) -> None:
    """schedule_in writes in the caller's transaction; the scheduler wakes after commit."""
    clock = SimulatedClock(START)
    outbox = Outbox(database, clock.now)
    woken: list[str] = []
    outbox.on_schedule(lambda: woken.append("woken"))
    due = START + timedelta(hours=1)

    with pytest.raises(RuntimeError, match="crash"):
        async with database.session() as s:
            await outbox.schedule_in(s, 7, "test", due, {"text": "lost"}, "rolled-back")
            raise RuntimeError("crash before commit")
    assert await outbox.get("rolled-back") is None
    assert woken == []

    async with database.session() as s:
        await outbox.schedule_in(s, 7, "test", due, {"text": "kept"}, "committed")
        assert woken == []  # not before the commit: the item is not visible yet
    found = await outbox.get("committed")
    assert found is not None and found[1] == ItemStatus.PENDING
    assert found[0].payload == {"text": "kept"} and found[0].due_at == due
    assert woken == ["woken"]
