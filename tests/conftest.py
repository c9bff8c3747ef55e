"""Shared fixtures: real databases and the local fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import Database
from tests.databases import open_database
from tests.e2e.harness import build_index

pytest_plugins = ["tests.fakediscord.plugin"]

DATABASE_KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASE_KINDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database: every test using it runs on SQLite and on PostgreSQL."""
    async with open_database(request.param, tmp_path) as db:
        yield db


@pytest.fixture(scope="session")
def prebuilt_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A chroma directory with the shipped notes, built once by ``touchstone ingest``."""
    return build_index(tmp_path_factory.mktemp("index"))
