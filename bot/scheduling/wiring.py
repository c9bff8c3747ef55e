"""Builds the outbox and scheduler (see :mod:`bot.bootstrap`), and starts sending.

Kept here so the shared services module only needs one line per concern.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock, SimulatedClock
from bot.scheduling.clock_control import ClockFileWatcher, control_file
from bot.scheduling.model import Deliverer
from bot.scheduling.outbox import Outbox
from bot.scheduling.scheduler import Scheduler, SchedulerPolicy

if TYPE_CHECKING:
    from bot.ops.liveness import Liveness
    from bot.services import Services
    from bot.settings import Settings
    from bot.storage import Database
    from bot.storage.repositories import UserRepository


def build_scheduling(
    settings: Settings,
    db: Database,
    clock: Clock,
    users: UserRepository,
    worker: str,
    liveness: Liveness,
) -> tuple[Outbox, Scheduler]:
    """The outbox over ``db`` and the scheduler that sends its due items."""
    outbox = Outbox(db, clock.now)
    watcher = None
    if settings.simulated_clock_start is not None and isinstance(clock, SimulatedClock):
        watcher = ClockFileWatcher(clock, control_file(settings))
    scheduler = Scheduler(
        outbox,
        clock,
        SchedulerPolicy(
            grace=timedelta(minutes=settings.dm_grace_minutes),
            daily_unsolicited_cap=settings.dm_daily_cap,
        ),
        dms_closed=users.dms_closed,
        mark_dms_closed=users.mark_dms_closed,
        before_pass=watcher,
        worker=worker,
        alive=liveness.alive,
    )
    return outbox, scheduler


def start_scheduler(services: Services, deliverer: Deliverer) -> asyncio.Task[None]:
    """Start the background loop; first make sure every recurring schedule exists
    (a crash between sending one occurrence and scheduling the next loses nothing)."""

    async def prelude() -> None:
        await services.coaching.ensure_schedules()
        await services.club.ensure_schedules()
        await services.social.ensure_schedules()

    return services.scheduler.start(deliverer, prelude)
