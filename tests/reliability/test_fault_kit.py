"""The fault-injection kit with a few trials per flow (issue 13 "Evidence and acceptance").

``python -m tests.reliability.fault_kit`` runs the same flows with 30 trials each and
prints the figures. Here each flow runs ``TOUCHSTONE_FAULT_TRIALS`` (3) kill -9 trials;
the PostgreSQL flows skip, or fail under CI, without TOUCHSTONE_TEST_DATABASE_URL.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from tests.databases import postgres_url
from tests.reliability.fault_kit import FlowResult, run, table

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TRIALS = int(os.environ.get("TOUCHSTONE_FAULT_TRIALS", "3"))
SEED = int(os.environ.get("TOUCHSTONE_FAULT_SEED", "0")) or random.SystemRandom().randrange(10**6)


async def run_flow(flow: str, index: Path, tmp_path: Path) -> FlowResult:
    (result,) = await run([flow], TRIALS, SEED, index, tmp_path)
    print(f"seed {SEED} (replay with TOUCHSTONE_FAULT_SEED={SEED})\n{table([result])}")
    assert result.skipped == "", result.skipped
    assert result.trials == (TRIALS if flow != "starts" else min(TRIALS, 20)), table([result])
    assert result.clean, f"seed {SEED}:\n{table([result])}"
    return result


@pytest.mark.parametrize("flow", ["dialogue", "advice", "crux", "ratelimit"])
async def test_kills_lose_and_duplicate_nothing_and_no_dialogue_waits(
    flow: str, prebuilt_index: Path, tmp_path: Path
) -> None:
    await run_flow(flow, prebuilt_index, tmp_path)


@pytest.mark.postgres
@pytest.mark.parametrize("flow", ["shards", "starts"])
async def test_shard_processes_on_postgres(flow: str, prebuilt_index: Path, tmp_path: Path) -> None:
    postgres_url()  # skip (fail under CI) without a PostgreSQL
    result = await run_flow(flow, prebuilt_index, tmp_path)
    if flow == "shards":
        assert result.acknowledged == 40 * TRIALS  # every scheduled DM counted as owed
