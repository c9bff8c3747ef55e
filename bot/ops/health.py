"""Named, time-limited health checks and their combined report.

A check is any ``async () -> bool | CheckResult``. Each runs with a time limit, all run
concurrently, and an exception or a timeout counts as "not OK" with a short reason,
so one hung dependency can never hang ``/healthz`` itself. Reasons are type names or
fixed phrases, never exception text, because driver errors can carry addresses.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: str = ""


Check = Callable[[], Awaitable["bool | CheckResult"]]


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    ok: bool
    detail: str
    seconds: float

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "detail": self.detail, "seconds": round(self.seconds, 4)}


@dataclass(frozen=True)
class HealthReport:
    checks: tuple[CheckOutcome, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "unhealthy",
            "checks": {check.name: check.as_json() for check in self.checks},
        }


@dataclass
class HealthChecks:
    """The checks behind ``/healthz``; adapters add theirs (the gateway) with :meth:`add`."""

    timeout: float = 3.0
    _checks: dict[str, Check] = field(default_factory=dict)

    def add(self, name: str, check: Check) -> None:
        self._checks[name] = check

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._checks)

    async def run(self) -> HealthReport:
        outcomes = await asyncio.gather(
            *(self._run_one(name, check) for name, check in self._checks.items())
        )
        return HealthReport(tuple(outcomes))

    async def _run_one(self, name: str, check: Check) -> CheckOutcome:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout):
                result = await check()
        except TimeoutError:
            result = CheckResult(False, f"no answer within {self.timeout:g} s")
        except Exception as exc:
            result = CheckResult(False, f"check failed: {type(exc).__name__}")
        if isinstance(result, bool):
            result = CheckResult(result, "reachable" if result else "unreachable")
        return CheckOutcome(name, result.ok, result.detail, time.perf_counter() - started)
