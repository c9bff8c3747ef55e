"""Guided exercises come from notes: steps, a real timer, early exit."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.dialogues import InvalidAnswer, Place
from bot.storage import Database
from bot.storage.dialogue_models import DialogueEvent
from knowledge.note import SHIPPED_NOTES_DIR, load_notes
from tests.dialogues.helpers import ALICE, START, RecordingOutbox, make_service

NOTES = {note.id: note for note in load_notes([SHIPPED_NOTES_DIR])[0]}


@pytest.mark.parametrize(
    "note_id",
    ["resolve-cycle", "goal-factoring", "aversion-factoring", "murphyjitsu", "think-it-faster"],
)
def test_required_exercises_have_steps(note_id: str) -> None:
    assert len(NOTES[note_id].steps) >= 4


async def test_resolve_cycle_timer_pings_and_early_exit(database: Database) -> None:
    outbox = RecordingOutbox()
    svc = make_service(database, outbox=outbox)
    info = await svc.start_exercise(ALICE, NOTES["resolve-cycle"], Place(channel_id=77, in_dm=True))
    await svc.answer(info.id, ALICE.user_id, "Fix my sleep schedule")
    timer_step = [
        d for d in await svc.pending_deliveries(info.id) if d.prompt and d.prompt.timer_minutes
    ]
    assert len(timer_step) == 1
    await svc.prepare(timer_step[0])
    await svc.prepare(timer_step[0])  # idempotent: one timer
    timers = [v for k, v in outbox.items.items() if ":timer:" in k]
    assert len(timers) == 1 and timers[0]["due_at"] == START + timedelta(minutes=5)
    assert "minutes are up" in timers[0]["text"]
    await svc.answer(info.id, ALICE.user_id, "Set an alarm for 23:00 and put the phone away")
    with pytest.raises(InvalidAnswer):
        await svc.answer(info.id, ALICE.user_id, "maybe")
    turn = await svc.answer(info.id, ALICE.user_id, "yes")
    assert turn.finished
    summary = await svc.summary(info.id)
    assert summary is not None and "Set an alarm" in summary.text


async def test_protocol_notes_route_to_their_protocol(database: Database) -> None:
    svc = make_service(database)
    info = await svc.start_exercise(ALICE, NOTES["why-is-this-impossible"], Place())
    assert info.kind == "impossible"
    prompt = await svc.current_prompt(info.id)
    assert prompt is not None and prompt.key == "goal"


async def test_a_stale_timer_is_cancelled_however_its_mark_is_formatted(
    database: Database,
) -> None:
    """Which questions started a timer is read from their meta, not matched in its
    JSON text: a compact encoding (another serializer, a JSONB round trip) still counts."""
    outbox = RecordingOutbox()
    svc = make_service(database, outbox=outbox)
    info = await svc.start_exercise(ALICE, NOTES["resolve-cycle"], Place(in_dm=True))
    await svc.answer(info.id, ALICE.user_id, "Fix my sleep schedule")
    (timed,) = [
        d for d in await svc.pending_deliveries(info.id) if d.prompt and d.prompt.timer_minutes
    ]
    await svc.prepare(timed)
    async with database.session() as s:
        event = await s.get(DialogueEvent, timed.event_id)
        assert event is not None
        event.meta_json = json.dumps(json.loads(event.meta_json), separators=(",", ":"))
    assert [k for k in outbox.items if ":timer:" in k]

    await svc.answer(info.id, ALICE.user_id, "Set an alarm for 23:00 and put the phone away")
    assert [k for k in outbox.items if ":timer:" in k] == []
