"""/mydata export and delete: everything about a person, and nothing left afterwards."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, text

from bot.advice_flow import DraftStore
from bot.advice_flow.model import PostContext
from bot.asking import AskStore, FeedbackAction
from bot.clock import SimulatedClock
from bot.club import ClubRepository, ClubService, CoachingPracticeLog
from bot.club.social import build_social
from bot.coaching import CoachingService, CoachingStore
from bot.guild_config import GuildConfigService
from bot.guild_config.repository import GuildConfigRepository
from bot.limits import limits_from_settings
from bot.limits.policy import ASK
from bot.permissions import MemberFacts
from bot.privacy import PrivacyService
from bot.privacy.repository import PrivacyRepository
from bot.scheduling import Outbox, Scheduler
from bot.settings import load_settings
from bot.storage import Database
from bot.storage.repositories import GuildNoteRepository, UserRepository
from tests.scheduling.fakes import RecordingDeliverer

ME = 987_654_321_012_345_678
OTHER = 111_222_333_444_555_666
START = datetime(2026, 3, 27, 5, 0, tzinfo=UTC)


async def fill(db: Database, clock: SimulatedClock) -> None:
    outbox = Outbox(db, clock.now)
    coaching = CoachingService(
        CoachingStore(db), outbox, clock, GuildConfigService(GuildConfigRepository(db))
    )
    for user in (ME, OTHER):
        await coaching.start(user, timezone="Europe/Berlin", local_time="07:00", guild_id=3)
        await coaching.set_prompts(user, ["What matters today?"])
        await coaching.log_practice(user, 30, "writing", "drafting", "slow start")
        await coaching.start_push(user, "writing", 10)
        await coaching.pause_until(user, "tomorrow")
        await coaching.resume(user)
    clock.advance(timedelta(hours=1))
    await Scheduler(outbox, clock).run_due(RecordingDeliverer())
    await coaching.record_dm(ME, "My private answer")
    await UserRepository(db).mark_dms_closed(ME)
    await GuildNoteRepository(db).upsert(3, "my-note", "A moderator's note", ME)
    await GuildConfigService(GuildConfigRepository(db)).set_value(
        3, "advice.sensitivity", "0.7", ME
    )
    advice = DraftStore(db)
    await advice.create(ME, PostContext(post_text="p"), "mine", "draft")
    await advice.create(OTHER, PostContext(post_text="q", post_author_id=ME), "theirs", "draft")
    limits = limits_from_settings(load_settings(), db, clock)
    for user in (ME, OTHER):
        await limits.check(user, ASK)
    await ask_and_press(db)
    await join_the_club(db, clock, outbox, coaching)


async def join_the_club(
    db: Database, clock: SimulatedClock, outbox: Outbox, coaching: CoachingService
) -> None:
    """ME starts a club and a push as a moderator; both pair up, join, set streaks."""
    config = GuildConfigService(GuildConfigRepository(db))
    club = ClubService(
        ClubRepository(db), outbox, clock, config, CoachingPracticeLog(coaching.store)
    )
    social = build_social(
        db, outbox, clock, config, coaching, PrivacyService(PrivacyRepository(db), clock)
    )
    moderator = MemberFacts(ME, 3, ME, 0, frozenset())
    await club.start(moderator, channel_id=5, in_forum=True, timezone="UTC")
    for user in (ME, OTHER):
        await social.pairs.request(3, user, channel_id=4, skill="writing", timezone="UTC")
    await social.push.start(moderator, hours=20)
    for user in (ME, OTHER):
        await social.push.join(3, user)
        await social.streaks.settings(user, freezes=1, remind=True)


MY_QUESTION = "I keep putting off my thesis chapter"
THEIR_QUESTION = "How do I practise scales every day?"


async def ask_and_press(db: Database) -> None:
    """Both ask; each presses a feedback button under the other's answer too."""
    store = AskStore(db)
    ids = {}
    for user, question in ((ME, MY_QUESTION), (OTHER, THEIR_QUESTION)):
        ids[user] = await store.save_answer(
            user_id=user,
            guild_id=3,
            channel_id=4,
            question=question,
            shown_note_ids=["pomodoro-sprint"],
            care=False,
        )
    for presser in (ME, OTHER):
        for asker in (ME, OTHER):
            answer = await store.get(ids[asker])
            assert answer is not None
            await store.record(answer, presser, answer.shown_note_ids, FeedbackAction.UNHELPFUL)


