"""Double crux through the engine: invitation, hidden cruxes, taboo, confirmation, test."""

from __future__ import annotations

import pytest

from bot.dialogues import DialogueService, InvalidAnswer, NotAParticipant, NotYourTurn, Place
from bot.dialogues.wiring import embedding_similarity
from bot.rendering.summaries import summary_png
from bot.storage import Database
from knowledge.embeddings import shared_embeddings
from tests.dialogues.helpers import ALICE, BOB, CAROL, RecordingOutbox, make_service

CLAIM = "Remote work is better for junior engineers"
A_CRUX = "Juniors learn faster from code review than from sitting together"
B_CRUX = "Juniors learn more by sitting together than from code review"


async def to_cruxes(svc: DialogueService) -> int:
    info = await svc.start_crux(ALICE, BOB, CLAIM, Place(guild_id=1, origin_channel_id=2))
    with pytest.raises(NotYourTurn):
        await svc.answer(info.id, ALICE.user_id, "accept")
    await svc.answer(info.id, BOB.user_id, "accept")
    await svc.answer(info.id, ALICE.user_id, "I agree")
    await svc.answer(info.id, BOB.user_id, "I agree")
    await svc.answer(info.id, ALICE.user_id, "Juniors at home grow just as fast")
    await svc.answer(info.id, BOB.user_id, "Juniors need to sit next to seniors")
    await svc.answer(info.id, BOB.user_id, "70")
    await svc.answer(info.id, ALICE.user_id, "65%")
    await svc.answer(info.id, BOB.user_id, "grow")  # taboo: built-in 'better' plus 'grow'
    with pytest.raises(InvalidAnswer, match="'grow'"):
        await svc.answer(info.id, ALICE.user_id, "Juniors at home grow their skills as fast")
    await svc.answer(info.id, ALICE.user_id, "Remote juniors close as many tickets by month 6")
    await svc.answer(info.id, BOB.user_id, "Office juniors close more tickets by month 6")
    return info.id


async def test_cruxes_stay_hidden_until_both_submitted(database: Database) -> None:
    svc = make_service(database)
    dialogue_id = await to_cruxes(svc)
    await svc.answer(dialogue_id, ALICE.user_id, f"{A_CRUX}\nMentoring works over video")
    seen_by_bob = await svc.export_markdown(dialogue_id, BOB.user_id)
    assert A_CRUX not in seen_by_bob and "hidden until everyone has submitted" in seen_by_bob
    assert A_CRUX in await svc.export_markdown(dialogue_id, ALICE.user_id)
    assert all(A_CRUX not in d.text for d in await svc.pending_deliveries(dialogue_id))
    with pytest.raises(NotYourTurn):
        await svc.answer(dialogue_id, ALICE.user_id, "one more crux")
    with pytest.raises(NotAParticipant):
        await svc.answer(dialogue_id, CAROL.user_id, "I have cruxes too")

    await svc.answer(dialogue_id, BOB.user_id, f"{B_CRUX}\nOffices are quiet enough")
    reveal = [d for d in await svc.pending_deliveries(dialogue_id) if d.meta.get("reveal")]
    assert len(reveal) == 1 and A_CRUX in reveal[0].text and B_CRUX in reveal[0].text
    assert A_CRUX in await svc.export_markdown(dialogue_id, BOB.user_id)


async def test_full_double_crux_ends_with_an_agreed_test(database: Database) -> None:
    outbox = RecordingOutbox()
    svc = make_service(database, outbox=outbox)
    dialogue_id = await to_cruxes(svc)
    await svc.answer(dialogue_id, ALICE.user_id, A_CRUX)
    await svc.answer(dialogue_id, BOB.user_id, B_CRUX)
    prompt = await svc.current_prompt(dialogue_id)
    assert prompt is not None and prompt.key.startswith("confirm1.0")
    await svc.answer(dialogue_id, ALICE.user_id, "yes")
    await svc.answer(dialogue_id, BOB.user_id, "yes")
    await svc.answer(dialogue_id, ALICE.user_id, "yes")  # resonance
    await svc.answer(dialogue_id, BOB.user_id, "somewhat")
    await svc.answer(dialogue_id, BOB.user_id, "settle")
    await svc.answer(dialogue_id, ALICE.user_id, "experiment")
    await svc.answer(dialogue_id, BOB.user_id, "Pair two juniors remotely, two in the office")
    await svc.answer(dialogue_id, ALICE.user_id, "in 2 months")
    await svc.answer(dialogue_id, ALICE.user_id, "yes")
    await svc.answer(dialogue_id, BOB.user_id, "yes")
    await svc.answer(dialogue_id, ALICE.user_id, "yes")
    turn = await svc.answer(dialogue_id, BOB.user_id, "yes")
    assert turn.finished

    summary = await svc.summary(dialogue_id)
    assert summary is not None and summary.share_in_channel
    assert "**Tabooed terms:** better, grow" in summary.text
    assert f"Double crux: {A_CRUX}" in summary.text
    assert "**Agreed test (experiment):** Pair two juniors" in summary.text
    png = await summary_png(summary)
    assert png is not None and png.startswith(b"\x89PNG")
    assert {v["user_id"] for v in outbox.items.values()} == {ALICE.user_id, BOB.user_id}


async def test_declined_invitation_ends_the_dialogue(database: Database) -> None:
    svc = make_service(database)
    info = await svc.start_crux(ALICE, BOB, CLAIM, Place())
    turn = await svc.answer(info.id, BOB.user_id, "decline")
    assert turn.finished and (await svc.get(info.id)).status == "ended"


async def test_solo_mode_alternates_the_two_sides(database: Database) -> None:
    svc = make_service(database)
    info = await svc.start_crux(
        ALICE, None, "I should exercise today", Place(), sides=("Planner", "Body")
    )
    turn = await svc.answer(info.id, ALICE.user_id, "ready")
    assert turn.prompt is not None and turn.prompt.text.startswith("*As Planner:*")
    turn = await svc.answer(info.id, ALICE.user_id, "Exercise keeps me sharp")
    assert turn.prompt is not None and turn.prompt.text.startswith("*As Body:*")


async def test_embedding_similarity_pairs_paraphrases() -> None:
    similarity = embedding_similarity(shared_embeddings())
    left = ["Remote workers ship fewer features", "The office is noisy"]
    right = ["I like my cat", "People working from home deliver less product"]
    scores = await similarity(left, right)
    assert scores[0][1] > scores[0][0] and scores[0][1] > 0.45
