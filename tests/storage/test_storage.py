"""Storage behaves the same on SQLite and PostgreSQL: schema, repositories, failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from bot.advice_flow import DraftStore
from bot.advice_flow.model import DraftStatus, FalseAlarm, PostContext
from bot.storage import Database, StorageUnavailable
from bot.storage.all_models import ALL_USER_COLUMNS as USER_COLUMNS
from bot.storage.database import head_revision
from bot.storage.models import AdviceDraft, Base
from bot.storage.repositories import (
    GuildNoteRepository,
    StateRepository,
    UserRepository,
)


async def table_names(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_migrations_create_every_model_table_and_downgrade_cleanly(
    database: Database,
) -> None:
    assert await database.current_revision() == head_revision()
    expected = set(Base.metadata.tables)
    assert expected <= await table_names(database)

    await database.downgrade("base")
    assert not expected & await table_names(database)
    await database.migrate()
    assert expected <= await table_names(database)


async def test_migrate_twice_is_harmless(database: Database) -> None:
    await StateRepository(database).set("k", "v")
    await database.migrate()
    assert await StateRepository(database).get("k") == "v"


async def test_user_columns_name_real_columns(database: Database) -> None:
    async with database.engine.connect() as conn:
        columns = await conn.run_sync(
            lambda sync: {
                table: {c["name"] for c in inspect(sync).get_columns(table)}
                for table in {t for t, _ in USER_COLUMNS}
            }
        )
    for table, column in USER_COLUMNS:
        assert column in columns[table], (table, column)


async def test_closed_dms_are_remembered_and_announced_once(database: Database) -> None:
    users = UserRepository(database)
    assert not await users.dms_closed(42)
    await users.mark_dms_closed(42)
    assert await users.dms_closed(42)
    assert await users.take_dms_notice(42) is True
    assert await users.take_dms_notice(42) is False
    await users.mark_dms_open(42)
    assert not await users.dms_closed(42)


async def test_guild_notes_are_scoped_to_their_guild(database: Database) -> None:
    notes = GuildNoteRepository(database)
    await notes.upsert(1, "our-rule", "---\nid: our-rule\n---\nbody", author_id=7)
    await notes.upsert(2, "other", "text", author_id=8)
    await notes.upsert(1, "our-rule", "updated", author_id=9)
    rows = await notes.list_for_guild(1)
    assert [(r.note_id, r.text, r.author_id) for r in rows] == [("our-rule", "updated", 9)]
    assert await notes.remove(1, "our-rule") is True
    assert await notes.remove(1, "our-rule") is False
    assert [r.guild_id for r in await notes.all()] == [2]


async def test_advice_drafts_keep_the_full_text(database: Database) -> None:
    repo = DraftStore(database)
    long_text = "Don't forget the warm-up. " * 300 + "🎻 ＼(^o^)／ עברית"
    context = PostContext(post_text="I just started violin!", guild_id=1)
    draft_id = await repo.create(5, context, long_text, DraftStatus.DRAFT.value)
    assert draft_id is not None
    assert await repo.transition(
        draft_id, (DraftStatus.DRAFT,), DraftStatus.POSTED, posted_message_id=2**62
    )
    async with database.session() as session:
        stored = await session.get(AdviceDraft, draft_id)
    assert stored is not None
    assert stored.draft_text == long_text
    assert (stored.status, stored.posted_message_id) == ("posted", 2**62)

    await repo.record_false_alarm(FalseAlarm(1, 5, draft_id, "p", "r", 0.7))
    assert [a.user_id for a in await repo.false_alarms(1)] == [5]
    assert list(await repo.false_alarms(2)) == []


async def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'wal.db'}")
    try:
        await db.migrate()
        async with db.engine.connect() as conn:
            mode = (await conn.execute(text("PRAGMA journal_mode"))).scalar_one()
        assert mode.lower() == "wal"
    finally:
        await db.dispose()


async def test_unreachable_database_raises_storage_unavailable() -> None:
    db = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        assert await db.ping(within=2) is False
        with pytest.raises(StorageUnavailable):
            await StateRepository(db).get("anything")
    finally:
        await db.dispose()
