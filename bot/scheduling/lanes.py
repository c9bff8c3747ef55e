"""Sending due items per destination: in order within a channel, side by side across them.

Each destination (a channel, or one member's DMs) has its own lane: a queue that one
task sends in order. Lanes run side by side, so a 429 or a slow send on one channel
holds back only that channel's items, never another member's reminder. At most
``PARALLEL`` sends are in flight at once, whatever the number of lanes.

The scheduler claims items and hands them to :meth:`Lanes.add`; it asks
:attr:`Lanes.in_flight` which of its own claims are still being worked on, so that a
new pass never takes those over as if an interrupted pass had left them.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.scheduling.model import Deliverer, OutboxItem, RunReport
from bot.storage.database import StorageUnavailable

log = logging.getLogger(__name__)

#: Sends in flight at once across all lanes.
PARALLEL = 16


@dataclass(frozen=True)
class Job:
    """One claimed item, with who sends it and where its outcome is reported."""

    item: OutboxItem
    deliverer: Deliverer
    report: RunReport


Handler = Callable[[OutboxItem, Deliverer, RunReport], Awaitable[None]]


def destination(item: OutboxItem) -> str:
    """Where an item goes: the channel in its payload, else the member's DMs."""
    channel = item.payload.get("channel_id")
    return f"channel:{channel}" if channel else f"dm:{item.user_id}"


class Lanes:
    """Per-destination queues of claimed items, each sent in order by its own task."""

    def __init__(self, handle: Handler, parallel: int = PARALLEL) -> None:
        self._handle = handle
        self._gate = asyncio.Semaphore(parallel)
        self._queues: dict[str, collections.deque[Job]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._in_flight: set[int] = set()
        self._changed = asyncio.Event()

    @property
    def in_flight(self) -> frozenset[int]:
        """Ids of the items handed over and not yet finished."""
        return frozenset(self._in_flight)

    def add(self, job: Job) -> None:
        """Queue ``job`` behind its destination's earlier items (starting its lane)."""
        key = destination(job.item)
        self._in_flight.add(job.item.id)
        self._queues.setdefault(key, collections.deque()).append(job)
        task = self._tasks.get(key)
        if task is None or task.done():
            self._tasks[key] = asyncio.create_task(self._run(key), name=f"outbox-lane-{key}")

    async def _run(self, key: str) -> None:
        queue = self._queues[key]
        try:
            while queue:
                job = queue[0]
                try:
                    async with self._gate:
                        await self._handle(job.item, job.deliverer, job.report)
                except StorageUnavailable as exc:
                    log.warning("outbox item %s left for later: %s", job.item.key, exc)
                except Exception:
                    # The item stays claimed by us; the next pass takes it over once it
                    # is no longer in flight. The lane goes on with the next item.
                    log.exception("outbox item %s: sending stopped", job.item.key)
                finally:
                    queue.popleft()
                    self._in_flight.discard(job.item.id)
                    self._changed.set()
        except BaseException:
            # The lane was cancelled or the process is going down: what it still held
            # stays claimed in the database, and is taken over like any orphan.
            for job in queue:
                self._in_flight.discard(job.item.id)
            queue.clear()
            raise
        finally:
            # No await between the last check of the queue and this: an item added
            # meanwhile would otherwise wait in a lane nobody runs.
            if not queue:
                self._queues.pop(key, None)
                self._tasks.pop(key, None)

    async def drain(self) -> None:
        """Wait until every queued item has been handled.

        A lane that died of something other than an ``Exception`` (which each lane logs
        and survives) passes it on to whoever waits, as a plain loop would.
        """
        while self._tasks:
            results = await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)
            for key, task in list(self._tasks.items()):
                if task.done():
                    self._tasks.pop(key, None)
            for result in results:
                if isinstance(result, BaseException) and not isinstance(
                    result, Exception | asyncio.CancelledError
                ):
                    raise result

    async def wait_for_room(self, limit: int, timeout: float) -> None:
        """Wait (at most ``timeout`` s) until fewer than ``limit`` items are in flight."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self._in_flight) >= limit:
            self._changed.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=remaining)
            except TimeoutError:
                return

    async def stop(self) -> None:
        """Cancel every lane (their claimed items are taken over after a restart)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._queues.clear()
        self._in_flight.clear()
