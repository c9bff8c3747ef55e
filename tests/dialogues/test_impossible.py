"""The "why is this impossible?" protocol through the engine, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.dialogues import DialogueError, DialogueService, InvalidAnswer, NotAParticipant, Place
from bot.dialogues.service import ServerRules
from bot.rendering.summaries import summary_png
from bot.storage import Database
from tests.dialogues.helpers import ALICE, BOB, START, RecordingOutbox, make_service

# A three-level tree: reason 1 -> 1.1 -> 1.1.1 (depth limit), reason 2 concrete at once.
SCRIPT = [
    "25%",
    "I have no time\nI can't write well",
    "My job takes 50 hours a week",  # why 1
    "The weekly report eats Friday afternoons",  # why 1.1 -> 1.1.1 is at the depth limit
    "concrete",  # why 2
    "inconvenient",  # label 1.1.1
    "hard",  # label 2
    "hard",  # label 1.1, now that what is under it is labelled
    "hard",  # label 1
    "Ask my manager on Monday whether the report can be scripted",
    "Write 100 words tonight",
    "I'll get one evening a week back; 45% now",
    "1 week",
]


async def run_all(svc: DialogueService, dialogue_id: int, answers: list[str]) -> None:
    for text in answers:
        await svc.answer(dialogue_id, ALICE.user_id, text)


async def test_full_dialogue_builds_a_three_level_tree(database: Database) -> None:
    outbox = RecordingOutbox()
    svc = make_service(database, outbox=outbox)
    info = await svc.start_impossible(ALICE, "Write a novel this year", Place())
    await run_all(svc, info.id, SCRIPT)

    summary = await svc.summary(info.id)
    assert summary is not None
    assert "1.1.1. The weekly report eats Friday afternoons — *merely inconvenient*" in summary.text
    assert "next action: Ask my manager" in summary.text
    assert "2. I can't write well — *very hard*" in summary.text
    nodes = summary.image_data["nodes"]
    assert max(n["depth"] for n in nodes.values()) == 3
    png = await summary_png(summary)
    assert png is not None and png.startswith(b"\x89PNG")

    followup = outbox.items[f"dlg:{info.id}:followup"]
    assert followup["user_id"] == ALICE.user_id
    assert followup["due_at"] == START + timedelta(weeks=1)
    assert "What happened?" in followup["text"]

    questions = [e for e in await svc.transcript(info.id, ALICE.user_id) if e.kind == "question"]
    assert len(questions) == len({q.text for q in questions})  # nothing asked twice
    exported = await svc.export_markdown(info.id, ALICE.user_id)
    for answer in SCRIPT[:-1]:
        assert answer.split("\n")[0] in exported
    assert "In a week" in exported  # a chosen option is exported as its label
    assert "## Summary" in exported


async def test_depth_limit_stops_asking_why(database: Database) -> None:
    svc = make_service(database)
    info = await svc.start_impossible(ALICE, "Run a marathon", Place(), max_depth=1)
    await run_all(svc, info.id, ["10", "My knees hurt"])
    prompt = await svc.current_prompt(info.id)
    assert prompt is not None and prompt.key == "label:1"


async def test_bad_answers_keep_the_question_open(database: Database) -> None:
    svc = make_service(database)
    info = await svc.start_impossible(ALICE, "Learn Mandarin", Place())
    with pytest.raises(InvalidAnswer, match="0 to 100"):
        await svc.answer(info.id, ALICE.user_id, "quite likely")
    prompt = await svc.current_prompt(info.id)
    assert prompt is not None and prompt.key == "confidence"
    await run_all(svc, info.id, ["40", "No teacher", "concrete"])
    with pytest.raises(InvalidAnswer, match="Choose one of"):
        await svc.answer(info.id, ALICE.user_id, "kind of annoying")
    with pytest.raises(NotAParticipant):
        await svc.answer(info.id, BOB.user_id, "impossible")


async def test_a_new_engine_on_the_same_database_resumes_without_repeating(
    database: Database,
) -> None:
    svc = make_service(database)
    info = await svc.start_impossible(ALICE, "Ship the side project", Place())
    await run_all(svc, info.id, ["30", "No users\nNo time"])
    for delivery in await svc.pending_deliveries(info.id):
        await svc.mark_delivered(delivery.event_id, 1)

    restarted = make_service(database)  # as after a kill: nothing in memory
    assert await restarted.pending_deliveries(info.id) == []
    prompt = await restarted.current_prompt(info.id)
    assert prompt is not None and prompt.key == "why:1"
    turn = await restarted.answer(info.id, ALICE.user_id, "concrete")
    assert turn.prompt is not None and turn.prompt.key == "why:2"
    pending = await restarted.pending_deliveries(info.id)
    assert [d.prompt.key for d in pending if d.prompt] == ["why:2"]


async def test_pause_resume_end_and_export(database: Database) -> None:
    svc = make_service(database)
    info = await svc.start_impossible(ALICE, "Move abroad", Place())
    await svc.pause(info.id, ALICE.user_id)
    with pytest.raises(Exception, match="paused"):
        await svc.answer(info.id, ALICE.user_id, "50")
    with pytest.raises(NotAParticipant):
        await svc.pause(info.id, BOB.user_id)
    await svc.resume(info.id, ALICE.user_id)
    await svc.answer(info.id, ALICE.user_id, "50")
    await svc.end(info.id, ALICE.user_id)
    assert (await svc.get(info.id)).status == "ended"
    exported = await svc.export_markdown(info.id, ALICE.user_id)
    assert "Paused by you" in exported and "Ended by you" in exported and "50" in exported


async def test_idle_dialogues_are_reminded_once_then_expire(database: Database) -> None:
    from bot.clock import SimulatedClock

    clock = SimulatedClock(START)
    outbox = RecordingOutbox()
    svc = make_service(database, clock=clock, outbox=outbox)
    info = await svc.start_impossible(ALICE, "Get fit", Place(channel_id=555))
    clock.advance(timedelta(hours=25))
    report = await svc.sweep()
    assert report.reminded == [info.id]
    reminder = next(v for k, v in outbox.items.items() if ":remind:" in k)
    assert reminder["user_id"] == ALICE.user_id and reminder["channel_id"] == 555
    assert "How likely" in reminder["text"]
    assert (await svc.sweep()).reminded == []  # once
    clock.advance(timedelta(days=7))
    assert (await svc.sweep()).expired == [info.id]
    assert (await svc.get(info.id)).status == "expired"


async def test_waiting_on_dm(database: Database) -> None:
    svc = make_service(database)
    assert not await svc.waiting_on_dm(ALICE.user_id)
    info = await svc.start_impossible(ALICE, "Write daily", Place(channel_id=9, in_dm=True))
    assert await svc.waiting_on_dm(ALICE.user_id)
    await svc.pause(info.id, ALICE.user_id)
    assert not await svc.waiting_on_dm(ALICE.user_id)


async def test_server_rules_turn_dialogues_off_and_set_the_default_depth(
    database: Database,
) -> None:
    async def rules(guild_id: int) -> ServerRules:
        return ServerRules(
            enabled=frozenset({"impossible"}) if guild_id == 6 else frozenset(), max_depth=2
        )

    svc = make_service(database)
    svc._rules = rules
    with pytest.raises(DialogueError, match="turned off impossible"):
        await svc.start_impossible(ALICE, "run a marathon", Place(guild_id=5, channel_id=9))
    allowed = await svc.start_impossible(ALICE, "run a marathon", Place(guild_id=6, channel_id=10))
    prompt = await svc.current_prompt(allowed.id)
    assert prompt is not None
    intro = "\n".join(line.text for line in await svc.transcript(allowed.id, ALICE.user_id))
    assert "down to 2 levels" in intro
    in_dm = await svc.start_impossible(ALICE, "run a marathon", Place(channel_id=11, in_dm=True))
    assert in_dm.status == "active"  # moderators decide for their server, not for DMs
