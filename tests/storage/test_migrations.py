"""Alembic migrations, on SQLite and on PostgreSQL: up, all the way down, up again,
and the migrated schema matches the models exactly.

The autogenerate comparison catches a feature whose migration forgot a column, an
index or a type change that its models have: the bot would then run on a schema
nobody tested.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.storage import Database
from bot.storage.all_models import Base
from bot.storage.database import head_revision
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

    configs = GuildConfigService(db)
    assert (await configs.get(7)).coaching.default_prompts == ["What ships?", "Who needs me?"]
    assert [entry.key for entry in await configs.history(7)] == ["coaching.default_prompts"]
    async with db.engine.connect() as conn:
        assert "server_default_prompts" not in await conn.run_sync(table_names)
