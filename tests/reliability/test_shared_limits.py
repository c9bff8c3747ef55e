"""Issue 13: cooldowns and model caps hold across processes sharing one database, and
across a restart.

Each "process" is its own :class:`Database` handle (its own engine and connection pool)
with its own limits, as two shard processes have; only the database is shared. Every
test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import SimulatedClock
from bot.limits import LimitExceeded, Rate, UsageLimits, limits_from_settings
from bot.limits.limiter import PRUNE_INTERVAL
from bot.limits.policy import ASK, DAY, DIALOGUE_START
from bot.llm import ModelGateway, PromptSpec
from bot.settings import load_settings
from bot.storage import Database
from bot.storage.limit_models import UsageHit
from tests.databases import another_process
from tests.llm_fakes import RecordingChatModel

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SPEC = PromptSpec("test.task", "Answer kindly.")
ALICE, BOB = 101, 102
GUILD = 7


@asynccontextmanager
async def second_process(database: Database) -> AsyncIterator[Database]:
    other = await another_process(database)
    try:
        yield other
    finally:
        await other.dispose()


async def allowed(limits: UsageLimits, user_id: int, action: str = ASK) -> bool:
    try:
        await limits.check(user_id, action)
    except LimitExceeded:
        return False
    return True


async def stored_uses(database: Database) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(UsageHit)) or 0)


async def test_two_processes_share_one_allowance(database: Database) -> None:
    """In memory, each process allowed 3 questions a minute: 6 in all. Now 3."""
    clock = SimulatedClock(START)
    settings = load_settings(limit_ask_per_minute=3)
    async with second_process(database) as other:
        first = limits_from_settings(settings, database, clock)
        second = limits_from_settings(settings, other, clock)
        outcomes = [await allowed(limits, ALICE) for limits in (first, second) * 3]
        assert outcomes == [True, True, True, False, False, False]
        assert await allowed(second, BOB), "another member has their own allowance"


async def test_concurrent_checks_from_two_processes_never_pass_the_cap(
    database: Database,
) -> None:
    clock = SimulatedClock(START)
    settings = load_settings(limit_ask_per_minute=5)
    async with second_process(database) as other:
        processes = [limits_from_settings(settings, db, clock) for db in (database, other)]
        for _round in range(3):  # a race need not show on the first try
            results = await asyncio.gather(*(allowed(processes[n % 2], ALICE) for n in range(24)))
            assert sum(results) == 5
            clock.advance(timedelta(minutes=1))


async def test_processes_calling_the_model_at_once_share_the_servers_budget(
    database: Database,
) -> None:
    clock = SimulatedClock(START)
    model = RecordingChatModel(reply="model words")
    async with second_process(database) as other:
        gateways = [
            ModelGateway(
                model,
                limits=UsageLimits(db, rates={}, model_calls_per_server=Rate(4, DAY), clock=clock),
            )
            for db in (database, other)
        ]
        results = await asyncio.gather(
            *(gateways[n % 2].generate(SPEC, {"q": str(n)}, guild_id=GUILD) for n in range(16))
        )
    assert sum(r.text == "model words" for r in results) == 4
    assert len(model.received) == 4, "calls past the budget must not reach the model"
    assert {r.fallback_reason for r in results if r.text is None} == {"model cap reached"}


async def test_a_cooldown_survives_a_restart(database: Database) -> None:
    clock = SimulatedClock(START)
    settings = load_settings(limit_ask_per_minute=2)
    async with second_process(database) as before:
        limits = limits_from_settings(settings, before, clock)
        assert await allowed(limits, ALICE) and await allowed(limits, ALICE)
    clock.advance(timedelta(seconds=15))
    async with second_process(database) as after:  # the process started again
        restarted = limits_from_settings(settings, after, clock)
        with pytest.raises(LimitExceeded) as refused:
            await restarted.check(ALICE, ASK)
        assert "Please try again in 45 s." in str(refused.value)
        clock.advance(timedelta(seconds=45))
        assert await allowed(restarted, ALICE)


async def test_the_window_slides_rather_than_resetting(database: Database) -> None:
    clock = SimulatedClock(START)
    limits = limits_from_settings(load_settings(limit_ask_per_minute=2), database, clock)
    assert await allowed(limits, ALICE)  # 09:00:00
    clock.advance(timedelta(seconds=30))
    assert await allowed(limits, ALICE)  # 09:00:30
    clock.advance(timedelta(seconds=15))
    with pytest.raises(LimitExceeded) as early:
        await limits.check(ALICE, ASK)
    assert "try again in 15 s" in str(early.value)
    # 09:01:00: the first question left the window, the second has not. A window that
    # reset on the minute would allow two more here.
    clock.advance(timedelta(seconds=15))
    assert await allowed(limits, ALICE)
    with pytest.raises(LimitExceeded) as late:
        await limits.check(ALICE, ASK)
    assert "try again in 30 s" in str(late.value)


async def test_expired_uses_are_pruned_and_live_ones_kept(database: Database) -> None:
    clock = SimulatedClock(START)
    limits = limits_from_settings(load_settings(), database, clock)
    for user in range(1, 11):
        assert await allowed(limits, user)
    for _ in range(5):
        assert await allowed(limits, ALICE)
    assert await stored_uses(database) == 15
    clock.advance(timedelta(minutes=1))
    assert await allowed(limits, ALICE)  # Alice's own expired uses go at her next check
    assert await stored_uses(database) == 11

    clock.advance(PRUNE_INTERVAL - timedelta(minutes=2))
    for _ in range(3):  # dialogue starts count for 10 minutes
        assert await allowed(limits, BOB, DIALOGUE_START)
    clock.advance(timedelta(minutes=1))
    assert await allowed(limits, 999)  # a later check now and then tidies everything
    assert await stored_uses(database) == 4, "only Bob's dialogue starts and this use stay"
    assert not await allowed(limits, BOB, DIALOGUE_START)
