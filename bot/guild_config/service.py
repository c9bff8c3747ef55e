"""Reading and changing a server's configuration.

Reads come from an in-memory cache so message handlers never wait on the database;
a change writes the new document and its audit rows in one transaction and drops the
cached copy. Other processes (shards) see a change within ``ttl`` seconds.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from sqlalchemy import select

from bot.guild_config.model import GuildConfig
from bot.storage import Database
from bot.storage.config_models import ConfigAudit, GuildConfigRow
from bot.storage.models import utcnow


@dataclass(frozen=True)
class Change:
    key: str
    old: str
    new: str


def flatten(config: GuildConfig) -> dict[str, str]:
    """Dotted keys to JSON-encoded values, for diffs and the audit log."""
    out: dict[str, str] = {}

    def walk(prefix: str, value: object) -> None:
        if (
            isinstance(value, dict)
            and value
            and all(isinstance(k, str) for k in value)
            and not prefix.endswith("policies")
        ):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else key, inner)
        else:
            out[prefix] = json.dumps(value, sort_keys=True, default=str)

    walk("", config.model_dump(mode="json"))
    return out


def diff(old: GuildConfig, new: GuildConfig) -> list[Change]:
    before, after = flatten(old), flatten(new)
    return [
        Change(k, before.get(k, "null"), after.get(k, "null"))
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    ]


@dataclass
class GuildConfigService:
    db: Database
    ttl: float = 30.0
    _cache: dict[int, tuple[float, GuildConfig]] = field(default_factory=dict)

    async def get(self, guild_id: int) -> GuildConfig:
        cached = self._cache.get(guild_id)
        if cached is not None and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        async with self.db.session() as session:
            row = await session.get(GuildConfigRow, guild_id)
            config = GuildConfig.model_validate_json(row.data) if row is not None else GuildConfig()
        self._cache[guild_id] = (time.monotonic(), config)
        return config

    async def replace(self, guild_id: int, new: GuildConfig, actor_id: int) -> list[Change]:
        """Store ``new`` (already validated) and audit every changed key; atomic."""
        async with self.db.session() as session:
            row = await session.get(GuildConfigRow, guild_id, with_for_update=True)
            old = GuildConfig.model_validate_json(row.data) if row is not None else GuildConfig()
            changes = diff(old, new)
            if not changes:
                return []
            data = new.model_dump_json()
            if row is None:
                session.add(GuildConfigRow(guild_id=guild_id, data=data, version=1))
            else:
                row.data = data
                row.version += 1
                row.updated_at = utcnow()
            for change in changes:
                session.add(
                    ConfigAudit(
                        guild_id=guild_id,
                        actor_id=actor_id,
                        key=change.key,
                        old_value=change.old,
                        new_value=change.new,
                    )
                )
        self._cache.pop(guild_id, None)
        return changes

    async def history(self, guild_id: int, limit: int = 50) -> list[ConfigAudit]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(ConfigAudit)
                .where(ConfigAudit.guild_id == guild_id)
                .order_by(ConfigAudit.at.desc(), ConfigAudit.id.desc())
                .limit(limit)
            )
            return list(rows.all())

    def invalidate(self, guild_id: int | None = None) -> None:
        if guild_id is None:
            self._cache.clear()
        else:
            self._cache.pop(guild_id, None)
