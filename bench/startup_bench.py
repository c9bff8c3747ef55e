"""Start-up: time from process start to ready (gateway) and to a loaded library, and peak memory.

Touchstone starts with an existing index (as after ``touchstone ingest``), so the
figures include loading the embedding model and opening chromadb but no embedding.
The baseline, measured in the same run, is a bare discord.py bot (bench.baseline_bot).
Each is started ``--runs`` times; the median is printed.

    python -m bench.startup_bench [--json PATH] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.report import BenchResult
from tests.e2e.harness import BotProcess, bot_environment, build_index
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import build_practice_club


async def one_start(
    args: tuple[str, ...], index: Path, data_dir: Path
) -> tuple[float, float, float]:
    """(seconds to ready, seconds to knowledge ready, peak MB)."""
    fake = FakeDiscord()
    build_practice_club(fake)
    await fake.start()
    if not (data_dir / "chroma").exists():
        shutil.copytree(index, data_dir / "chroma")
    env = bot_environment(
        api_base=fake.api_base,
        gateway_url=fake.gateway_url,
        data_dir=data_dir,
        extra={"TOUCHSTONE_TOKEN": fake.token},
    )
    bot = BotProcess(env, args=args)
    started = time.perf_counter()
    try:
        await bot.start(ready_timeout=120)
        ready = time.perf_counter() - started
        await bot.wait_for_log("knowledge ready", timeout=120)
        library = time.perf_counter() - started
        _, peak = bot.memory_mb()
    finally:
        await bot.stop()
        await fake.stop()
    return ready, library, peak


async def run_bench(runs: int) -> BenchResult:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        index = build_index(root / "index")
        ours = [
            await one_start(("-m", "bot", "run"), index, root / "touchstone") for _ in range(runs)
        ]
        base = [
            await one_start(("-m", "bench.baseline_bot"), index, root / "baseline")
            for _ in range(runs)
        ]
    result = BenchResult(
        f"start-up with an existing index (median of {runs})", "bare discord.py bot"
    )
    for position, label, unit in (
        (0, "process start to ready", "s"),
        (1, "process start to library loaded", "s"),
        (2, "peak resident memory", "MB"),
    ):
        result.add(
            label,
            statistics.median(r[position] for r in ours),
            statistics.median(r[position] for r in base),
            unit,
        )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup_bench", description=__doc__)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    asyncio.run(run_bench(args.runs)).emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
