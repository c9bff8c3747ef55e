"""Builds the outbox and scheduler for :class:`bot.services.Services`.

Kept here so the shared services module only needs one line per concern.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.clock import SimulatedClock, SystemClock
from bot.scheduling.clock_control import ClockFileWatcher, SteerableClock, control_file
from bot.scheduling.model import Deliverer
from bot.scheduling.outbox import Outbox
from bot.scheduling.scheduler import Scheduler, SchedulerPolicy

if TYPE_CHECKING:
    from bot.services import Services


def build_scheduling(services: Services) -> tuple[Outbox, Scheduler]:
    settings = services.settings
    if isinstance(services.clock, SystemClock):
        # Same time as the system clock until someone (the console) moves it forward.
        services.clock = SteerableClock()
    clock = services.clock
    outbox = Outbox(services.db, clock.now)
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
        dms_closed=services.users.dms_closed,
        mark_dms_closed=services.users.mark_dms_closed,
        before_pass=watcher,
        worker=services.worker,
        alive=services.liveness.alive,
    )
    return outbox, scheduler


def start_scheduler(services: Services, deliverer: Deliverer) -> asyncio.Task[None]:
    """Start the background loop; first make sure every recurring schedule exists
    (a crash between sending one occurrence and scheduling the next loses nothing)."""

    async def prelude() -> None:
        coaching = getattr(services, "coaching", None)
        if coaching is not None:
            await coaching.ensure_schedules()
        club = getattr(services, "club", None)
        if club is not None:
            await club.ensure_schedules()
        social = getattr(services, "social", None)
        if social is not None:
            await social.ensure_schedules()

    return services.scheduler.start(deliverer, prelude)
