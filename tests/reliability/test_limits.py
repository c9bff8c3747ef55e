"""Cooldowns on expensive commands and the per-server cap on model calls.

The uses are counted in the database, so every test runs on SQLite and on PostgreSQL;
what several processes sharing one database see is in ``test_shared_limits``.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.clock import SimulatedClock
from bot.limits import (
    DatabaseLimiter,
    LimitExceeded,
    LimitKey,
    Rate,
    UsageLimits,
    limits_from_settings,
)
from bot.limits.policy import ADVICE_CHECK, ASK, DIALOGUE_START
from bot.llm import ModelGateway, PromptSpec
from bot.settings import load_settings
from bot.storage import Database
from bot.storage.limit_models import UsageHit
from tests.llm_fakes import RecordingChatModel

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SPEC = PromptSpec("test.task", "Answer kindly.")
ALICE = LimitKey("user", 1, ASK)
BOB = LimitKey("user", 2, ASK)


async def test_a_window_allows_count_uses_then_refuses_with_the_wait(database: Database) -> None:
    clock = SimulatedClock(START)
    limiter = DatabaseLimiter(database, clock)
    rate = Rate(3, 60)
    assert [(await limiter.hit(ALICE, rate)).allowed for _ in range(3)] == [True, True, True]
    clock.advance(timedelta(seconds=20))
    refused = await limiter.hit(ALICE, rate)
    assert not refused.allowed and refused.retry_after == pytest.approx(40)
    clock.advance(timedelta(seconds=40))
    assert (await limiter.hit(ALICE, rate)).allowed


async def test_refused_attempts_are_not_counted_and_keys_are_independent(
    database: Database,
) -> None:
    clock = SimulatedClock(START)
    limiter = DatabaseLimiter(database, clock)
    rate = Rate(1, 10)
    assert (await limiter.hit(ALICE, rate)).allowed
    for _ in range(5):  # hammering while refused does not push the window further
        assert not (await limiter.hit(ALICE, rate)).allowed
    assert (await limiter.hit(BOB, rate)).allowed
    clock.advance(timedelta(seconds=10))
    assert (await limiter.hit(ALICE, rate)).allowed


async def test_a_count_of_zero_means_no_limit(database: Database) -> None:
    limiter = DatabaseLimiter(database, SimulatedClock(START))
    assert all([(await limiter.hit(ALICE, Rate(0, 60))).allowed for _ in range(1000)])


async def test_never_more_than_count_uses_in_any_window(database: Database) -> None:
    """Random gaps between attempts (seeded, so a failure replays): whatever the order,
    no window of the rate's length ever holds more than ``count`` allowed uses."""
    rng = random.Random(13)
    for scenario in range(12):
        count, window = rng.randint(1, 6), rng.randint(1, 300)
        clock = SimulatedClock(START)
        limiter = DatabaseLimiter(database, clock)
        key, rate = LimitKey("user", scenario, ASK), Rate(count, window)
        allowed: list[datetime] = []
        for _ in range(25):
            clock.advance(timedelta(seconds=rng.choice([0, 0.5, rng.uniform(0, window)])))
            decision = await limiter.hit(key, rate)
            if decision.allowed:
                allowed.append(clock.now())
            else:
                assert 0 < decision.retry_after <= window
        for index, moment in enumerate(allowed):
            in_window = [m for m in allowed[index:] if (m - moment).total_seconds() < window]
            assert len(in_window) <= count, (scenario, count, window)


async def test_the_member_is_told_what_was_limited_and_when_to_retry(database: Database) -> None:
    clock = SimulatedClock(START)
    limits = limits_from_settings(load_settings(limit_ask_per_minute=2), database, clock)
    await limits.check(1, ASK)
    await limits.check(1, ASK)
    with pytest.raises(LimitExceeded) as refused:
        await limits.check(1, ASK)
    text = str(refused.value)
    assert text == (
        "Slow down a little: you've asked 2 questions with /ask in the last minute, "
        "the most allowed. Please try again in 60 s."
    )
    await limits.check(2, ASK)  # another member is not affected
    await limits.check(1, "something cheap")  # unlimited actions pass