async def rows_mentioning(db: Database, user_id: int) -> list[str]:
    """Every (table.column) in the whole schema whose value is or contains the id."""
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(
            lambda sync: {
                name: [c["name"] for c in inspect(sync).get_columns(name)]
                for name in inspect(sync).get_table_names()
            }
        )
        found = []
        for table, columns in tables.items():
            for column in columns:
                rows = await conn.execute(
                    text(f'SELECT 1 FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE :needle'),
                    {"needle": f"%{user_id}%"},
                )
                if rows.first() is not None:
                    found.append(f"{table}.{column}")
        return found


async def test_export_holds_every_kind_of_data_about_the_person(database: Database) -> None:
    clock = SimulatedClock(START)
    await fill(database, clock)
    export = json.loads(await PrivacyService(PrivacyRepository(database), clock).export_json(ME))
    tables = export["tables"]
    assert tables["coaching_profiles"][0]["timezone"] == "Europe/Berlin"
    club_tables = {"clubs", "club_pushes", "club_pairs", "club_push_members", "streak_settings"}
    assert club_tables <= set(tables)
    assert tables["orient_answers"][0]["text"] == "My private answer"
    assert tables["practice_logs"][0]["noticed"] == "slow start"
    assert {row["draft_text"] for row in tables["advice_drafts"]} == {"mine", "theirs"}
    assert [row["action"] for row in tables["usage_hits"]] == [ASK]
    assert [row["question"] for row in tables["asked_questions"]] == [MY_QUESTION]
    assert sorted(row["question"] for row in tables["answer_feedback"]) == sorted(
        [MY_QUESTION, THEIR_QUESTION]
    ), "my presses, under my answer and theirs"
    assert all(row.get("user_id", ME) == ME for rows in tables.values() for row in rows), (
        "nobody else's coaching rows"
    )


async def test_delete_leaves_no_row_mentioning_the_person_in_any_table(
    database: Database,
) -> None:
    clock = SimulatedClock(START)
    await fill(database, clock)
    assert await rows_mentioning(database, ME)
    report = await PrivacyService(PrivacyRepository(database), clock).delete_everything(ME)
    assert report.total > 0
    assert await rows_mentioning(database, ME) == []
    # Others keep their data, and the server keeps its note.
    assert await rows_mentioning(database, OTHER)
    notes = await GuildNoteRepository(database).list_for_guild(3)
    assert [(n.note_id, n.author_id) for n in notes] == [("my-note", 0)]
    history = await GuildConfigService(GuildConfigRepository(database)).history(3)
    assert [(h.key, h.actor_id) for h in history] == [("advice.sensitivity", 0)]
    # My question is gone everywhere, also from their press under my answer; their
    # own question and their press under it stay.
    feedback = await AskStore(database).feedback_for_guild(3)
    assert [(f.user_id, f.question) for f in feedback] == [(OTHER, THEIR_QUESTION)]
    described = report.describe()
    assert "Server notes and settings changes you made as a moderator stay" in described
    assert "1 coaching profile" in described and "coaching profiles" not in described
    assert "1 practice push" in described and "pushes" not in described


async def test_deleting_twice_says_nothing_was_left(database: Database) -> None:
    clock = SimulatedClock(START)
    await fill(database, clock)
    privacy = PrivacyService(PrivacyRepository(database), clock)
    await privacy.delete_everything(ME)
    again = await privacy.delete_everything(ME)
    assert again.describe() == "Nothing was stored about you, so there was nothing to delete."
