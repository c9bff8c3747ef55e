"""Connects :class:`bot.services.Services` to the health checks and metrics.

Adapter-neutral: the database and vector-store checks, the model counters and the
outbox queue depth. The Discord adapter adds the gateway on top
(:mod:`bot.discord_adapter.health`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import case, func, select

from bot.ops.health import CheckResult, HealthChecks
from bot.ops.server import OpsServer
from bot.scheduling.model import ItemStatus
from bot.storage.coaching_models import ScheduledItem

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.ops.metrics import Metrics
    from bot.services import Services
    from bot.storage import Database


def health_checks(services: Services, *, timeout: float = 3.0) -> HealthChecks:
    checks = HealthChecks(timeout=timeout)

    async def database() -> CheckResult:
        ok = await services.db.ping(within=timeout)
        return CheckResult(ok, f"{services.db.backend} {'reachable' if ok else 'unreachable'}")

    async def vector_store() -> CheckResult:
        ok = await services.knowledge.check()
        return CheckResult(ok, "reachable" if ok else "unreachable")

    checks.add("database", database)
    checks.add("vector_store", vector_store)
    return checks


async def outbox_depth(db: Database, clock: Clock) -> dict[str, int]:
    """Waiting outbox items: all pending, those already due, and those being sent."""
    now = clock.now()
    pending = ScheduledItem.status == ItemStatus.PENDING
    async with db.session() as session:
        row = (
            await session.execute(
                select(
                    func.count().filter(pending),
                    func.coalesce(func.sum(case((pending & (ScheduledItem.due_at <= now), 1))), 0),
                    func.count().filter(ScheduledItem.status == ItemStatus.CLAIMED),
                ).select_from(ScheduledItem)
            )
        ).one()
    return {"pending": int(row[0]), "due": int(row[1]), "claimed": int(row[2])}


def observe_queue(metrics: Metrics, db: Database, clock: Clock) -> None:
    """Export the outbox depth on ``metrics`` (refreshed when they are read)."""

    async def refresh_queue() -> None:
        metrics.set_queue_depth(await outbox_depth(db, clock))

    metrics.add_refresher("outbox", refresh_queue)


def ops_server(services: Services, checks: HealthChecks) -> OpsServer | None:
    """The endpoint configured by ``TOUCHSTONE_HEALTH_PORT``/``_HOST``, or None when off."""
    settings = services.settings
    if settings.health_port is None:
        return None
    return OpsServer(checks, services.metrics, host=settings.health_host, port=settings.health_port)
