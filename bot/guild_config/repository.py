"""SQL for server configurations: the stored document, its version and its audit log.

The service decides what a configuration is and what a change does; this module only
knows the rows. A change runs as one locked read-decide-write transaction so two
moderators (or two shards) changing the same server never lose each other's edits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Generic, TypeVar

from sqlalchemy import select

from bot.guild_config.model import AuditedChange
from bot.guild_config.render import HistoryEntry
from bot.storage.config_models import ConfigAudit, GuildConfigRow
from bot.storage.database import Database
from bot.storage.models import utcnow

T = TypeVar("T")


@dataclass(frozen=True)
class StoredConfig:
    """A server's stored document (raw JSON, validated by the service) and its version."""

    data: str
    version: int


@dataclass(frozen=True)
class Decision(Generic[T]):
    """What a change decided under the row lock: the caller's ``result``, and the new
    document with its audited keys, or ``data=None`` when nothing is to be written."""

    result: T
    data: str | None
    audit: Sequence[AuditedChange]


@dataclass
class GuildConfigRepository:
    db: Database

    async def stored_version(self, guild_id: int) -> int:
        """The stored version alone (0 if never saved): the cheap freshness check."""
        async with self.db.session() as session:
            version = await session.scalar(
                select(GuildConfigRow.version).where(GuildConfigRow.guild_id == guild_id)
            )
        return version or 0

    async def load(self, guild_id: int) -> StoredConfig | None:
        """The stored document and version, or None if the server never saved one."""
        async with self.db.session() as session:
            row = await session.get(GuildConfigRow, guild_id)
            return None if row is None else StoredConfig(row.data, row.version)

    async def rewrite(
        self,
        guild_id: int,
        actor_id: int,
        decide: Callable[[StoredConfig | None], Decision[T]],
    ) -> tuple[T, int]:
        """Run ``decide`` on the latest stored row under a row lock, then write what it
        decided plus one audit row per key, all in one transaction.

        ``decide`` must not await: it runs inside the transaction, and if it raises the
        transaction rolls back and nothing is written. Returns its result and the version
        now stored.
        """
        async with self.db.session() as session:
            row = await session.get(GuildConfigRow, guild_id, with_for_update=True)
            decision = decide(None if row is None else StoredConfig(row.data, row.version))
            version = row.version if row is not None else 0
            if decision.data is not None:
                if row is None:
                    version = 1
                    session.add(GuildConfigRow(guild_id=guild_id, data=decision.data, version=1))
                else:
                    version = row.version = row.version + 1
                    row.data = decision.data
                    row.updated_at = utcnow()
                session.add_all(
                    ConfigAudit(
                        guild_id=guild_id,
                        actor_id=actor_id,
                        key=c.key,
                        old_value=c.old,
                        new_value=c.new,
                    )
                    for c in decision.audit
                )
        return decision.result, version

    async def history(self, guild_id: int, limit: int) -> list[HistoryEntry]:
        """Newest first, with naive timestamps (SQLite) read as UTC."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(ConfigAudit)
                .where(ConfigAudit.guild_id == guild_id)
                .order_by(ConfigAudit.at.desc(), ConfigAudit.id.desc())
                .limit(limit)
            )
            return [
                HistoryEntry(
                    actor_id=row.actor_id,
                    key=row.key,
                    old=row.old_value,
                    new=row.new_value,
                    at=row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC),
                )
                for row in rows.all()
            ]
