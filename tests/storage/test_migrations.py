"""Alembic migrations, on SQLite and on PostgreSQL: up, all the way down, up again,
and the migrated schema matches the models exactly.

The autogenerate comparison catches a feature whose migration forgot a column, an
index or a type change that its models have: the bot would then run on a schema
nobody tested.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.guild_config.repository import GuildConfigRepository
from bot.storage import Database
from bot.storage.all_models import Base
from bot.storage.database import MigrationFailed, head_revision
from tests.databases import postgres_schema

KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=KINDS)
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no schema at all (not migrated)."""
    if request.param == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}")
        try:
            yield db
        finally:
            await db.dispose()
        return
    async with postgres_schema() as (url, schema):
        db = Database(url, connect_args={"server_settings": {"search_path": schema}})
        try:
            yield db
        finally:
            await db.dispose()


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def schema_differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_upgrade_downgrade_upgrade(empty_database: Database) -> None:
    db = empty_database
    await db.migrate()
    assert await db.current_revision() == head_revision()
    async with db.engine.connect() as conn:
        assert await conn.run_sync(table_names) == set(Base.metadata.tables)

    await db.downgrade("base")
    assert await db.current_revision() is None
    async with db.engine.connect() as conn:
        assert await conn.run_sync(table_names) == set()

    await db.migrate()
    assert await db.current_revision() == head_revision()
    async with db.engine.connect() as conn:
        assert await conn.run_sync(table_names) == set(Base.metadata.tables)


async def test_migrated_schema_matches_the_models(empty_database: Database) -> None:
    db = empty_database
    await db.migrate()
    async with db.engine.connect() as conn:
        differences = await conn.run_sync(schema_differences)
    assert differences == []


async def test_each_step_downgrades_and_upgrades_again(empty_database: Database) -> None:
    """Walk down one revision at a time and back: every downgrade() is exercised."""
    from alembic.script import ScriptDirectory

    from bot.storage.database import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    revisions = [rev.revision for rev in script.walk_revisions()]  # head first
    db = empty_database
    await db.migrate()
    for index, _revision in enumerate(revisions):
        below = revisions[index + 1] if index + 1 < len(revisions) else "base"
        await db.downgrade(below)
        assert await db.current_revision() == (None if below == "base" else below)
        await db.migrate()
        assert await db.current_revision() == head_revision()
        await db.downgrade(below)


async def test_older_server_default_prompts_move_into_the_server_configuration(
    empty_database: Database,
) -> None:
    """0011: prompts a server set before the configuration held them still reach its
    members, now from the configuration (with a history entry), and the table is gone."""
    from sqlalchemy import text

    from bot.guild_config import GuildConfigService

    db = empty_database
    await db.migrate()
    await db.downgrade("0010")
    async with db.engine.begin() as conn:
        for guild_id, position, prompt in [(7, 1, "Who needs me?"), (7, 0, "What ships?")]:
            await conn.execute(
                text(
                    "INSERT INTO server_default_prompts (guild_id, position, text) "
                    "VALUES (:g, :p, :t)"
                ),
                {"g": guild_id, "p": position, "t": prompt},
            )
    await db.migrate()

    configs = GuildConfigService(GuildConfigRepository(db))
    assert (await configs.get(7)).coaching.default_prompts == ["What ships?", "Who needs me?"]
    assert [entry.key for entry in await configs.history(7)] == ["coaching.default_prompts"]
    async with db.engine.connect() as conn:
        assert "server_default_prompts" not in await conn.run_sync(table_names)


