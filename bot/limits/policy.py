"""Which actions are limited, how much, and what a member is told when they hit a limit."""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.clock import Clock, SystemClock
from bot.errors import Refusal
from bot.limits.limiter import DatabaseLimiter, Decision, LimitKey, Rate
from bot.limits.written_behind import WrittenBehindLimiter
from bot.storage.database import Database, StorageUnavailable
from bot.wording import plural

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

ASK = "ask"
DIALOGUE_START = "dialogue start"
ADVICE_CHECK = "advice check"
MODEL_CALL = "model call"

#: The per-person actions, as "you've VERB N NOUN(s) TAIL" phrases (the noun agrees with N).
LIMITED_ACTIONS: dict[str, tuple[str, str, str]] = {
    ASK: ("asked", "question", " with /ask"),
    DIALOGUE_START: ("started", "dialogue", ""),
    ADVICE_CHECK: ("checked", "reply", ""),
}
DAY = 24 * 60 * 60.0


def describe_wait(seconds: float) -> str:
    seconds = max(1, math.ceil(seconds))
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 90 * 60:
        return f"{math.ceil(seconds / 60)} min"
    return f"{math.ceil(seconds / 3600)} h"


def describe_window(seconds: float) -> str:
    if seconds == 60:
        return "minute"
    if seconds == DAY:
        return "24 hours"
    return describe_wait(seconds).replace(" s", " seconds").replace(" min", " minutes")


class LimitExceeded(Refusal):
    """A member (or a server) used an expensive action too often; ``str`` is the message."""

    def __init__(self, action: str, rate: Rate, retry_after: float) -> None:
        self.action = action
        self.rate = rate
        self.retry_after = retry_after
        did, noun, tail = LIMITED_ACTIONS.get(action, (f"used {action}", "time", ""))
        done = f"{did} {plural(rate.count, noun)}{tail}"
        super().__init__(
            f"Slow down a little: you've {done} in the last "
            f"{describe_window(rate.per_seconds)}, the most allowed. "
            f"Please try again in {describe_wait(retry_after)}."
        )


@dataclass
class UsageLimits:
    """Per-person rates for expensive actions and a per-server daily budget of model calls.

    The uses are counted in ``db``, so every process sharing it enforces one allowance
    and a restart forgets nothing.
    """

    db: Database
    rates: dict[str, Rate]
    model_calls_per_server: Rate = field(default_factory=lambda: Rate(200, DAY))
    clock: Clock = field(default_factory=SystemClock)
    #: The longest a cooldown check may hold up a command, in seconds. Discord drops an
    #: interaction not acknowledged within 3 s, and the check runs before the command
    #: can acknowledge anything.
    check_deadline: float = 1.0
    _limiter: DatabaseLimiter | WrittenBehindLimiter = field(init=False)
    _late: set[asyncio.Task[Decision]] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        # SQLite means one process: memory decides and the database keeps a copy.
        self._limiter = (
            WrittenBehindLimiter(self.db, self.clock)
            if self.db.is_sqlite
            else DatabaseLimiter(self.db, self.clock)
        )

    async def open(self) -> None:
        """Read stored cooldowns now (SQLite), not at the first command of a burst.

        Read lazily, the first check waited behind every write of the burst for a
        connection, and every check behind it.
        """
        if isinstance(self._limiter, WrittenBehindLimiter):
            await self._limiter.load()

    async def close(self) -> None:
        """Write any use not yet stored, so the next start sees every cooldown.

        Counts that missed their deadline are given a moment to land too, rather than
        being cut off by the database closing under them.
        """
        if self._late:
            await asyncio.wait(set(self._late), timeout=self.check_deadline * 5)
        if isinstance(self._limiter, WrittenBehindLimiter):
            await self._limiter.flush()

    async def prune(self) -> int:
        """Delete the uses that no longer count; returns how many stored rows went."""
        return await self._limiter.prune()

    async def check(self, user_id: int, action: str) -> None:
        """Count one use of ``action`` by ``user_id``; raise :class:`LimitExceeded` if over.

        When the count cannot be had within ``check_deadline`` (the database is down or
        locked), the use is allowed: a cooldown keeps one member from monopolising the
        bot and is not worth refusing every command over, while the model budget still
        refuses when it cannot be checked (``ModelGateway`` answers offline), so nothing
        costly runs unbounded. A late count still lands when the database answers.
        """
        rate = self.rates.get(action)
        if rate is None:
            return
        if isinstance(self._limiter, WrittenBehindLimiter) and self._limiter.ready:
            decision = self._limiter.hit_now(LimitKey("user", user_id, action), rate)
            if not decision.allowed:
                raise LimitExceeded(action, rate, decision.retry_after)
            return
        counting = asyncio.create_task(self._limiter.hit(LimitKey("user", user_id, action), rate))
        try:
            decision = await asyncio.wait_for(asyncio.shield(counting), self.check_deadline)
        except TimeoutError:
            log.warning("cooldown of %s not known in time; allowed", action)
            self._late.add(counting)
            counting.add_done_callback(self._finish_late)
            return
        except StorageUnavailable as exc:
            log.warning("cooldown of %s unknown (%s); allowed", action, exc)
            return
        if not decision.allowed:
            raise LimitExceeded(action, rate, decision.retry_after)

    def _finish_late(self, task: asyncio.Task[Decision]) -> None:
        self._late.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("a late cooldown count failed: %s", task.exception())

    async def allow_model_call(self, guild_id: int | None) -> bool:
        """Count one model call for the server; False once its budget is spent.

        Calls outside any server (DMs, the console) are not capped here: the per-person
        limits already bound them.
        """
        if guild_id is None:
            return True
        key = LimitKey("guild", guild_id, MODEL_CALL)
        return (await self._limiter.hit(key, self.model_calls_per_server)).allowed


def limits_from_settings(
    settings: Settings, db: Database, clock: Clock | None = None
) -> UsageLimits:
    return UsageLimits(
        db,
        rates={
            ASK: Rate(settings.limit_ask_per_minute, 60),
            DIALOGUE_START: Rate(settings.limit_dialogue_starts_per_10_minutes, 600),
            ADVICE_CHECK: Rate(settings.limit_advice_checks_per_minute, 60),
        },
        model_calls_per_server=Rate(settings.limit_model_calls_per_server_per_day, DAY),
        clock=clock or SystemClock(),
    )
