"""The background loop that sends due outbox items exactly once.

It sleeps until the earliest due item (or until something new is scheduled, capped
at ``MAX_SLEEP`` seconds), claims due items atomically, and records every outcome.
Claimed items are sent per destination (:mod:`bot.scheduling.lanes`): in order within
a channel, side by side across channels, so a 429 on one member's DMs delays nobody
else's. Time comes from the injectable clock, so tests and the console can run a
month of schedules in seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock, SimulatedClock
from bot.scheduling.lanes import Job, Lanes
from bot.scheduling.model import (
    Deliverer,
    Delivery,
    DeliveryOutcome,
    DeliveryResult,
    ItemStatus,
    OutboxItem,
    RunReport,
)
from bot.scheduling.outbox import Outbox, day_window
from bot.storage.database import StorageUnavailable

log = logging.getLogger(__name__)

MAX_SLEEP = 30.0
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
#: Without liveness: a claim this old is closed as failed (it may have been sent).
STALE_CLAIM = timedelta(minutes=10)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class SchedulerPolicy:
    grace: timedelta = timedelta(hours=2)
    daily_unsolicited_cap: int = 8
    batch: int = 50


@dataclass
class Scheduler:
    outbox: Outbox
    clock: Clock
    policy: SchedulerPolicy = field(default_factory=SchedulerPolicy)
    #: Whether the person has closed their DMs (UserRepository.dms_closed).
    dms_closed: Callable[[int], Awaitable[bool]] | None = None
    #: Called when a DM bounced as closed (UserRepository.mark_dms_closed).
    mark_dms_closed: Callable[[int], Awaitable[None]] | None = None
    worker: str = field(default_factory=worker_name)
    #: Awaited before each pass (the simulated-clock control file in e2e runs).
    before_pass: Callable[[], Awaitable[None]] | None = None
    #: Whether a worker (by name) still runs (bot.ops.liveness). Without it, every
    #: other worker counts as running: only our own interrupted claims are taken over.
    alive: Callable[[str | None], Awaitable[bool]] | None = None
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    #: One claiming step at a time in a process: between taking over interrupted claims
    #: and handing new ones to their lanes, no other step can mistake ours for orphans.
    _passing: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: Without liveness: when old claims were last closed (at start, then every
    #: ``STALE_CLAIM``: a claim that was still fresh at start-up is closed later).
    _stale_checked_at: datetime | None = None
    _task: asyncio.Task[None] | None = None
    _lanes: Lanes = field(init=False)

    def __post_init__(self) -> None:
        self.outbox.on_schedule(self.wake)
        self._lanes = Lanes(self._handle)

    def wake(self) -> None:
        self._wake.set()

    async def run_due(self, deliverer: Deliverer) -> RunReport:
        """Send everything due now and wait for it; returns what happened. Safe to call
        from anywhere (the console and tests use it; the loop does not wait)."""
        report = RunReport()
        # Until nothing more is due: sending an item can schedule another one now.
        while await self._dispatch(deliverer, report):
            await self._lanes.drain()
        await self._lanes.drain()
        return report

    async def _dispatch(self, deliverer: Deliverer, report: RunReport) -> int:
        """Claim due items and hand them to their lanes, up to one batch in flight.

        Returns how many it handed over.
        """
        handed = 0
        async with self._passing:
            # Claims of ours not in a lane were left by an interrupted pass; every other
            # claim whose worker stopped is taken over too.
            await self.outbox.take_over_orphans(
                self.worker, self._alive, keep=self._lanes.in_flight
            )
            now = self.clock.now()
            if self.alive is None and (
                self._stale_checked_at is None or now - self._stale_checked_at >= STALE_CLAIM
            ):
                await self.outbox.abandon_stale_claims(now - STALE_CLAIM, now)
                self._stale_checked_at = now
            while True:
                room = self.policy.batch - len(self._lanes.in_flight)
                if room <= 0:
                    return handed
                items = await self.outbox.claim_due(self.worker, self.clock.now(), room)
                if not items:
                    return handed
                for item in items:
                    self._lanes.add(Job(item, deliverer, report))
                handed += len(items)

    async def _handle(self, item: OutboxItem, deliverer: Deliverer, report: RunReport) -> None:
        """Send one claimed item (or skip it, with the reason) and record the outcome."""
        now = self.clock.now()
        result: DeliveryResult | None = None
        try:
            if now - item.scheduled_for > self.policy.grace:
                log.info(
                    "outbox item %s skipped: due %s, now past the %s grace window",
                    item.key,
                    item.scheduled_for.isoformat(),
                    self.policy.grace,
                )
                await self._finish(item, ItemStatus.SKIPPED, "missed: past the grace window")
                report.skipped.append(item.key)
            elif not item.payload.get("channel_id") and await self._closed(item.user_id):
                await self._finish(item, ItemStatus.SKIPPED, "DMs closed")
                report.closed.append(item.key)
            elif item.unsolicited and await self._over_cap(item, now):
                await self._finish(item, ItemStatus.SKIPPED, "daily DM cap reached")
                report.skipped.append(item.key)
            else:
                message = await self.outbox.kinds.render(item)
                if message is None:
                    await self._finish(item, ItemStatus.SKIPPED, "nothing to send")
                    report.skipped.append(item.key)
                else:
                    outcome = await self._deliver(
                        deliverer,
                        Delivery(
                            item.id,
                            item.key,
                            item.kind,
                            item.user_id,
                            message,
                            uncertain=item.uncertain,
                            opened=functools.partial(self.outbox.kinds.posted, item),
                        ),
                    )
                    result = outcome.result
                    await self._record(item, outcome, report)
        except StorageUnavailable:
            raise
        except Exception:
            log.exception("outbox item %s (%s) failed", item.key, item.kind)
            await self._finish(item, ItemStatus.FAILED, "error while rendering")
            report.failed.append(item.key)
        try:
            await self.outbox.kinds.after(item, result)
        except StorageUnavailable:
            raise
        except Exception:
            log.exception("after-hook for %s failed", item.key)

    async def _alive(self, name: str | None) -> bool:
        if self.alive is not None:
            return await self.alive(name)
        return name is not None

    async def _deliver(self, deliverer: Deliverer, delivery: Delivery) -> DeliveryOutcome:
        await self.outbox.mark_sending(delivery.item_id, self.worker, self.clock.now())
        try:
            return await deliverer.deliver(delivery)
        except Exception as exc:  # a deliverer bug must not stop the loop
            log.exception("deliverer raised for %s", delivery.key)
            return DeliveryOutcome.failed(f"{type(exc).__name__}", retry=True)

    async def _record(self, item: OutboxItem, outcome: DeliveryOutcome, report: RunReport) -> None:
        if outcome.result is DeliveryResult.SENT:
            if outcome.posted_to is not None:
                # Recorded before the item is finished: a crash in between resends
                # as "uncertain", and the deliverer then finds the thread it opened.
                await self.outbox.kinds.posted(item, outcome.posted_to)
            await self._finish(item, ItemStatus.SENT, "sent")
            report.sent.append(item.key)
        elif outcome.result is DeliveryResult.CLOSED:
            if self.mark_dms_closed is not None:
                await self.mark_dms_closed(item.user_id)
            await self._finish(item, ItemStatus.SKIPPED, outcome.detail or "DMs closed")
            report.closed.append(item.key)
        elif outcome.retry and item.attempts <= len(RETRY_DELAYS):
            retry_at = self.clock.now() + RETRY_DELAYS[item.attempts - 1]
            await self.outbox.release_for_retry(item.id, self.worker, retry_at)
            report.failed.append(item.key)
        else:
            await self._finish(item, ItemStatus.FAILED, outcome.detail or "failed")
            report.failed.append(item.key)

    async def _finish(self, item: OutboxItem, status: ItemStatus, outcome: str) -> None:
        await self.outbox.finish(item.id, self.worker, status, outcome, self.clock.now())

    async def _closed(self, user_id: int) -> bool:
        return self.dms_closed is not None and await self.dms_closed(user_id)

    async def _over_cap(self, item: OutboxItem, now: datetime) -> bool:
        sent = await self.outbox.unsolicited_sent_since(item.user_id, day_window(now))
        return sent >= self.policy.daily_unsolicited_cap

    # --- the background loop -------------------------------------------------------

    def start(
        self, deliverer: Deliverer, prelude: Callable[[], Awaitable[None]] | None = None
    ) -> asyncio.Task[None]:
        """Run the loop in the background (once); ``prelude`` runs first."""
        if self._task is None or self._task.done():

            async def run() -> None:
                if prelude is not None:
                    try:
                        await prelude()
                    except Exception:
                        log.exception("scheduler prelude failed; continuing")
                await self.run_forever(deliverer)

            self._task = asyncio.create_task(run(), name="touchstone-outbox")
        return self._task

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._lanes.stop()

    async def run_forever(self, deliverer: Deliverer) -> None:
        while True:
            try:
                if self.before_pass is not None:
                    await self.before_pass()
                self._wake.clear()
                await self._dispatch(deliverer, RunReport())
                if len(self._lanes.in_flight) >= self.policy.batch:
                    # A full batch is in flight: claim more as lanes finish.
                    await self._lanes.wait_for_room(self.policy.batch, MAX_SLEEP)
                else:
                    await self._sleep_until_next()
            except asyncio.CancelledError:
                raise
            except StorageUnavailable as exc:
                log.warning("outbox paused, database unavailable: %s", exc)
                await self._pause(5.0)
            except Exception:
                log.exception("outbox loop error; continuing")
                await self._pause(5.0)

    async def _sleep_until_next(self) -> None:
        next_due = await self.outbox.next_due()
        if isinstance(self.clock, SimulatedClock):
            # Simulated time moves by advance(); poll briefly so a jump is noticed.
            await self._pause(0.1)
            return
        delay = MAX_SLEEP
        if next_due is not None:
            delay = max(0.0, min(MAX_SLEEP, (next_due - self.clock.now()).total_seconds()))
        await self._pause(delay)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
