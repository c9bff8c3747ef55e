"""/mydata: export everything stored about a person, or erase it all.

The list of places comes from :data:`bot.storage.all_models.ALL_USER_COLUMNS`, which
every feature fills in for its own tables, so a new table is covered the moment it
is declared there. Erasure runs in one transaction: all or nothing.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table

from bot.clock import Clock
from bot.privacy.repository import ErasureStep, PrivacyRepository
from bot.storage.all_models import ALL_USER_COLUMNS, Base

#: References kept for the sake of others, with the person's id replaced: a
#: moderator's server note and their settings changes belong to the server's
#: history, so the author becomes 0 ("a former member").
ANONYMISE_TO: dict[tuple[str, str], int | None] = {
    ("guild_notes", "author_id"): 0,
    ("config_audit", "actor_id"): 0,
    # A club or push a moderator started belongs to the server and its members.
    ("clubs", "started_by"): 0,
    ("club_pushes", "started_by"): 0,
    # An accountability pair's row outlives either partner's erasure, so that its id is
    # never handed to a new pair (SQLite reuses the highest id once its row is gone):
    # outbox keys and thread names made from a pair's id must stay the pair's alone.
    ("club_pairs", "first_user_id"): 0,
    ("club_pairs", "second_user_id"): 0,
}

#: Winds down what a person shares with others before their rows go (given their id).
ErasureHook = Callable[[int], Awaitable[None]]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _columns_by_table() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for table, column in ALL_USER_COLUMNS:
        found.setdefault(table, []).append(column)
    return found


def _tables_children_first() -> list[Table]:
    wanted = _columns_by_table()
    return [t for t in reversed(Base.metadata.sorted_tables) if t.name in wanted]


@dataclass(frozen=True)
class DeletionReport:
    deleted: dict[str, int]
    anonymised: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.deleted.values()) + sum(self.anonymised.values())

    def describe(self) -> str:
        if not self.total:
            return "Nothing was stored about you, so there was nothing to delete."
        parts = [_count_of(n, table) for table, n in self.deleted.items() if n]
        text = "Deleted everything Touchstone stored about you"
        text += " (" + ", ".join(parts) + ")." if parts else "."
        if any(n for t, n in self.anonymised.items() if t not in ("dialogues", "club_pairs")):
            text += (
                " Server notes and settings changes you made as a moderator stay with the "
                "server, no longer linked to you."
            )
        if self.anonymised.get("club_pairs"):
            text += (
                " Practice pairs you were in stay on record for your partner, no longer "
                "linked to you."
            )
        if self.anonymised.get("dialogues"):
            text += (
                " In dialogues you shared with someone, what you wrote now reads [deleted]; "
                "the other person keeps the rest."
            )
        return text


def _count_of(number: int, table: str) -> str:
    """``3 practice logs``, ``1 practice push``, ``1 coaching profile``."""
    words = table.replace("_", " ")
    if number == 1:
        if words.endswith(("shes", "ches", "sses", "xes")):
            words = words[:-2]
        elif words.endswith("s"):
            words = words[:-1]
    return f"{number} {words}"


@dataclass
class PrivacyService:
    repository: PrivacyRepository
    clock: Clock
    #: Features whose rows bind this person to someone else register a hook here (an
    #: accountability pair ends as if they had left, so the partner is told). Each runs
    #: before the erasure, outside its transaction, so it can use the outbox; each must
    #: be safe to run twice (a retried delete, two processes).
    before_erase: list[ErasureHook] = field(default_factory=list)

    async def export(self, user_id: int) -> dict[str, Any]:
        """Every stored row that names this person, table by table."""
        columns = _columns_by_table()
        found = await self.repository.rows_naming(
            user_id, [(table, columns[table.name]) for table in _tables_children_first()]
        )
        tables = {
            name: [{key: _plain(value) for key, value in row.items()} for row in rows]
            for name, rows in found.items()
        }
        return {
            "user_id": user_id,
            "exported_at": self.clock.now().isoformat(),
            "tables": dict(sorted(tables.items())),
        }

    async def export_json(self, user_id: int) -> bytes:
        return json.dumps(await self.export(user_id), indent=2, ensure_ascii=False).encode()

    async def delete_everything(self, user_id: int) -> DeletionReport:
        """Erase every row naming this person (one transaction), keeping only
        server-owned records, anonymised."""
        for hook in self.before_erase:
            await hook(user_id)
        steps = _erasure_plan()
        result = await self.repository.erase(user_id, self.clock.now(), steps)
        deleted: dict[str, int] = {}
        anonymised: dict[str, int] = {}
        if result.shared_dialogues:
            anonymised["dialogues"] = result.shared_dialogues
        for step, count in zip(steps, result.counts, strict=True):
            tally = deleted if step.delete else anonymised
            tally[step.table.name] = tally.get(step.table.name, 0) + count
        return DeletionReport(deleted, anonymised)


def _erasure_plan() -> list[ErasureStep]:
    """What happens to each column naming a person, children's tables first.

    Server-owned references are anonymised (:data:`ANONYMISE_TO`); a secondary,
    nullable reference in someone else's row (e.g. the author of the post another
    person replied to) is unlinked so their row stays; everything else is deleted.
    """
    columns = _columns_by_table()
    steps: list[ErasureStep] = []
    for table in _tables_children_first():
        for name in columns[table.name]:
            column = table.c[name]
            if (table.name, name) in ANONYMISE_TO:
                steps.append(ErasureStep(table, name, False, ANONYMISE_TO[(table.name, name)]))
            elif column.nullable and not column.primary_key and len(columns[table.name]) > 1:
                steps.append(ErasureStep(table, name, False, None))
            else:
                steps.append(ErasureStep(table, name, True))
    return steps
