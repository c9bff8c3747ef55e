"""Engine, sessions and migrations.

The same code serves the embedded default (SQLite in WAL mode, one process) and
PostgreSQL shared by several shard processes; the differences are confined here.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

#: The newest migration's revision. A start on a database already there reads one row
#: and never imports Alembic (with Mako and Pygments, ~11 MB that would stay resident
#: for the life of the process). A test checks it against the migrations directory.
SCHEMA_HEAD = "0012"

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: Arbitrary constant naming Touchstone's migration lock in pg_advisory_lock.
MIGRATION_LOCK_ID = 0x70C4_5701
#: How the child process of :meth:`Database.migrate_apart` learns the database URL: an
#: environment variable, so a password never shows in the process list.
MIGRATE_URL_VARIABLE = "TOUCHSTONE_MIGRATE_URL"


class MigrationFailed(Exception):
    """The schema could not be brought to head; the start stops with this one line."""


class StorageUnavailable(Exception):
    """The database cannot be reached right now; callers tell the user to try again shortly."""


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config built in code, so no alembic.ini is needed at run time."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str | None:
    """The head according to the migration scripts (imports Alembic)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


class Database:
    """Owns the engine; hands out sessions; applies migrations."""

    def __init__(
        self,
        url: str,
        *,
        connect_args: dict[str, Any] | None = None,
        busy_timeout: float = 15.0,
    ) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        if connect_args:
            kwargs["connect_args"] = connect_args
        if self.is_sqlite:
            database = self.url.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": busy_timeout, **kwargs.get("connect_args", {})}
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            busy_ms = int(busy_timeout * 1000)
            event.listen(
                self.engine.sync_engine,
                "connect",
                lambda dbapi_connection, record: _sqlite_pragmas(dbapi_connection, record, busy_ms),
            )
        # PostgreSQL refuses NUL in text; members can paste one anywhere. Drop it on
        # both backends so the same text is stored everywhere.
        event.listen(
            self.engine.sync_engine, "before_cursor_execute", _strip_nul_bytes, retval=True
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def backend(self) -> str:
        return self.url.get_backend_name()

    def describe(self) -> str:
        """The URL with any password hidden, safe for logs and doctor output."""
        return self.url.render_as_string(hide_password=True)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on any error.

        Connection failures surface as :class:`StorageUnavailable` so that no caller has
        to know the driver's exception types.
        """
        try:
            async with self.sessions() as session, session.begin():
                yield session
        except (OperationalError, DBAPIError, OSError, ConnectionError) as exc:
            if _is_connection_problem(exc):
                raise StorageUnavailable(str(exc).splitlines()[0]) from exc
            raise

    async def migrate(self) -> None:
        """Bring the schema to head. Safe when several processes start at once."""
        async with self.engine.begin() as conn:
            if not self.is_sqlite:
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID}
                )
            if await conn.run_sync(_stamped_revision) == SCHEMA_HEAD:
                return
            await conn.run_sync(_upgrade, "head")

    async def migrate_apart(self) -> None:
        """Bring the schema to head in a short-lived child process, when it is behind.

        For the long-running bot: Alembic, Mako and Pygments (~10 MB) are loaded only in
        the child, which exits, so a first start or an upgrade leaves the bot as small
        as a restart. The child runs :meth:`migrate` (the same lock, the same checks);
        an in-memory SQLite database, which a child cannot see, migrates here.
        """
        if await self.at_head():
            return
        if self.is_sqlite and self.url.database in (None, "", ":memory:"):
            await self.migrate()
            return
        env = {**os.environ, MIGRATE_URL_VARIABLE: self.url.render_as_string(hide_password=False)}
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.storage.upgrade",
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await child.communicate()
        if child.returncode != 0:
            lines = stderr.decode(errors="replace").strip().splitlines() or ["no output"]
            raise MigrationFailed(f"the database migration failed: {lines[-1]}")

    async def at_head(self) -> bool:
        """Whether the schema is already at :data:`SCHEMA_HEAD` (read without Alembic)."""
        async with self.engine.connect() as conn:
            return await conn.run_sync(_stamped_revision) == SCHEMA_HEAD

    async def downgrade(self, revision: str = "base") -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(_downgrade, revision)

    async def current_revision(self) -> str | None:
        async with self.engine.connect() as conn:
            return await conn.run_sync(_current_revision)

    async def ping(self, within: float = 3.0) -> bool:
        try:
            async with asyncio.timeout(within), self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:  # any failure means "not reachable"; the caller reports it
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, busy_ms: int = 15000) -> None:
    """WAL lets readers and the writer work together; foreign keys are off by default."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, tuple):
        return tuple(_without_nul(v) for v in value)
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_nul(v) for k, v in value.items()}
    return value


def _strip_nul_bytes(
    _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
) -> tuple[str, Any]:
    return statement, _without_nul(parameters)


def _upgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), revision)


def _downgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(connection), revision)


def _current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _stamped_revision(connection: Connection) -> str | None:
    """The revision recorded in ``alembic_version``, read without Alembic."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return str(rows[0]) if len(rows) == 1 else None


def _is_connection_problem(exc: BaseException) -> bool:
    if isinstance(exc, OSError | ConnectionError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    message = str(exc).lower()
    return any(
        marker in message
        for marker in (
            "database is locked",
            "connection refused",
            "could not connect",
            "connection was closed",
            "connection is closed",
            "the database system is",
            "terminating connection",
            "server closed the connection",
            "unable to open database",
            "connect call failed",
        )
    )
