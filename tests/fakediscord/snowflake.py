"""Snowflake ids in Discord's real format.

Ids carry their creation time (milliseconds since the Discord epoch, shifted
left by 22 bits), so code under test that derives timestamps from ids
(``discord.utils.snowflake_time``, ``Message.created_at``) or shard numbers
(``(guild_id >> 22) % shard_count``) sees realistic values.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1_420_070_400_000
"""First millisecond of 2015, the zero point of every Discord snowflake."""

_INCREMENT_BITS = 12
_MAX_INCREMENT = (1 << _INCREMENT_BITS) - 1


class SnowflakeGenerator:
    """Hands out unique, strictly increasing snowflakes.

    The generator never goes back in time: ids are ordered like Discord's, which
    matters for ``before``/``after`` pagination and for "newest first" listings.
    """

    def __init__(self, *, worker_id: int = 1, process_id: int = 0) -> None:
        self._worker_id = worker_id & 0x1F
        self._process_id = process_id & 0x1F
        self._last_ms = 0
        self._increment = 0

    def _compose(self, ms: int) -> int:
        return (
            ((ms - DISCORD_EPOCH_MS) << 22)
            | (self._worker_id << 17)
            | (self._process_id << 12)
            | self._increment
        )

    def next(self) -> int:
        """A fresh id stamped with the current time."""
        now = int(time.time() * 1000)
        if now > self._last_ms:
            self._last_ms = now
            self._increment = 0
        else:
            self._increment += 1
            if self._increment > _MAX_INCREMENT:
                self._last_ms += 1
                self._increment = 0
        return self._compose(self._last_ms)

    def next_for_shard(self, shard_id: int, shard_count: int) -> int:
        """A fresh id whose guild shard is ``shard_id`` when there are ``shard_count`` shards.

        Used to build multi-shard worlds deterministically: the shard of a guild
        depends only on the timestamp bits of its id.
        """
        if not 0 <= shard_id < shard_count:
            raise ValueError(f"shard_id {shard_id} is outside 0..{shard_count - 1}")
        ms = max(int(time.time() * 1000), self._last_ms + 1)
        while (ms - DISCORD_EPOCH_MS) % shard_count != shard_id:
            ms += 1
        self._last_ms = ms
        self._increment = 0
        return self._compose(ms)


def shard_for(guild_id: int, shard_count: int) -> int:
    """The shard that receives a guild's events, by Discord's formula."""
    return (guild_id >> 22) % shard_count


def snowflake_time(snowflake: int) -> datetime:
    """The creation time encoded in a snowflake."""
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


def iso(moment: datetime) -> str:
    """Discord's ISO-8601 timestamp format (``+00:00`` offset, microseconds)."""
    return moment.astimezone(UTC).isoformat()


def utcnow() -> datetime:
    """The current time, timezone-aware, for timestamps the fake stamps on objects."""
    return datetime.now(UTC)
