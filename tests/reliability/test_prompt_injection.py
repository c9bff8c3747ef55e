"""Prompt injection through every path that reaches a model, in process.

Each of the known injection strings travels through /ask's guidance, the advice
check's gentler version and the dialogue facilitator; the fake chat model records
what it was sent, and the instructions must be exactly ours every time.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from bot.advice_flow import PostContext
from bot.advice_flow.gentler_model import GENTLER_SPEC
from bot.clock import SimulatedClock
from bot.dialogues import Person
from bot.dialogues.facilitator import REPHRASE, Facilitator
from bot.dialogues.service import DialogueService, Place
from bot.guidance import ANSWER_SPEC, GuidanceService
from bot.limits import Rate, UsageLimits
from bot.llm import ModelGateway
from bot.storage import Database
from knowledge.service import KnowledgeBase
from tests.advice_flow.conftest import ALICE, BOB, CHANNEL, GUILD, POSTER, WRITER, make_flow
from tests.dialogues.helpers import START, make_service
from tests.llm_fakes import RecordingChatModel
from tests.reliability.injections import (
    INJECTIONS,
    arrived,
    assert_kept_as_data,
    decode_data_block,
    expected_system,
    strings_in,
)

NOTES = Path(__file__).parents[1] / "knowledge" / "fixtures" / "notes"
SERVER_INSTRUCTIONS = "You coach the Practice Club community. Be concise."


def test_the_corpus_is_large_enough() -> None:
    assert len(set(INJECTIONS)) >= 20


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    root = tmp_path_factory.mktemp("library")
    shutil.copytree(NOTES, root / "notes")
    kb = KnowledgeBase(root / "chroma", notes_dirs=[root / "notes"])
    assert asyncio.run(kb.ingest()).problems == []
    yield kb
    kb.close()


def pair(messages: Sequence[object]) -> tuple[str, str]:
    assert len(messages) == 2, "exactly one system and one human message"
    system, human = messages
    assert isinstance(system, SystemMessage) and isinstance(human, HumanMessage)
    return str(system.content), str(human.content)


async def test_ask_keeps_every_injection_as_data(library: KnowledgeBase) -> None:
    model = RecordingChatModel(reply="Review just before you would forget [1].")
    guidance = GuidanceService(library, ModelGateway(model))
    expected = expected_system(ANSWER_SPEC, SERVER_INSTRUCTIONS)
    for injection in INJECTIONS:
        question = f"How should I schedule reviews so I remember? {injection}"
        calls = len(model.received)
        answer = await guidance.ask(
            question, guild_id=GUILD, server_instructions=SERVER_INSTRUCTIONS
        )
        if answer.answer.abstained:
            # Declined offline (the injection drowned the question): nothing reached the model.
            assert len(model.received) == calls and not answer.used_model
            continue
        system, human = pair(model.received[-1])
        assert_kept_as_data(system, human, injection, expected)
    # Off-topic injections are declined offline (nothing then reaches the model); the
    # test is only worth something if most of them do reach it.
    assert len(model.received) >= len(INJECTIONS) * 3 // 4, "most questions reach the model"


async def test_the_gentler_version_keeps_every_injection_as_data(database: Database) -> None:
    model = RecordingChatModel(reply="Well done! Happy to share tips on shoes if you like.")
    flow = make_flow(database, model)
    expected = expected_system(GENTLER_SPEC)
    for index, injection in enumerate(INJECTIONS):
        post = f"{ALICE} {injection}" if index % 2 else ALICE
        draft_text = f"{BOB} {injection}" if index % 2 == 0 else BOB
        context = PostContext(post, GUILD, CHANNEL, None, 1000 + index, POSTER)
        draft = await flow.start(WRITER, context, draft_text)
        assert draft.flagged
        await flow.improve(draft)
        system, human = pair(model.received[-1])
        assert_kept_as_data(system, human, injection, expected)
    assert len(model.received) == len(INJECTIONS)


async def test_the_dialogue_facilitator_keeps_every_injection_as_data(
    database: Database, library: KnowledgeBase
) -> None:
    model = RecordingChatModel(reply="Which obstacle, very specifically, stops you first?")
    facilitator = Facilitator(ModelGateway(model), library)
    svc = make_service(database, SimulatedClock(START))
    svc.facilitator = facilitator
    expected = expected_system(REPHRASE)
    for index, injection in enumerate(INJECTIONS):
        owner = Person(500 + index, f"member{index}")
        info = await svc.start_impossible(owner, f"Write a novel. {injection}", Place(GUILD))
        await deliver_all(svc, info.id)
        await svc.answer(info.id, owner.user_id, f"25% {injection}")
        await deliver_all(svc, info.id)
        sent = [pair(messages) for messages in model.received]
        assert sent, "the facilitator was never asked"
        carrying = [
            (s, h)
            for s, h in sent
            if any(arrived(injection, t) for t in strings_in(decode_data_block(h)))
        ]
        assert carrying, f"the member's text never reached the model: {injection!r}"
        assert all(system == expected for system, _ in sent)
        for system, human in carrying:
            assert_kept_as_data(system, human, injection, expected)
        model.received.clear()


async def deliver_all(svc: DialogueService, dialogue_id: int) -> None:
    """What an adapter does before sending each question: let the facilitator reword it."""
    for delivery in await svc.pending_deliveries(dialogue_id):
        await svc.prepare(delivery)


async def test_every_model_path_counts_against_its_servers_budget(
    database: Database, library: KnowledgeBase
) -> None:
    """With one model call per server per day, the second call of each path falls back.

    The budget is shared (it is in the database), so each path starts on a new day.
    """
    budget_clock = SimulatedClock(START)

    def capped(model: RecordingChatModel) -> ModelGateway:
        budget_clock.advance(timedelta(days=1))
        limits = UsageLimits(
            database, rates={}, model_calls_per_server=Rate(1, 86400), clock=budget_clock
        )
        return ModelGateway(model, limits=limits)

    asked = RecordingChatModel(reply="Review before you forget [1].")
    guidance = GuidanceService(library, capped(asked))
    first = await guidance.ask("How do I remember what I learn?", guild_id=GUILD)
    second = await guidance.ask("How do I remember what I learn?", guild_id=GUILD)
    assert first.used_model and not second.used_model and second.text
    assert len(asked.received) == 1

    rewritten = RecordingChatModel(reply="Well done! Tips on shoes if you like.")
    flow = make_flow(database, rewritten)
    flow.model = capped(rewritten)
    for message_id in (1, 2):
        draft = await flow.start(
            WRITER, PostContext(ALICE, GUILD, CHANNEL, None, message_id, POSTER), BOB
        )
        await flow.improve(draft)
    assert len(rewritten.received) == 1

    rephrased = RecordingChatModel(reply="Which obstacle comes first?")
    clock = SimulatedClock(START)
    svc = make_service(database, clock)
    svc.facilitator = Facilitator(capped(rephrased), library)
    for user in (1, 2):
        info = await svc.start_impossible(Person(user, "m"), "Write a novel", Place(GUILD))
        await deliver_all(svc, info.id)
        clock.advance(timedelta(minutes=1))
    assert len(rephrased.received) == 1
