"""Alembic environment: runs on the connection handed over by :class:`Database`.

Touchstone applies migrations in code at start-up (``Database.migrate``), so this
file only supports the connection-sharing mode; ``alembic`` on the command line
is not needed to operate the bot.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from bot.storage.all_models import Base

target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Touchstone runs migrations through bot.storage.Database.migrate()")
run_migrations(connection)
