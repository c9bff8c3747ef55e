"""Cooldowns on expensive commands and the per-server cap on model calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import SimulatedClock
from bot.limits import LimitExceeded, Rate, SlidingWindowLimiter, UsageLimits, limits_from_settings
from bot.limits.policy import ADVICE_CHECK, ASK, DIALOGUE_START
from bot.llm import ModelGateway, PromptSpec
from bot.settings import load_settings
from tests.llm_fakes import RecordingChatModel

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SPEC = PromptSpec("test.task", "Answer kindly.")


def test_a_window_allows_count_uses_then_refuses_with_the_wait() -> None:
    clock = SimulatedClock(START)
    limiter = SlidingWindowLimiter(clock)
    rate = Rate(3, 60)
    assert [limiter.hit("k", rate).allowed for _ in range(3)] == [True, True, True]
    clock.advance(timedelta(seconds=20))
    refused = limiter.hit("k", rate)
    assert not refused.allowed and refused.retry_after == pytest.approx(40)
    clock.advance(timedelta(seconds=40))
    assert limiter.hit("k", rate).allowed


def test_refused_attempts_are_not_counted_and_keys_are_independent() -> None:
    clock = SimulatedClock(START)
    limiter = SlidingWindowLimiter(clock)
    rate = Rate(1, 10)
    assert limiter.hit("alice", rate).allowed
    for _ in range(5):  # hammering while refused does not push the window further
        assert not limiter.hit("alice", rate).allowed
    assert limiter.hit("bob", rate).allowed
    clock.advance(timedelta(seconds=10))
    assert limiter.hit("alice", rate).allowed


def test_a_count_of_zero_means_no_limit() -> None:
    limiter = SlidingWindowLimiter(SimulatedClock(START))
    assert all(limiter.hit("k", Rate(0, 60)).allowed for _ in range(1000))


def test_idle_keys_are_forgotten() -> None:
    clock = SimulatedClock(START)
    limiter = SlidingWindowLimiter(clock)
    limiter.hit("a", Rate(1, 60))
    clock.advance(timedelta(hours=2))
    limiter.hit("b", Rate(1, 60))
    assert limiter.forget_idle(3600) == 1


@settings(max_examples=50, deadline=None)
@given(
    count=st.integers(1, 10),
    window=st.integers(1, 600),
    gaps=st.lists(st.floats(0, 100, allow_nan=False), max_size=60),
)
def test_never_more_than_count_uses_in_any_window(
    count: int, window: int, gaps: list[float]
) -> None:
    clock = SimulatedClock(START)
    limiter = SlidingWindowLimiter(clock)
    rate = Rate(count, window)
    allowed: list[datetime] = []
    for gap in gaps:
        clock.advance(timedelta(seconds=gap))
        decision = limiter.hit("k", rate)
        if decision.allowed:
            allowed.append(clock.now())
        else:
            assert 0 < decision.retry_after <= window
    for index, moment in enumerate(allowed):
        in_window = [m for m in allowed[index:] if (m - moment).total_seconds() < window]
        assert len(in_window) <= count


def test_the_member_is_told_what_was_limited_and_when_to_retry() -> None:
    clock = SimulatedClock(START)
    limits = limits_from_settings(load_settings(limit_ask_per_minute=2), clock)
    limits.check(1, ASK)
    limits.check(1, ASK)
    with pytest.raises(LimitExceeded) as refused:
        limits.check(1, ASK)
    text = str(refused.value)
    assert text == (
        "Slow down a little: you've asked 2 questions with /ask in the last minute, "
        "the most allowed. Please try again in 60 s."
    )
    limits.check(2, ASK)  # another member is not affected
    limits.check(1, "something cheap")  # unlimited actions pass


def test_dialogue_starts_are_limited_per_ten_minutes() -> None:
    clock = SimulatedClock(START)
    limits = limits_from_settings(load_settings(), clock)
    for _ in range(3):
        limits.check(1, DIALOGUE_START)
    clock.advance(timedelta(minutes=4))
    with pytest.raises(LimitExceeded) as refused:
        limits.check(1, DIALOGUE_START)
    assert "started 3 dialogues in the last 10 minutes" in str(refused.value)
    assert "try again in 6 min" in str(refused.value)


def test_defaults_match_the_documented_settings() -> None:
    limits = limits_from_settings(load_settings(), SimulatedClock(START))
    assert limits.rates[ASK] == Rate(5, 60)
    assert limits.rates[DIALOGUE_START] == Rate(3, 600)
    assert limits.rates[ADVICE_CHECK] == Rate(10, 60)
    assert limits.model_calls_per_server == Rate(200, 24 * 3600)


def test_limits_are_validated_at_start_up() -> None:
    from bot.settings import SettingsError

    with pytest.raises(SettingsError) as error:
        load_settings(limit_ask_per_minute=-1)
    assert "TOUCHSTONE_LIMIT_ASK_PER_MINUTE" in str(error.value)


async def test_a_server_over_its_model_budget_gets_the_offline_behaviour() -> None:
    clock = SimulatedClock(START)
    model = RecordingChatModel(reply="model words")
    limits = UsageLimits(rates={}, model_calls_per_server=Rate(2, 24 * 3600), clock=clock)
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
