"""``touchstone migrate-data``: an embedded SQLite deployment moves to PostgreSQL intact.

Every table the models define is filled generically (so a table added later is
covered without touching this test), including unicode text, ids beyond 32 bits and
times with microseconds, then the real command copies it to a fresh PostgreSQL
database and every row is compared field by field.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    Text,
    insert,
    select,
)

from bot.datamove.copy import tables_in_order
from bot.storage import Database
from tests.databases import postgres_database

ROWS_PER_TABLE = 3
BIG = 1_234_567_890_123_456_789  # Discord snowflakes exceed 32 bits
REPO = Path(__file__).resolve().parents[1]


def value_for(table: Table, column: Any, n: int, parents: dict[str, list[Any]]) -> Any:
    for fk in column.foreign_keys:
        return parents[fk.column.table.name][n % len(parents[fk.column.table.name])]
    kind = column.type
    if isinstance(kind, Boolean):
        return n % 2 == 0
    if isinstance(kind, BigInteger):
        return BIG + n * 7919
    if isinstance(kind, Integer):
        return n + 1
    if isinstance(kind, Float):
        return 0.25 + n / 3
    if isinstance(kind, DateTime):
        return datetime(2026, 3, 29, 1, 59, 59, 123456, tzinfo=UTC) + timedelta(hours=n)
    if isinstance(kind, Date):
        return date(2026, 2, 28) + timedelta(days=n)
    if isinstance(kind, String | Text):
        text = f"{column.name} {n} · Grüße, 東京, emoji 🎯, quote ' and \"\\"
        length = getattr(kind, "length", None)
        return text[: length or None] if not length or length >= 8 else str(n)[:length]
    raise AssertionError(f"no test value for {table.name}.{column.name} ({kind})")


async def fill(db: Database) -> dict[str, list[dict[str, Any]]]:
    """ROWS_PER_TABLE rows in every table, parents first; returns what was written."""
    written: dict[str, list[dict[str, Any]]] = {}
    keys: dict[str, list[Any]] = {}
    async with db.session() as session:
        for table in tables_in_order():
            rows = []
            for n in range(ROWS_PER_TABLE):
                rows.append({c.key: value_for(table, c, n, keys) for c in table.columns})
            await session.execute(insert(table), rows)
            written[table.name] = rows
            pk = list(table.primary_key.columns)
            keys[table.name] = [row[pk[0].key] for row in rows] if len(pk) == 1 else []
    return written


def normalised(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return value


async def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with db.engine.connect() as conn:
        for table in tables_in_order():
            rows = (await conn.execute(select(table))).all()
            out[table.name] = sorted((tuple(normalised(v) for v in row) for row in rows), key=repr)
    return out


def migrate_data(sqlite_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHSTONE_")}
    env["TOUCHSTONE_DATABASE_URL"] = sqlite_url
    return subprocess.run(
        [sys.executable, "-m", "bot", "migrate-data", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def run_cli(sqlite_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(migrate_data, sqlite_url, *args)


@pytest.mark.postgres
async def test_every_row_survives_the_move_to_postgres(tmp_path: Path) -> None:
    sqlite_url = f"sqlite+aiosqlite:///{tmp_path / 'touchstone.db'}"
    source = Database(sqlite_url)
    await source.migrate()
    await fill(source)
    before = await dump(source)
    await source.dispose()
    assert all(len(rows) == ROWS_PER_TABLE for rows in before.values())
    assert len(before) == len(tables_in_order()) >= 15

    async with postgres_database() as pg_url:
        result = await run_cli(sqlite_url, "--to", pg_url)
        assert result.returncode == 0, result.stderr
        assert "row counts verified" in result.stdout
        assert f"copied {ROWS_PER_TABLE * len(before)} rows" in result.stdout

        target = Database(pg_url)
        try:
            after = await dump(target)
            assert after == before
            # New rows get fresh ids: the sequences moved past the copied ones.
            table = next(t for t in tables_in_order() if t.name == "scheduled_items")
            async with target.session() as session:
                new_id = (
                    await session.execute(
                        insert(table)
                        .values(
                            key="after-the-move",
                            user_id=BIG,
                            kind="test",
                            payload_json="{}",
                            unsolicited=True,
                            scheduled_for=datetime.now(UTC),
                            due_at=datetime.now(UTC),
                            status="pending",
                            attempts=0,
                            created_at=datetime.now(UTC),
                        )
                        .returning(table.c.id)
                    )
                ).scalar_one()
            assert new_id == ROWS_PER_TABLE + 1
        finally:
            await target.dispose()

        # A second run refuses the non-empty target, in one line, and changes nothing.
        again = await run_cli(sqlite_url, "--to", pg_url)
        assert again.returncode == 1
        assert again.stderr.count("\n") == 1 and "not empty" in again.stderr
        assert "--force" in again.stderr

        forced = await run_cli(sqlite_url, "--to", pg_url, "--force", "--quiet")
        assert forced.returncode == 0, forced.stderr
        target = Database(pg_url)
        try:
            assert await dump(target) == before
        finally:
            await target.dispose()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("not a url", "not a database URL"),
        ("mysql://root@localhost/db", "unsupported database driver"),
    ],
)
def test_bad_target_is_one_line_and_exit_2(tmp_path: Path, target: str, message: str) -> None:
    result = migrate_data(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", "--to", target)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_unreachable_target_is_one_line_without_the_password(tmp_path: Path) -> None:
    result = migrate_data(
        f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        "--to",
        "postgresql://touchstone:s3cret-pw@127.0.0.1:9/touchstone",
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "unreachable" in result.stderr
    assert "s3cret-pw" not in result.stderr + result.stdout
