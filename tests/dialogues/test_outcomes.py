"""Issue 14: the follow-up closes the loop. The answer to "What happened?" is linked to
the prediction, shown in the dialogue's export and counted in the monthly review."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import SimulatedClock
from bot.coaching import CoachingService, CoachingStore
from bot.dialogues import DialogueService, Place
from bot.dialogues.outcomes import parse_held
from bot.dialogues.wiring import register_kinds
from bot.guild_config import GuildConfigService
from bot.scheduling import Outbox, Scheduler, SchedulerPolicy
from bot.storage import Database
from tests.dialogues.helpers import ALICE, START
from tests.dialogues.test_impossible import SCRIPT, run_all
from tests.scheduling.fakes import RecordingDeliverer


async def run_to(
    clock: SimulatedClock, outbox: Outbox, scheduler: Scheduler, end: datetime
) -> RecordingDeliverer:
    """Send everything due up to ``end``, each item at its own time."""
    deliverer = RecordingDeliverer()
    while True:
        await scheduler.run_due(deliverer)
        due = await outbox.next_due()
        if due is None or due > end:
            clock.set(end)
            await scheduler.run_due(deliverer)
            return deliverer
        if due > clock.now():
            clock.set(due)


async def test_what_happened_is_kept_with_the_prediction_and_counted(database: Database) -> None:
    clock = SimulatedClock(START)
    outbox = Outbox(database, clock.now)
    scheduler = Scheduler(outbox, clock, SchedulerPolicy(daily_unsolicited_cap=10))
    dialogues = DialogueService(database, clock, outbox=lambda: outbox)
    register_kinds(outbox.kinds, dialogues)
    coaching = CoachingService(
        CoachingStore(database),
        outbox,
        clock,
        GuildConfigService(database),
        predictions=dialogues.prediction_tally,
    )
    await coaching.start(ALICE.user_id, timezone="UTC", local_time="07:00")

    info = await dialogues.start_impossible(ALICE, "Write a novel this year", Place(in_dm=True))
    await run_all(dialogues, info.id, SCRIPT)  # follow-up in a week
    assert await dialogues.awaiting_outcome(ALICE.user_id) is None
    sent = await run_to(clock, outbox, scheduler, START + timedelta(days=7, hours=1))
    followup = [d.message.text for d in sent.sent if d.kind == "dialogue_followup"]
    assert len(followup) == 1 and "start with yes, partly or no" in followup[0]
    assert await dialogues.awaiting_outcome(ALICE.user_id) == info.id

    reply = await dialogues.file_dm(ALICE.user_id, "Partly: one evening back, not two")
    assert reply is not None
    assert "next to your prediction (I'll get one evening a week back; 45% now)" in reply
    assert "the prediction partly held" in reply
    assert await dialogues.awaiting_outcome(ALICE.user_id) is None
    assert await dialogues.file_dm(ALICE.user_id, "An orient answer") is None

    exported = await dialogues.export_markdown(info.id, ALICE.user_id)
    assert "## What happened\n\n**alice:**\n> Partly: one evening back, not two" in exported
    assert exported.index("## Summary") < exported.index("## What happened")

    sent = await run_to(clock, outbox, scheduler, datetime.fromisoformat("2026-04-01T19:00+00:00"))
    monthly = [d.message.text for d in sent.sent if d.kind == "coach.monthly"]
    assert monthly and "Predictions checked: 1 (held: 0, partly: 1, not: 0)." in monthly[-1]


def test_the_reply_says_whether_the_prediction_held() -> None:
    assert parse_held("Yes, it worked") == "held"
    assert parse_held("partly: half of it") == "partly"
    assert parse_held("No. The report still eats Fridays") == "not"
    assert parse_held("I wrote 3 chapters") is None
