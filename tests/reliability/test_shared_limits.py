"""Issue 13: cooldowns and model caps hold across processes sharing one database, and
across a restart.

Each "process" is its own :class:`Database` handle (its own engine and connection pool)
with its own limits, as two shard processes have; only the database is shared. Sharing
between processes is PostgreSQL's job (SQLite means one process: its cooldowns are
decided in memory and written behind, see ``bot.limits.written_behind``); restarts and
the sliding window are tested on both.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from bot.clock import SimulatedClock
from bot.limits import LimitExceeded, Rate, UsageLimits, limits_from_settings
from bot.limits.limiter import PRUNE_INTERVAL
from bot.limits.policy import ASK, DAY, DIALOGUE_START
from bot.llm import ModelGateway, PromptSpec
from bot.settings import load_settings
from bot.storage import Database
from bot.storage.limit_models import UsageHit
from tests.databases import another_process, open_database
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


@pytest.fixture
async def shared(tmp_path: Path) -> AsyncIterator[Database]:
    """A PostgreSQL database: the one several shard processes share."""
    async with open_database("postgres", tmp_path) as db:
        yield db


async def allowed(limits: UsageLimits, user_id: int, action: str = ASK) -> bool:
    try:
        await limits.check(user_id, action)
    except LimitExceeded:
        return False
    return True


async def stored_uses(database: Database) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(UsageHit)) or 0)


@pytest.mark.postgres
async def test_two_processes_share_one_allowance(shared: Database) -> None:
    """In memory, each process allowed 3 questions a minute: 6 in all. Now 3."""
    clock = SimulatedClock(START)
    settings = load_settings(limit_ask_per_minute=3)
    async with second_process(shared) as other:
        first = limits_from_settings(settings, shared, clock)
        second = limits_from_settings(settings, other, clock)
        outcomes = [await allowed(limits, ALICE) for limits in (first, second) * 3]
        assert outcomes == [True, True, True, False, False, False]
        assert await allowed(second, BOB), "another member has their own allowance"


@pytest.mark.postgres
async def test_concurrent_checks_from_two_processes_never_pass_the_cap(
    shared: Database,
) -> None:
    clock = SimulatedClock(START)
    settings = load_settings(limit_ask_per_minute=5)
    async with second_process(shared) as other:
        processes = [limits_from_settings(settings, db, clock) for db in (shared, other)]
        for limits in processes:
            # This test is about the count, not the deadline: on a loaded machine 24
            # serialised checks can outlast the 1 s after which a check lets a use through.
            limits.check_deadline = 60.0
        for _round in range(3):  # a race need not show on the first try
            results = await asyncio.gather(*(allowed(processes[n % 2], ALICE) for n in range(24)))
            assert sum(results) == 5
            clock.advance(timedelta(minutes=1))


@pytest.mark.postgres
async def test_processes_calling_the_model_at_once_share_the_servers_budget(
    shared: Database,
) -> None:
    clock = SimulatedClock(START)
    model = RecordingChatModel(reply="model words")
    async with second_process(shared) as other:
        gateways = [
            ModelGateway(
                model,
                limits=UsageLimits(db, rates={}, model_calls_per_server=Rate(4, DAY), clock=clock),
            )
            for db in (shared, other)
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
        await limits.close()  # the process stops (Services.close)
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


@pytest.mark.postgres
async def test_expired_uses_are_pruned_and_live_ones_kept(shared: Database) -> None:
    clock = SimulatedClock(START)
    limits = limits_from_settings(load_settings(), shared, clock)
    for user in range(1, 11):
        assert await allowed(limits, user)
    for _ in range(5):
        assert await allowed(limits, ALICE)
    assert await stored_uses(shared) == 15
    clock.advance(timedelta(minutes=1))
    assert await allowed(limits, ALICE)  # Alice's own expired uses go at her next check
    assert await stored_uses(shared) == 11

    clock.advance(PRUNE_INTERVAL - timedelta(minutes=2))
    for _ in range(3):  # dialogue starts count for 10 minutes
        assert await allowed(limits, BOB, DIALOGUE_START)
    clock.advance(timedelta(minutes=1))
    assert await allowed(limits, 999)  # a later check now and then tidies everything
    assert await stored_uses(shared) == 4, "only Bob's dialogue starts and this use stay"
    assert not await allowed(limits, BOB, DIALOGUE_START)


# -- SQLite: one process, decided in memory, written behind ---------------------------


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    async with open_database("sqlite", tmp_path) as db:
        yield db


async def test_on_sqlite_a_burst_of_checks_keeps_the_cap_and_every_use_is_stored(
    sqlite_db: Database,
) -> None:
    clock = SimulatedClock(START)
    limits = limits_from_settings(load_settings(limit_ask_per_minute=5), sqlite_db, clock)
    results = await asyncio.gather(*(allowed(limits, n % 40) for n in range(120)))
    assert sum(results) == 40 * 3, "each of 40 members asked 3 times, under the cap of 5"
    results = await asyncio.gather(*(allowed(limits, ALICE) for _ in range(12)))
    assert sum(results) == 5
    await limits.close()
    assert await stored_uses(sqlite_db) == 125


async def test_on_sqlite_a_check_does_not_wait_for_the_database(sqlite_db: Database) -> None:
    """Another connection holding SQLite's write lock used to hold every check behind it."""
    clock = SimulatedClock(START)
    limits = limits_from_settings(load_settings(limit_ask_per_minute=2), sqlite_db, clock)
    assert await allowed(limits, BOB)  # the stored uses are read at the first check
    async with sqlite_db.session() as blocker:
        await blocker.execute(delete(UsageHit))  # takes the write lock until the block ends
        decided = await asyncio.wait_for(
            asyncio.gather(allowed(limits, ALICE), allowed(limits, ALICE), allowed(limits, ALICE)),
            timeout=10,
        )
        assert decided == [True, True, False]
    await limits.close()
    # Bob's use was deleted by the blocking transaction; Alice's two were written after it.
    assert await stored_uses(sqlite_db) == 2
