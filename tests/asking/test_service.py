"""/ask's answer, its feedback buttons and the kind reply, on a real database and index.

What a member notices: "Show another note" brings a note they have not seen and never
repeats one; it says so kindly when none is left; "That didn't help" is acknowledged
with a pointer to /techniques; a question full of distress gets people, not a note,
and only the asker can post it to the help channel, once. Moderators see per-note
counts and an export that names no one. A new service on the same database (a
restart) still follows up an old answer.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.asking import AskRefused, AskService, AskStore
from bot.asking.text import NO_MORE_NOTES, UNHELPFUL_THANKS
from bot.care import CARE_TITLE, CareDetector
from bot.clock import SimulatedClock
from bot.guidance import GuidanceService
from bot.guild_config import GuildConfigService
from bot.guild_config.repository import GuildConfigRepository
from bot.llm import ModelGateway
from bot.storage import Database, StorageUnavailable
from knowledge.service import KnowledgeBase

NOTES = Path(__file__).parents[1] / "knowledge" / "fixtures" / "notes"
GUILD = 42
ASKER, OTHER, MODERATOR = 1001, 1002, 1003
HELP_CHANNEL, MENTORS = 777, 888
QUESTION = "How do I remember what I study for the exam and stop procrastinating?"
DISTRESS = "what's the point, I fail at everything"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    root = tmp_path_factory.mktemp("library")
    shutil.copytree(NOTES, root / "notes")
    kb = KnowledgeBase(root / "chroma", notes_dirs=[root / "notes"])
    assert asyncio.run(kb.ingest()).problems == []
    yield kb
    kb.close()


def service(database: Database, library: KnowledgeBase) -> AskService:
    config = GuildConfigService(GuildConfigRepository(database))
    return AskService(
        GuidanceService(library, ModelGateway(None), config),
        AskStore(database),
        config,
        CareDetector(library.embeddings),
        SimulatedClock(datetime(2026, 5, 1, 9, tzinfo=UTC)).now,
    )


def cited_ids(text: str, library: KnowledgeBase) -> set[str]:
    return {n.id for n in library.list_notes() if f"{n.title}" in text}


async def test_another_note_is_new_each_time_until_none_is_left(
    database: Database, library: KnowledgeBase
) -> None:
    asking = service(database, library)
    reply = await asking.ask(QUESTION, user_id=ASKER, guild_id=GUILD)
    assert reply.offers_feedback and "[1]" in reply.text
    seen = cited_ids(reply.text, library)
    assert seen

    shown_next: list[str] = []
    for _ in range(5):
        more = await asking.another(reply.answer_id, ASKER)
        if more.note_id is None:
            assert more.text == NO_MORE_NOTES
            break
        assert more.note_id not in seen | set(shown_next), "a note was shown twice"
        assert "[1]" in more.text and "Sources" in more.text  # composed like the answer
        shown_next.append(more.note_id)
    else:
        pytest.fail("'Show another note' never ran out on a four-note library")
    assert shown_next, "the question has a second fitting note"

    # Someone else pressing under the same answer starts from the answer's own notes.
    theirs = await asking.another(reply.answer_id, OTHER)
    assert theirs.note_id == shown_next[0]


async def test_a_press_after_a_restart_follows_the_stored_question(
    database: Database, library: KnowledgeBase
) -> None:
    reply = await service(database, library).ask(QUESTION, user_id=ASKER, guild_id=GUILD)
    first = await service(database, library).another(reply.answer_id, ASKER)
    again = await service(database, library).another(reply.answer_id, ASKER)
    assert first.note_id is not None and again.note_id != first.note_id


async def test_that_didnt_help_is_acknowledged_counted_and_exported_without_names(
    database: Database, library: KnowledgeBase
) -> None:
    asking = service(database, library)
    reply = await asking.ask(QUESTION, user_id=ASKER, guild_id=GUILD)
    assert await asking.unhelpful(reply.answer_id, ASKER) == UNHELPFUL_THANKS
    assert "/techniques" in UNHELPFUL_THANKS
    await asking.unhelpful(reply.answer_id, ASKER)  # pressed twice: one person, once
    await asking.another(reply.answer_id, OTHER)

    summary = await asking.summary(GUILD)
    assert summary.presses == 3 and summary.answers == 1
    top = summary.tallies[0]
    assert top.note_id == "spaced-repetition" and (top.unhelpful, top.another) == (1, 1)
    assert any(
        "Spaced Repetition (spaced-repetition): 1 didn't help" in line for line in summary.lines()
    )
    assert (await asking.summary(GUILD + 1)).lines() == [
        "Nobody has pressed a feedback button under an /ask answer yet."
    ]

    rows = [json.loads(line) for line in (await asking.evaluation_jsonl(GUILD)).splitlines()]
    assert [r["action"] for r in rows] == ["unhelpful", "another"]
    assert all(r["question"] == QUESTION for r in rows)
    assert rows[0]["shown_notes"][0] == "spaced-repetition"
    assert rows[1]["next_note"] not in rows[1]["shown_notes"]
    exported = json.dumps(rows)
    assert str(ASKER) not in exported and str(OTHER) not in exported


async def test_distress_gets_people_not_a_note_and_no_feedback_buttons(
    database: Database, library: KnowledgeBase
) -> None:
    asking = service(database, library)
    reply = await asking.ask(DISTRESS, user_id=ASKER, guild_id=GUILD)
    assert reply.care.distress and not reply.offers_feedback and not reply.can_share
    assert reply.title == CARE_TITLE
    assert "not alone" in reply.text and "[1]" not in reply.text
    with pytest.raises(AskRefused):
        await asking.another(reply.answer_id, ASKER)
    with pytest.raises(AskRefused, match="no longer has a help channel"):
        await asking.plan_share(reply.answer_id, ASKER)


async def test_only_the_asker_posts_to_the_help_channel_and_only_once(
    database: Database, library: KnowledgeBase
) -> None:
    asking = service(database, library)
    for key, value in [
        ("care.help_channel_id", str(HELP_CHANNEL)),
        ("care.mentor_role_id", str(MENTORS)),
    ]:
        await asking.guild_config.set_value(GUILD, key, value, MODERATOR)
    reply = await asking.ask(DISTRESS, user_id=ASKER, guild_id=GUILD)
    assert reply.can_share
    assert f"<#{HELP_CHANNEL}>" in reply.text and f"<@&{MENTORS}>" in reply.text

    with pytest.raises(AskRefused, match="Only the person who asked"):
        await asking.plan_share(reply.answer_id, OTHER)
    plan = await asking.plan_share(reply.answer_id, ASKER)
    assert (plan.channel_id, plan.question, plan.ping_mentor_role) == (
        HELP_CHANNEL,
        DISTRESS,
        False,
    )
    assert plan.heading("discord").startswith(f"<@&{MENTORS}>")
    with pytest.raises(AskRefused, match="already posted"):
        await asking.plan_share(reply.answer_id, ASKER)

    await asking.share_failed(plan)  # Discord refused: the asker may try again
    retried = await asking.plan_share(reply.answer_id, ASKER)
    await asking.shared(retried, 5555)
    with pytest.raises(AskRefused, match="already posted"):
        await asking.plan_share(reply.answer_id, ASKER)


async def test_an_answer_that_no_longer_exists_is_refused_kindly(
    database: Database, library: KnowledgeBase
) -> None:
    with pytest.raises(AskRefused, match="ask again"):
        await service(database, library).unhelpful(999_999, ASKER)


class UnreachableStore(AskStore):
    async def save_answer(self, **_: object) -> int:
        raise StorageUnavailable("database is locked")


async def test_the_answer_still_arrives_when_the_database_is_down_just_without_buttons(
    database: Database, library: KnowledgeBase
) -> None:
    asking = service(database, library)
    asking.store = UnreachableStore(database)
    reply = await asking.ask(QUESTION, user_id=ASKER, guild_id=GUILD)
    assert "[1]" in reply.text and reply.answer_id is None and not reply.offers_feedback
