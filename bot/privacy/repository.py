"""SQL for /mydata: read every row naming a person, and carry out an erasure plan.

The service decides which columns name a person and what happens to each (delete the
row, or keep it with the reference replaced); this module runs those steps. An
erasure is one transaction, shared dialogues first, so it is all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, or_, select, update

from bot.dialogues.erasure import erase_from_shared_dialogues
from bot.storage.database import Database


@dataclass(frozen=True)
class ErasureStep:
    """One column naming the person: delete its rows (``delete``), or set it to
    ``value`` and keep the row (an anonymised or unlinked reference)."""

    table: Table
    column: str
    delete: bool
    value: int | None = None


@dataclass(frozen=True)
class ErasureResult:
    """How many shared dialogues were rewritten, and rows touched per step, in order."""

    shared_dialogues: int
    counts: list[int]


@dataclass
class PrivacyRepository:
    db: Database

    async def rows_naming(
        self, user_id: int, columns: Sequence[tuple[Table, Sequence[str]]]
    ) -> dict[str, list[dict[str, Any]]]:
        """Per table, every row where any of the given columns holds ``user_id``."""
        found: dict[str, list[dict[str, Any]]] = {}
        async with self.db.session() as session:
            for table, names in columns:
                condition = or_(*(table.c[name] == user_id for name in names))
                rows = (await session.execute(select(table).where(condition))).mappings().all()
                if rows:
                    found[table.name] = [dict(row) for row in rows]
        return found

    async def erase(
        self, user_id: int, now: datetime, steps: Sequence[ErasureStep]
    ) -> ErasureResult:
        """Shared dialogues first (the other person's side must survive), then every
        step in order, in one transaction."""
        counts: list[int] = []
        async with self.db.session() as session:
            shared = await erase_from_shared_dialogues(session, user_id, now)
            for step in steps:
                column = step.table.c[step.column]
                if step.delete:
                    statement: Any = delete(step.table).where(column == user_id)
                else:
                    statement = (
                        update(step.table)
                        .where(column == user_id)
                        .values({step.column: step.value})
                    )
                counts.append(_count(await session.execute(statement)))
        return ErasureResult(shared, counts)


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
