"""A sliding-window limiter: at most ``count`` hits per ``per_seconds`` for each key.

Time comes from an injected clock, so tests (and the console's simulated clock) move it
instead of sleeping. State is in memory, per process: limits protect this process's
model budget and keep one member from monopolising the bot; they are not billing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock


@dataclass(frozen=True)
class Rate:
    """``count`` uses per ``per_seconds``. A count of 0 disables the limit."""

    count: int
    per_seconds: float

    def __post_init__(self) -> None:
        if self.count < 0 or self.per_seconds <= 0:
            raise ValueError("a rate needs count >= 0 and a positive window")

    @property
    def unlimited(self) -> bool:
        return self.count == 0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0  # seconds until the next use is allowed (when refused)
    remaining: int = 0  # uses left in the window after this one (when allowed)


class SlidingWindowLimiter:
    """Counts hits per key within a window; refused attempts are not counted."""

    def __init__(self, clock: Clock | Callable[[], datetime]) -> None:
        self._now: Callable[[], datetime] = clock.now if hasattr(clock, "now") else clock  # type: ignore[assignment]
        self._hits: dict[Hashable, deque[datetime]] = {}

    def _prune(self, key: Hashable, rate: Rate, now: datetime) -> deque[datetime]:
        hits = self._hits.setdefault(key, deque())
        while hits and (now - hits[0]).total_seconds() >= rate.per_seconds:
            hits.popleft()
        return hits

    def peek(self, key: Hashable, rate: Rate) -> Decision:
        """Would a hit be allowed now? Counts nothing."""
        if rate.unlimited:
            return Decision(True, remaining=-1)
        now = self._now()
        hits = self._prune(key, rate, now)
        if len(hits) < rate.count:
            return Decision(True, remaining=rate.count - len(hits) - 1)
        wait = rate.per_seconds - (now - hits[0]).total_seconds()
        return Decision(False, retry_after=max(wait, 0.0))

    def hit(self, key: Hashable, rate: Rate) -> Decision:
        """Count one use if allowed; a refusal is not counted (retrying later works)."""
        decision = self.peek(key, rate)
        if decision.allowed and not rate.unlimited:
            self._hits[key].append(self._now())
        return decision

    def forget_idle(self, older_than_seconds: float) -> int:
        """Drop keys with no hit within the given age; returns how many were dropped."""
        now = self._now()
        idle = [
            key
            for key, hits in self._hits.items()
            if not hits or (now - hits[-1]).total_seconds() >= older_than_seconds
        ]
        for key in idle:
            del self._hits[key]
        return len(idle)
