"""Issue 14, double crux fidelity: who a step waits on, the taboo step, who holds and who
denies a proposed crux, and similar cruxes found by meaning."""

from __future__ import annotations

import pytest

from bot.dialogues import DialogueService, InvalidAnswer, NotYourTurn, Place
from bot.dialogues.wiring import embedding_similarity
from bot.storage import Database
from knowledge.embeddings import shared_embeddings
from tests.dialogues.helpers import ALICE, BOB, make_service

CLAIM = "Our meetup should switch from talks to hands-on workshops"


async def to_positions(svc: DialogueService) -> int:
    info = await svc.start_crux(ALICE, BOB, CLAIM, Place(guild_id=1))
    await svc.answer(info.id, BOB.user_id, "accept")
    await svc.answer(info.id, ALICE.user_id, "I agree")
    await svc.answer(info.id, BOB.user_id, "I agree")
    return info.id


async def to_taboo(svc: DialogueService) -> int:
    dialogue_id = await to_positions(svc)
    await svc.answer(dialogue_id, ALICE.user_id, "Workshops would bring people back")
    await svc.answer(dialogue_id, BOB.user_id, "Talks are what people come for")
    await svc.answer(dialogue_id, ALICE.user_id, "70")
    await svc.answer(dialogue_id, BOB.user_id, "30")
    return dialogue_id


async def test_one_answer_never_advances_a_step_waiting_for_both(database: Database) -> None:
    svc = make_service(database)
    dialogue_id = await to_positions(svc)
    info = await svc.get(dialogue_id)
    prompt = await svc.current_prompt(dialogue_id)
    assert prompt is not None and info.waiting_for(prompt) == "alice and bob"
    await svc.answer(dialogue_id, ALICE.user_id, "Workshops would bring people back")
    prompt = await svc.current_prompt(dialogue_id)
    assert prompt is not None and prompt.key == "position" and prompt.seats == ("b",)
    with pytest.raises(NotYourTurn):
        await svc.answer(dialogue_id, ALICE.user_id, "and another thing")


async def test_a_step_one_answer_settles_says_either_of_you(database: Database) -> None:
    svc = make_service(database)
    dialogue_id = await to_taboo(svc)
    prompt = await svc.current_prompt(dialogue_id)
    info = await svc.get(dialogue_id)
    assert prompt is not None and prompt.key == "taboo"
    assert prompt.any_one and info.waiting_for(prompt) == "alice or bob"
    question = [d for d in await svc.pending_deliveries(dialogue_id) if d.prompt][-1]
    assert question.prompt is not None and question.prompt.any_one  # survives storage


async def test_a_menu_choice_is_never_stored_as_a_restated_position(database: Database) -> None:
    svc = make_service(database)
    dialogue_id = await to_taboo(svc)
    await svc.answer(dialogue_id, ALICE.user_id, "people")  # settles the taboo list
    notes = [d.text for d in await svc.pending_deliveries(dialogue_id) if d.kind == "note"]
    assert any("alice settled the list of tabooed words" in n for n in notes), notes
    # bob still thinks he is at the taboo menu and types its first choice
    with pytest.raises(InvalidAnswer, match="menu choice"):
        await svc.answer(dialogue_id, BOB.user_id, "1")
    with pytest.raises(InvalidAnswer, match="menu choice"):
        await svc.answer(dialogue_id, BOB.user_id, "none")
    prompt = await svc.current_prompt(dialogue_id)
    assert prompt is not None and prompt.key == "restate" and set(prompt.seats) == {"a", "b"}


async def to_proposal(svc: DialogueService) -> int:
    dialogue_id = await to_taboo(svc)
    await svc.answer(dialogue_id, BOB.user_id, "none")
    await svc.answer(dialogue_id, ALICE.user_id, "Regulars would return for workshops")
    await svc.answer(dialogue_id, BOB.user_id, "Regulars come back for the speakers")
    await svc.answer(dialogue_id, ALICE.user_id, "The venue has tables")
    await svc.answer(dialogue_id, BOB.user_id, "Pizza budget is tiny")
    prompt = await svc.current_prompt(dialogue_id)
    assert prompt is not None and prompt.key == "propose1", prompt
    await svc.answer(dialogue_id, BOB.user_id, "Attendance drops below 4 after a workshop month")
    return dialogue_id


async def test_a_proposed_crux_records_who_holds_and_who_denies_it(database: Database) -> None:
    svc = make_service(database)
    dialogue_id = await to_proposal(svc)
    prompt = await svc.current_prompt(dialogue_id)
    assert prompt is not None and [c.value for c in prompt.choices] == ["holds", "denies", "no"]
    await svc.answer(dialogue_id, ALICE.user_id, "denies")
    await svc.answer(dialogue_id, BOB.user_id, "I think it's true")
    notes = [d.text for d in await svc.pending_deliveries(dialogue_id) if d.kind == "note"]
    assert any("bob holds it, alice denies it" in n for n in notes), notes
    await svc.answer(dialogue_id, ALICE.user_id, "yes")  # resonance
    await svc.answer(dialogue_id, BOB.user_id, "yes")
    await svc.answer(dialogue_id, ALICE.user_id, "settle")
    await svc.answer(dialogue_id, ALICE.user_id, "experiment")
    await svc.answer(dialogue_id, BOB.user_id, "Run one workshop month and count heads")
    await svc.answer(dialogue_id, ALICE.user_id, "in 6 weeks")
    for who in (ALICE, BOB, ALICE, BOB):
        await svc.answer(dialogue_id, who.user_id, "yes")
    summary = await svc.summary(dialogue_id)
    assert summary is not None
    assert "Double crux: Attendance drops below 4 after a workshop month" in summary.text
    assert "bob holds it, alice denies it" in summary.text


async def test_a_proposal_both_hold_is_not_a_double_crux(database: Database) -> None:
    svc = make_service(database)
    dialogue_id = await to_proposal(svc)
    await svc.answer(dialogue_id, ALICE.user_id, "holds")
    await svc.answer(dialogue_id, BOB.user_id, "holds")
    notes = [d.text for d in await svc.pending_deliveries(dialogue_id) if d.kind == "note"]
    assert any("You both think it is true" in n for n in notes), notes
    prompt = await svc.current_prompt(dialogue_id)
    assert prompt is not None and prompt.key == "test_kind"


async def test_similar_cruxes_are_found_by_meaning_with_the_shipped_embeddings(
    database: Database,
) -> None:
    svc = make_service(database, similarity=embedding_similarity(shared_embeddings()))
    dialogue_id = await to_taboo(svc)
    await svc.answer(dialogue_id, BOB.user_id, "none")
    await svc.answer(dialogue_id, ALICE.user_id, "Workshops bring people back")
    await svc.answer(dialogue_id, BOB.user_id, "Talks are what people come for")
    await svc.answer(dialogue_id, ALICE.user_id, "Regulars would keep coming if it were hands-on")
    await svc.answer(dialogue_id, BOB.user_id, "Attendance drops from 6 to 3\nSpeakers are scarce")
    reveal = [d.text for d in await svc.pending_deliveries(dialogue_id) if d.meta.get("reveal")]
    assert "No pair of cruxes looks alike" not in reveal[0]
    assert (
        "Regulars would keep coming if it were hands-on ⟷ Attendance drops from 6 to 3" in reveal[0]
    )
    prompt = await svc.current_prompt(dialogue_id)
    assert prompt is not None and prompt.key.startswith("confirm1.0")
