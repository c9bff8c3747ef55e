"""Copy every Touchstone table from one database to another, verified.

The usual move is an embedded SQLite deployment to PostgreSQL when a community
outgrows one process. Both schemas are first brought to the same Alembic head, then
every table is copied in foreign-key order, in batches, inside **one** target
transaction: a failure leaves the target exactly as it was. The source is read in one
transaction too, so the copy is a consistent snapshot (stop the bot first anyway: rows
written after the snapshot would not be moved). Afterwards row counts are compared
table by table, and PostgreSQL's id sequences are moved past the copied ids so new rows
don't collide with old ones.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Integer, MetaData, Table, delete, func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.all_models import Base
from bot.storage.database import Database

log = logging.getLogger(__name__)

DEFAULT_BATCH = 500
IGNORED_TABLES = frozenset({"alembic_version"})

Progress = Callable[[str, int], None]


class CopyError(Exception):
    """A problem the operator can act on; the message is one line and holds no secret."""


@dataclass(frozen=True)
class TableCopy:
    table: str
    source_rows: int
    target_rows: int

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows


@dataclass
class CopyReport:
    tables: list[TableCopy] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.target_rows for t in self.tables)

    @property
    def mismatches(self) -> list[TableCopy]:
        return [t for t in self.tables if not t.ok]


def tables_in_order(metadata: MetaData = Base.metadata) -> list[Table]:
    """Parents before children, so foreign keys hold at every insert."""
    return [t for t in metadata.sorted_tables if t.name not in IGNORED_TABLES]


async def copy_database(
    source: Database,
    target: Database,
    *,
    force: bool = False,
    batch: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy everything from ``source`` into ``target``; see the module docstring."""
    if source.url == target.url:
        raise CopyError("the source and the target are the same database")
    for name, db in (("source", source), ("target", target)):
        if not await db.ping():
            raise CopyError(f"the {name} database {db.describe()} is unreachable")
    # The source may be an older install: bring it to this version's schema first,
    # as starting the bot would. The target gets the same schema.
    await source.migrate()
    await target.migrate()
    tables = tables_in_order()
    await _check_known_tables(source, tables)

    async with target.engine.begin() as tconn:
        existing = await _counts(tconn, tables)
        occupied = {name: count for name, count in existing.items() if count}
        if occupied and not force:
            listing = ", ".join(f"{name} ({count})" for name, count in sorted(occupied.items()))
            raise CopyError(
                f"the target database is not empty: {listing}; use --force to replace its rows"
            )
        for table in reversed(tables):
            if existing[table.name]:
                await tconn.execute(delete(table))
        async with source.engine.connect() as sconn:
            for table in tables:
                copied = await _copy_table(sconn, tconn, table, target, batch)
                if progress is not None:
                    progress(table.name, copied)
        if not target.is_sqlite:
            await _advance_sequences(tconn, tables)

    report = CopyReport()
    async with source.engine.connect() as sconn, target.engine.connect() as tconn:
        source_counts = await _counts(sconn, tables)
        target_counts = await _counts(tconn, tables)
    for table in tables:
        report.tables.append(
            TableCopy(table.name, source_counts[table.name], target_counts[table.name])
        )
    return report


async def _check_known_tables(source: Database, tables: Sequence[Table]) -> None:
    """Refuse rather than silently drop a table this version does not know."""
    async with source.engine.connect() as conn:
        present = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    unknown = present - {t.name for t in tables} - IGNORED_TABLES
    if unknown:
        raise CopyError(
            f"the source has tables this version of Touchstone does not know: "
            f"{', '.join(sorted(unknown))}; upgrade Touchstone first"
        )


async def _counts(conn: AsyncConnection, tables: Sequence[Table]) -> dict[str, int]:
    counts = {}
    for table in tables:
        value = await conn.scalar(select(func.count()).select_from(table))
        counts[table.name] = int(value or 0)
    return counts


async def _copy_table(
    sconn: AsyncConnection, tconn: AsyncConnection, table: Table, target: Database, batch: int
) -> int:
    order = list(table.primary_key.columns) or list(table.columns)
    converters = _converters(table, to_sqlite=target.is_sqlite)
    copied = 0
    result = await sconn.stream(select(table).order_by(*order))
    async for rows in result.partitions(batch):
        values = []
        for row in rows:
            record = dict(row._mapping)
            for column, convert in converters.items():
                record[column] = convert(record[column])
            values.append(record)
        await tconn.execute(table.insert(), values)
        copied += len(values)
    return copied


def _converters(table: Table, *, to_sqlite: bool) -> dict[str, Callable[[Any], Any]]:
    """SQLite keeps no time zone: Touchstone stores UTC, so naive values are UTC."""

    def to_aware(value: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    def to_naive_utc(value: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(UTC).replace(tzinfo=None)
        return value

    converters: dict[str, Callable[[Any], Any]] = {}
    for column in table.columns:
        if isinstance(column.type, DateTime):
            if to_sqlite:
                converters[column.key] = to_naive_utc
            elif column.type.timezone:
                converters[column.key] = to_aware
    return converters


async def _advance_sequences(conn: AsyncConnection, tables: Sequence[Table]) -> None:
    """Point each serial id's sequence just past the largest copied id."""
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        column = pk[0].name
        sequence = await conn.scalar(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": column},
        )
        if sequence is None:
            continue
        highest = await conn.scalar(select(func.max(pk[0])))
        await conn.execute(
            text("SELECT setval(CAST(:sequence AS regclass), :value, false)"),
            {"sequence": sequence, "value": int(highest or 0) + 1},
        )
