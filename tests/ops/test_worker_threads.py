"""The background pool hands freed memory back once per quiet spell, never per job."""

from __future__ import annotations

import threading
import time

import pytest

from bot.ops import worker_threads
from bot.ops.worker_threads import TrimWhenIdle


@pytest.fixture
def trims(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    calls: list[float] = []
    monkeypatch.setattr(worker_threads, "release_freed_memory", lambda: calls.append(1.0))
    return calls


def test_trims_once_after_the_pool_goes_quiet(trims: list[float]) -> None:
    pool = TrimWhenIdle(max_workers=2, idle_seconds=0.05, min_interval=0.0)
    try:
        for future in [pool.submit(time.sleep, 0.01) for _ in range(5)]:
            future.result()
        time.sleep(0.3)
        assert len(trims) == 1
    finally:
        pool.shutdown()


def test_no_trim_while_a_job_runs(trims: list[float]) -> None:
    pool = TrimWhenIdle(max_workers=2, idle_seconds=0.05, min_interval=0.0)
    release = threading.Event()
    try:
        running = pool.submit(release.wait, 5.0)
        pool.submit(time.sleep, 0.0).result()
        time.sleep(0.2)
        assert trims == []  # a quick job ended, but the pool was not idle
        release.set()
        running.result()
        time.sleep(0.3)
        assert len(trims) == 1
    finally:
        release.set()
        pool.shutdown()


def test_trims_are_spaced_out(trims: list[float]) -> None:
    pool = TrimWhenIdle(max_workers=1, idle_seconds=0.02, min_interval=0.4)
    try:
        pool.submit(time.sleep, 0.0).result()
        time.sleep(0.15)
        assert len(trims) == 1
        pool.submit(time.sleep, 0.0).result()
        time.sleep(0.15)
        assert len(trims) == 1  # too soon after the last one: deferred, not dropped
        time.sleep(0.4)
        assert len(trims) == 2
    finally:
        pool.shutdown()


def test_shutdown_cancels_a_pending_trim(trims: list[float]) -> None:
    pool = TrimWhenIdle(max_workers=1, idle_seconds=0.1, min_interval=0.0)
    pool.submit(time.sleep, 0.0).result()
    pool.shutdown()
    time.sleep(0.25)
    assert trims == []
