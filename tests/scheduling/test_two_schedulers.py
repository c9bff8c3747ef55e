"""Two scheduler processes sharing one PostgreSQL database send each DM exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import SimulatedClock
from bot.scheduling import Delivery, DeliveryOutcome, Outbox, Scheduler, SchedulerPolicy
from bot.storage import Database
from tests.databases import postgres_database

ITEMS = 1200
START = datetime(2026, 3, 29, 4, 0, tzinfo=UTC)


class SharedLog:
    """Stands in for Discord: records every DM any process sends."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def deliverer(self, name: str) -> _Deliverer:
        return _Deliverer(self, name)


class _Deliverer:
    def __init__(self, log: SharedLog, name: str) -> None:
        self.log, self.name = log, name

    async def deliver(self, delivery: Delivery) -> DeliveryOutcome:
        await asyncio.sleep(0)  # let the other scheduler interleave
        self.log.sent.append((delivery.key, self.name))
        return DeliveryOutcome.sent()


@pytest.mark.postgres
async def test_two_schedulers_on_one_postgres_send_each_item_exactly_once() -> None:
    async with postgres_database() as url:
        first, second = Database(url), Database(url)
        try:
            await first.migrate()
            await second.migrate()
            clock = SimulatedClock(START)
            outbox_a = Outbox(first, clock.now)
            outbox_b = Outbox(second, clock.now)
            for n in range(ITEMS):
                # Half scheduled through each process, some keys scheduled by both.
                outbox = outbox_a if n % 2 else outbox_b
                due = START + timedelta(seconds=n % 600)
                await outbox.schedule(n % 97, "test", due, {"text": f"#{n}"}, f"item-{n}")
                if n % 10 == 0:
                    await (outbox_b if n % 2 else outbox_a).schedule(
                        n % 97, "test", due, {"text": f"#{n}"}, f"item-{n}"
                    )
            clock.advance(timedelta(minutes=15))
            policy = SchedulerPolicy(daily_unsolicited_cap=100, batch=25)
            a = Scheduler(outbox_a, clock, policy, worker="shard-a")
            b = Scheduler(outbox_b, clock, policy, worker="shard-b")
            log = SharedLog()
            await asyncio.gather(a.run_due(log.deliverer("a")), b.run_due(log.deliverer("b")))
            # A second pass finds nothing left to send.
            await asyncio.gather(a.run_due(log.deliverer("a")), b.run_due(log.deliverer("b")))
        finally:
            await first.dispose()
            await second.dispose()
    counts = Counter(key for key, _worker in log.sent)
    assert len(counts) == ITEMS
    assert max(counts.values()) == 1
    assert {worker for _key, worker in log.sent} == {"a", "b"}
