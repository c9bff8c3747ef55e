"""Persistence: SQLAlchemy 2 async over SQLite (default) or PostgreSQL, schema by Alembic."""

from bot.storage.database import Database, StorageUnavailable

__all__ = ["Database", "StorageUnavailable"]
