"""Reading and changing a server's configuration.

Reads come from an in-memory cache so message handlers never wait on the database:
only the very first read of a server in a process loads it. A change writes the new
document and its audit rows in one transaction and puts the new document straight into
this process's cache, so the next event already sees it. Other processes (shards) keep
serving their cached copy and, once it is older than ``ttl`` seconds, check the stored
version in the background (one tiny query) and reload only when it changed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from bot.guild_config.keys import KEYS, ConfigError, with_value, without_value
from bot.guild_config.model import GuildConfig
from bot.guild_config.render import HistoryEntry, export_json, import_json
from bot.guild_config.repository import Decision, GuildConfigRepository, StoredConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    key: str
    old: str  # JSON, "null" when absent
    new: str


@dataclass(frozen=True)
class Update:
    """What a change did: the configuration before and after, and the audited keys."""

    old: GuildConfig
    new: GuildConfig
    changes: list[Change]


def flatten(config: GuildConfig) -> dict[str, str]:
    """Dotted keys to JSON-encoded values, for diffs and the audit log.

    A per-channel map contributes one key per channel (``advice.channel_policies.123``),
    so the history says which channel changed.
    """
    dumped = config.model_dump(mode="json")
    out: dict[str, str] = {}
    for spec in KEYS:
        value: Any = dumped  # the JSON dump of a typed model: its shape follows KEYS
        for part in spec.path.split("."):
            value = value[part]
        if spec.is_map:
            for entry, inner in value.items():
                out[f"{spec.path}.{entry}"] = json.dumps(inner, sort_keys=True)
        else:
            out[spec.path] = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return out


def diff(old: GuildConfig, new: GuildConfig) -> list[Change]:
    before, after = flatten(old), flatten(new)
    return [
        Change(k, before.get(k, "null"), after.get(k, "null"))
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    ]


def load_stored(data: str, guild_id: int) -> GuildConfig:
    """A stored document, keeping every still-valid setting if the schema moved on."""
    try:
        return GuildConfig.model_validate_json(data)
    except ValidationError:
        pass
    try:
        document = json.loads(data)
    except json.JSONDecodeError:
        log.warning("server %s: stored configuration unreadable; using defaults", guild_id)
        return GuildConfig()
    for _ in range(50):
        try:
            return GuildConfig.model_validate(document)
        except ValidationError as exc:
            for error in exc.errors():
                _drop(document, [p for p in error["loc"] if p != "[key]"])
            log.warning("server %s: ignoring invalid stored settings: %s", guild_id, exc)
    return GuildConfig()


def _drop(document: object, loc: list[str | int]) -> None:
    target = document
    for part in loc[:-1]:
        try:
            target = target[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(target, dict):
        target.pop(loc[-1], None)
    elif isinstance(target, list) and isinstance(loc[-1], int) and loc[-1] < len(target):
        del target[loc[-1]]


@dataclass
class _Cached:
    config: GuildConfig
    version: int
    checked: float


@dataclass
class GuildConfigService:
    repository: GuildConfigRepository
    ttl: float = 30.0
    _cache: dict[int, _Cached] = field(default_factory=dict)
    _locks: dict[int, asyncio.Lock] = field(default_factory=dict)
    _refreshing: dict[int, asyncio.Task[GuildConfig]] = field(default_factory=dict)

    # ------------------------------------------------------------------ reading

    async def get(self, guild_id: int) -> GuildConfig:
        """The server's configuration; waits on the database only the first time."""
        cached = self._cache.get(guild_id)
        if cached is None:
            return (await self._load(guild_id)).config
        if time.monotonic() - cached.checked >= self.ttl and guild_id not in self._refreshing:
            task = asyncio.get_running_loop().create_task(self._background_refresh(guild_id))
            self._refreshing[guild_id] = task
        return cached.config

    def cached(self, guild_id: int) -> GuildConfig | None:
        """The cached configuration without touching the database (None if never read)."""
        cached = self._cache.get(guild_id)
        return cached.config if cached is not None else None

    async def refresh(self, guild_id: int) -> GuildConfig:
        """Check the stored version (one small query) and reload only if it changed."""
        cached = self._cache.get(guild_id)
        if cached is None:
            return (await self._load(guild_id)).config
        if await self.repository.stored_version(guild_id) == cached.version:
            cached.checked = time.monotonic()
            return cached.config
        return (await self._load(guild_id)).config

    async def _background_refresh(self, guild_id: int) -> GuildConfig:
        try:
            return await self.refresh(guild_id)
        except Exception as exc:  # keep serving the cached copy; retried on a later read
            log.warning("server %s: configuration refresh failed: %s", guild_id, exc)
            cached = self._cache.get(guild_id)
            return cached.config if cached is not None else GuildConfig()
        finally:
            self._refreshing.pop(guild_id, None)

    async def _load(self, guild_id: int) -> _Cached:
        stored = await self.repository.load(guild_id)
        config = load_stored(stored.data, guild_id) if stored is not None else GuildConfig()
        return self._store(guild_id, config, stored.version if stored is not None else 0)

    def _store(self, guild_id: int, config: GuildConfig, version: int) -> _Cached:
        current = self._cache.get(guild_id)
        if current is not None and current.version > version:
            return current  # a slower read must not undo a newer write
        entry = _Cached(config, version, time.monotonic())
        self._cache[guild_id] = entry
        return entry

    # ------------------------------------------------------------------ changing

    async def update(
        self,
        guild_id: int,
        change: Callable[[GuildConfig], GuildConfig],
        actor_id: int,
    ) -> Update:
        """Apply ``change`` to the stored configuration and audit every changed key.

        Atomic: ``change`` sees the latest stored version (under a row lock), and if it
        raises (e.g. :class:`ConfigError`) nothing is written.
        """

        def decide(stored: StoredConfig | None) -> Decision[Update]:
            old = load_stored(stored.data, guild_id) if stored is not None else GuildConfig()
            new = change(old)
            changes = diff(old, new)
            data = new.model_dump_json() if changes else None
            return Decision(Update(old, new, changes), data, changes)

        lock = self._locks.setdefault(guild_id, asyncio.Lock())
        async with lock:
            update, version = await self.repository.rewrite(guild_id, actor_id, decide)
            self._store(guild_id, update.new, version)
        return update

    async def replace(self, guild_id: int, new: GuildConfig, actor_id: int) -> list[Change]:
        """Store ``new`` (already validated) and audit every changed key; atomic."""
        return (await self.update(guild_id, lambda _old: new, actor_id)).changes

    async def set_value(self, guild_id: int, key: str, raw: str, actor_id: int) -> Update:
        """Set one dotted key from a typed string; ConfigError (naming the key) if invalid."""
        return await self.update(guild_id, lambda old: with_value(old, key, raw), actor_id)

    async def reset(self, guild_id: int, key: str | None, actor_id: int) -> Update:
        """One key back to its default, or (``key=None``) the whole configuration."""
        if key is None:
            return await self.update(guild_id, lambda _old: GuildConfig(), actor_id)
        return await self.update(guild_id, lambda old: without_value(old, key), actor_id)

    async def import_file(self, guild_id: int, raw: bytes, actor_id: int) -> Update:
        """Replace the configuration with an uploaded file, all or nothing."""
        new = import_json(raw)  # ConfigError lists every problem; nothing changes
        return await self.update(guild_id, lambda _old: new, actor_id)

    async def export_file(self, guild_id: int) -> str:
        return export_json(await self.get(guild_id))

    # ------------------------------------------------------------------ audit

    async def history(self, guild_id: int, limit: int = 200) -> list[HistoryEntry]:
        """Newest first: who changed which key, when, from what to what."""
        return await self.repository.history(guild_id, limit)

    def invalidate(self, guild_id: int | None = None) -> None:
        if guild_id is None:
            self._cache.clear()
        else:
            self._cache.pop(guild_id, None)


__all__ = ["Change", "ConfigError", "GuildConfigService", "Update", "diff", "flatten"]
