"""Issue 14: the follow-up closes the loop. The answer to "What happened?" is linked to
the prediction, shown in the dialogue's export and counted in the monthly review."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import SimulatedClock
from bot.coaching import CoachingService, CoachingStore
from bot.dialogues import DialogueService, Place
from bot.dialogues.outcomes import parse_held
from bot.dialogues.records import FOLLOWUP_KIND
from bot.dialogues.wiring import register_kinds
from bot.guild_config import GuildConfigService
from bot.guild_config.repository import GuildConfigRepository
from bot.scheduling import ItemStatus, Outbox, Scheduler, SchedulerPolicy
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
        GuildConfigService(GuildConfigRepository(database)),
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


class CrashingOutbox(Outbox):
    """Fails the first write of a follow-up, as a crash at that moment would."""

    crashes = 1

    def _crash(self, kind: str) -> None:
        if kind == FOLLOWUP_KIND and self.crashes:
            self.crashes -= 1
            raise RuntimeError("crash while scheduling the follow-up")

    async def schedule(self, user_id: int, kind: str, *args: Any, **kwargs: Any) -> None:
        self._crash(kind)
        await super().schedule(user_id, kind, *args, **kwargs)

    async def schedule_in(
        self, session: AsyncSession, user_id: int, kind: str, *args: Any, **kwargs: Any
    ) -> None:
        self._crash(kind)
        await super().schedule_in(session, user_id, kind, *args, **kwargs)


async def test_the_summary_and_its_follow_up_are_stored_together_or_not_at_all(
    database: Database,
) -> None:
    """A crash while the follow-up is scheduled must not leave an ended dialogue without
    its "What happened?" DM: the last answer is not taken, and answering again ends the
    dialogue with its follow-up in the outbox, nothing kept aside in the state."""
    clock = SimulatedClock(START)
    outbox = CrashingOutbox(database, clock.now)
    dialogues = DialogueService(database, clock, outbox=lambda: outbox)
    info = await dialogues.start_impossible(ALICE, "Write a novel this year", Place(in_dm=True))
    await run_all(dialogues, info.id, SCRIPT[:-1])
    key = f"dlg:{info.id}:followup"

    with pytest.raises(RuntimeError, match="crash"):
        await dialogues.answer(info.id, ALICE.user_id, SCRIPT[-1])
    assert (await dialogues.get(info.id)).status == "active"
    assert await outbox.get(key) is None

    turn = await dialogues.answer(info.id, ALICE.user_id, SCRIPT[-1])
    assert turn.finished and (await dialogues.get(info.id)).status == "ended"
    found = await outbox.get(key)
    assert found is not None and found[1] == ItemStatus.PENDING
    item = found[0]
    assert item.kind == FOLLOWUP_KIND and item.user_id == ALICE.user_id
    assert item.due_at == START + timedelta(weeks=1)
    assert item.payload["dialogue_id"] == info.id and "What happened?" in item.payload["text"]
    row = await dialogues.repo.row(info.id)
    assert row is not None and "_followups" not in json.loads(row.state_json)