async def test_pending_dialogue_followups_move_from_the_state_into_the_outbox(
    empty_database: Database,
) -> None:
    """0012: a "What happened?" DM still waiting in a finished dialogue's state becomes a
    pending outbox item under the engine's key; one already handed over is not repeated,
    and no state keeps ``_followups`` or ``_followups_scheduled``."""
    import json
    from datetime import UTC, datetime

    from bot.scheduling import ItemStatus, Outbox
    from bot.storage.coaching_models import ScheduledItem
    from bot.storage.dialogue_models import DialogueRow

    def followup(dialogue_id: int, user_id: int, suffix: str = "") -> dict[str, Any]:
        return {
            "user_id": user_id,
            "due_at": "2026-03-09T10:00:00+01:00",
            "text": f"Check on #{dialogue_id}",
            "key": f"dlg:{dialogue_id}:followup{suffix}",
        }

    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    states = {
        41: {"goal": "Write", "_followups": [followup(41, 101)]},
        # Handed over halfway before a crash: the first one was even sent already.
        42: {"_followups": [followup(42, 101, ":101"), followup(42, 202, ":202")]},
        43: {"_followups": [followup(43, 101)], "_followups_scheduled": True},
    }
    db = empty_database
    await db.migrate()
    await db.downgrade("0011")
    async with db.session() as s:
        for dialogue_id, state in states.items():
            s.add(
                DialogueRow(
                    id=dialogue_id,
                    kind="impossible",
                    status="ended",
                    state_json=json.dumps(state),
                    owner_id=101,
                )
            )
        s.add(
            ScheduledItem(
                key="dlg:42:followup:101",
                user_id=101,
                kind="dialogue_followup",
                payload_json="{}",
                scheduled_for=now,
                due_at=now,
                status=ItemStatus.SENT,
            )
        )
    await db.migrate()

    outbox = Outbox(db, lambda: now)
    due = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    for key, dialogue_id, user_id in [
        ("dlg:41:followup", 41, 101),
        ("dlg:42:followup:202", 42, 202),
    ]:
        found = await outbox.get(key)
        assert found is not None and found[1] == ItemStatus.PENDING
        item = found[0]
        assert (item.kind, item.user_id, item.due_at) == ("dialogue_followup", user_id, due)
        assert item.payload["dialogue_id"] == dialogue_id
        assert item.payload["text"].startswith(f"Check on #{dialogue_id}\n\nReply here:")
    assert await outbox.statuses(["dlg:42:followup:101", "dlg:43:followup"]) == {
        "dlg:42:followup:101": ItemStatus.SENT
    }
    async with db.session() as s:
        for dialogue_id in states:
            row = await s.get(DialogueRow, dialogue_id)
            assert row is not None
            kept = json.loads(row.state_json)
            assert "_followups" not in kept and "_followups_scheduled" not in kept
            assert kept == ({"goal": "Write"} if dialogue_id == 41 else {})


def test_the_schema_head_constant_names_the_newest_migration() -> None:
    """A new migration must move SCHEMA_HEAD too, or starts would skip it."""
    from bot.storage.database import SCHEMA_HEAD

    assert head_revision() == SCHEMA_HEAD


START = """
import asyncio, sys
from bot.storage import Database

async def main() -> None:
    db = Database(sys.argv[1])
    await getattr(db, sys.argv[2])()
    print(await db.at_head(), "alembic" in sys.modules)
    await db.dispose()

asyncio.run(main())
"""


async def start_in_a_new_process(db: Database, how: str) -> list[str]:
    """Open ``db`` in a fresh Python process the way ``how`` does; whether it ends at
    head and whether Alembic was left loaded in that process."""
    if not db.is_sqlite:
        pytest.skip("the child process opens the file database; PostgreSQL runs the same path")
    url = db.url.render_as_string(hide_password=False)
    run = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", START, url, how],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


async def test_a_restart_on_a_migrated_database_leaves_alembic_unloaded(
    empty_database: Database,
) -> None:
    """Alembic stays out of a process whose database is already at head (~11 MB)."""
    if empty_database.is_sqlite:
        await empty_database.migrate()
    assert await start_in_a_new_process(empty_database, "migrate") == ["True", "False"]
    assert await empty_database.current_revision() == head_revision()


async def test_a_database_one_step_behind_is_still_migrated(empty_database: Database) -> None:
    """Skipping Alembic at head must not skip a real upgrade."""
    db = empty_database
    await db.migrate()
    below = await db.current_revision()
    await db.downgrade("0011")
    assert await db.current_revision() == "0011" != below
    await db.migrate()
    assert await db.current_revision() == head_revision()


async def test_a_first_start_migrates_in_a_child_and_leaves_alembic_unloaded(
    empty_database: Database,
) -> None:
    """A bot started on an older database ends at head without keeping Alembic
    resident: the upgrade ran in a child process that exited."""
    db = empty_database
    if db.is_sqlite:
        await db.migrate()
        await db.downgrade("0011")  # an older file: a real upgrade is still due
    assert await start_in_a_new_process(db, "migrate_apart") == ["True", "False"]
    assert await db.current_revision() == head_revision()


async def test_a_failed_migration_in_the_child_is_reported_not_ignored(tmp_path: Path) -> None:
    """A database from a newer Touchstone (a revision these migrations don't know)
    stops the start with the child's reason, rather than a bot on the wrong schema."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'newer.db'}")
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
            await conn.execute(text("INSERT INTO alembic_version VALUES ('9999')"))
        assert not await db.at_head()
        with pytest.raises(MigrationFailed, match=r"the database migration failed: .*9999"):
            await db.migrate_apart()
    finally:
        await db.dispose()
