"""Issue 13 #2 in the domain: erasure in a shared crux, and a sweep that survives bad rows."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, update

from bot.clock import SimulatedClock
from bot.dialogues import Place
from bot.privacy import PrivacyService
from bot.privacy.repository import PrivacyRepository
from bot.storage import Database
from bot.storage.dialogue_models import DialogueParticipant, DialogueRow
from tests.dialogues.helpers import ALICE, BOB, START, RecordingOutbox, make_service

CLAIM = "Remote work is better for junior engineers"
BOB_POSITION = "Juniors need to sit next to seniors every day"


async def test_a_partner_erasure_ends_the_crux_and_leaves_an_exportable_transcript(
    database: Database,
) -> None:
    clock = SimulatedClock(START)
    svc = make_service(database, clock=clock)
    info = await svc.start_crux(BOB, ALICE, CLAIM, Place(guild_id=1, origin_channel_id=2))
    await svc.answer(info.id, ALICE.user_id, "accept")
    await svc.answer(info.id, BOB.user_id, "I agree")
    await svc.answer(info.id, ALICE.user_id, "I agree")
    await svc.answer(info.id, ALICE.user_id, "Juniors at home grow just as fast")
    await svc.answer(info.id, BOB.user_id, BOB_POSITION)

    report = await PrivacyService(PrivacyRepository(database), clock).delete_everything(BOB.user_id)
    assert "[deleted]" in report.describe()

    after = await svc.get(info.id)  # Bob owned it; Alice keeps it
    assert after.status == "ended" and after.owner_id == ALICE.user_id
    exported = await svc.export_markdown(info.id, ALICE.user_id)
    assert "Juniors at home grow just as fast" in exported
    assert BOB_POSITION not in exported and "[deleted]" in exported
    assert "deleted their data" in exported
    assert (await svc.sweep()).failed == []


async def test_one_bad_dialogue_is_skipped_and_the_sweep_goes_on(database: Database) -> None:
    clock = SimulatedClock(START)
    outbox = RecordingOutbox()
    svc = make_service(database, clock=clock, outbox=outbox)
    broken = await svc.start_impossible(ALICE, "Get fit", Place(channel_id=555))
    seatless = await svc.start_impossible(BOB, "Learn piano", Place(channel_id=556))
    healthy = await svc.start_impossible(ALICE, "Write a book", Place(channel_id=557))
    async with database.session() as s:
        await s.execute(
            update(DialogueRow).where(DialogueRow.id == broken.id).values(state_json="{not json")
        )
        await s.execute(
            delete(DialogueParticipant).where(DialogueParticipant.dialogue_id == seatless.id)
        )
    clock.advance(timedelta(hours=25))

    report = await svc.sweep()

    assert broken.id in report.failed
    assert healthy.id in report.reminded
    assert any(f"dlg:{healthy.id}:remind" in key for key in outbox.items)