async def test_dialogue_starts_are_limited_per_ten_minutes(database: Database) -> None:
    clock = SimulatedClock(START)
    limits = limits_from_settings(load_settings(), database, clock)
    for _ in range(3):
        await limits.check(1, DIALOGUE_START)
    clock.advance(timedelta(minutes=4))
    with pytest.raises(LimitExceeded) as refused:
        await limits.check(1, DIALOGUE_START)
    assert "started 3 dialogues in the last 10 minutes" in str(refused.value)
    assert "try again in 6 min" in str(refused.value)


async def test_defaults_match_the_documented_settings(database: Database) -> None:
    limits = limits_from_settings(load_settings(), database, SimulatedClock(START))
    assert limits.rates[ASK] == Rate(5, 60)
    assert limits.rates[DIALOGUE_START] == Rate(3, 600)
    assert limits.rates[ADVICE_CHECK] == Rate(10, 60)
    assert limits.model_calls_per_server == Rate(200, 24 * 3600)


def test_limits_are_validated_at_start_up() -> None:
    from bot.settings import SettingsError

    with pytest.raises(SettingsError) as error:
        load_settings(limit_ask_per_minute=-1)
    assert "TOUCHSTONE_LIMIT_ASK_PER_MINUTE" in str(error.value)


async def test_a_server_over_its_model_budget_gets_the_offline_behaviour(
    database: Database,
) -> None:
    clock = SimulatedClock(START)
    model = RecordingChatModel(reply="model words")
    limits = UsageLimits(database, rates={}, model_calls_per_server=Rate(2, 24 * 3600), clock=clock)
    gateway = ModelGateway(model=model, limits=limits)
    results = [await gateway.generate(SPEC, {"q": "x"}, guild_id=7) for _ in range(3)]
    assert [r.text for r in results] == ["model words", "model words", None]
    assert results[2].fallback_reason == "model cap reached"
    assert len(model.received) == 2, "the capped call must not reach the model"
    # Another server has its own budget; calls outside a server are not capped here.
    assert (await gateway.generate(SPEC, {"q": "x"}, guild_id=8)).text == "model words"
    assert (await gateway.generate(SPEC, {"q": "x"})).text == "model words"
    clock.advance(timedelta(days=1))
    assert (await gateway.generate(SPEC, {"q": "x"}, guild_id=7)).text == "model words"


async def test_an_unreachable_database_means_offline_answers_and_no_cooldown() -> None:
    """The budget refuses when it cannot be checked; a cooldown lets the member through
    (commands that need no database keep working during an outage)."""
    db = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        model = RecordingChatModel(reply="model words")
        gateway = ModelGateway(model=model, limits=UsageLimits(db, rates={}))
        result = await gateway.generate(SPEC, {"q": "x"}, guild_id=7)
        assert result.text is None and result.fallback_reason == "model budget unavailable"
        assert model.received == []
        limits = UsageLimits(db, rates={ASK: Rate(1, 60)})
        for _ in range(3):
            await limits.check(1, ASK)  # no LimitExceeded, no StorageUnavailable
    finally:
        await db.dispose()


async def test_a_locked_database_holds_a_command_up_for_the_deadline_at_most(
    tmp_path: Path,
) -> None:
    """Discord drops an interaction not acknowledged within 3 s; the check comes first."""
    path = tmp_path / "locked.db"
    db = Database(f"sqlite+aiosqlite:///{path}", busy_timeout=10)
    await db.migrate()
    clock = SimulatedClock(START)
    limits = UsageLimits(db, rates={ASK: Rate(1, 60)}, clock=clock, check_deadline=0.3)
    lock = sqlite3.connect(path, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        await limits.check(1, ASK)
        assert time.monotonic() - started < 2, "the check waited for the lock"
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    try:
        # The late count lands once the lock is released: the next use is refused.
        for _ in range(100):
            async with db.session() as session:
                if await session.scalar(select(func.count()).select_from(UsageHit)):
                    break
            await asyncio.sleep(0.05)
        with pytest.raises(LimitExceeded):
            await limits.check(1, ASK)
    finally:
        await db.dispose()
