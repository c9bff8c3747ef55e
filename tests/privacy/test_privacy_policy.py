"""PRIVACY.md names everything /mydata export can hand a person, column by column.

The policy is a promise about what is stored; the export is what is stored. When a
feature adds a table or a column that names people, this fails until the policy says
so, which keeps the two in step (issue 17).
"""

from __future__ import annotations

import json
import re

from bot.about import ABOUT_TEXT
from bot.clock import SimulatedClock
from bot.privacy import PrivacyService
from bot.privacy.repository import PrivacyRepository
from bot.privacy.service import _tables_children_first
from bot.storage import Database
from tests.e2e.harness import REPO_ROOT
from tests.privacy.test_mydata import ME, START, fill

POLICY = (REPO_ROOT / "PRIVACY.md").read_text(encoding="utf-8")


def named(word: str) -> bool:
    """Named as code (`word`), the way the policy lists tables and columns."""
    return re.search(rf"`{re.escape(word)}`", POLICY) is not None


async def test_every_table_and_column_an_export_returns_is_in_the_policy(
    database: Database,
) -> None:
    clock = SimulatedClock(START)
    await fill(database, clock)
    export = json.loads(await PrivacyService(PrivacyRepository(database), clock).export_json(ME))
    assert export["tables"], "the filled database exported nothing"
    missing = [
        f"{table}.{column}"
        for table, rows in export["tables"].items()
        for column in [table, *sorted({c for row in rows for c in row})]
        if not named(column)
    ]
    assert missing == [], f"PRIVACY.md does not name: {missing}"


def test_every_table_the_export_reads_is_in_the_policy_even_when_empty() -> None:
    """The export reads these tables for anyone; a table the fixture leaves empty must be
    described all the same."""
    missing = [
        f"{table.name}.{column}"
        for table in _tables_children_first()
        for column in [table.name, *table.c.keys()]
        if not named(column)
    ]
    assert missing == [], f"PRIVACY.md does not name: {missing}"


def test_about_and_the_readme_link_the_policy() -> None:
    assert "PRIVACY.md" in ABOUT_TEXT
    assert "(PRIVACY.md)" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
