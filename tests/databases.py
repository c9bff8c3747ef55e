"""Real databases for tests: a SQLite file per test, and a fresh PostgreSQL schema per test.

PostgreSQL runs when TOUCHSTONE_TEST_DATABASE_URL is set; otherwise those tests skip
with a reason. With TOUCHSTONE_REQUIRE_POSTGRES=1 (set by .ci/run) a missing or
unreachable PostgreSQL fails the run instead of skipping silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage import Database

PG_ENV = "TOUCHSTONE_TEST_DATABASE_URL"
REQUIRE_ENV = "TOUCHSTONE_REQUIRE_POSTGRES"


def unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it when CI requires PostgreSQL."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def postgres_url() -> str:
    """The configured PostgreSQL URL, or skip (fail under CI) with the reason."""
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        unavailable(
            f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)"
        )
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


@asynccontextmanager
async def postgres_schema() -> AsyncIterator[tuple[str, str]]:
    """A throwaway schema; yields (url, schema). Lets tests and processes run in parallel."""
    url = postgres_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(url)
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        await admin.dispose()
        unavailable(f"PostgreSQL at {PG_ENV} is unreachable: {exc}")
    try:
        yield url, schema
    finally:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A throwaway database for a bot subprocess; yields its URL."""
    url = postgres_url()
    name = f"touchstone_t_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        await admin.dispose()
        unavailable(f"PostgreSQL at {PG_ENV} is unreachable: {exc}")
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@asynccontextmanager
async def open_database(kind: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated Database of the given kind ('sqlite' or 'postgres')."""
    if kind == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
        await db.migrate()
        try:
            yield db
        finally:
            await db.dispose()
        return
    async with postgres_schema() as (url, schema):
        db = Database(url, connect_args={"server_settings": {"search_path": schema}})
        await db.migrate()
        try:
            yield db
        finally:
            await db.dispose()


async def another_process(db: Database) -> Database:
    """A second handle on ``db``'s storage with its own engine and pool, as another
    process sharing the database would have. The caller disposes of it."""
    if db.is_sqlite:
        return Database(db.url.render_as_string(hide_password=False))
    async with db.engine.connect() as conn:
        search_path = (await conn.execute(text("SHOW search_path"))).scalar_one()
    return Database(
        db.url.render_as_string(hide_password=False),
        connect_args={"server_settings": {"search_path": search_path}},
    )
