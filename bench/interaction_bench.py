"""Interaction acknowledgement under load: 200 mixed interactions arriving together.

The real bot process runs against the fake Discord (real wire protocol, loopback).
Figures: time from INTERACTION_CREATE to the accepted first response (p50/p95/p99),
how many missed Discord's 3-second deadline, and the bot's resident memory before
and after the burst. The baseline, measured in the same run with the same traffic,
is a bare discord.py bot that answers every interaction at once (bench.baseline_bot):
the cost of the transport alone.

    python -m bench.interaction_bench [--json PATH] [--total 200]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.report import BenchResult, percentile
from tests.e2e.harness import BotProcess, bot_environment, build_index
from tests.e2e.load import add_members, fire_burst
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import build_practice_club


@dataclass(frozen=True)
class Run:
    latencies_ms: list[float]
    missed: int
    rss_before_mb: float
    rss_after_mb: float


async def measure(args: tuple[str, ...], index: Path, workdir: Path, total: int) -> Run:
    fake = FakeDiscord()
    club = build_practice_club(fake)
    users = add_members(fake, club, 100)
    await fake.start()
    data_dir = workdir / "data"
    shutil.copytree(index, data_dir / "chroma")
    env = bot_environment(
        api_base=fake.api_base,
        gateway_url=fake.gateway_url,
        data_dir=data_dir,
        extra={"TOUCHSTONE_TOKEN": fake.token},
    )
    bot = BotProcess(env, args=args)
    try:
        await bot.start(ready_timeout=120)
        await bot.wait_for_log("knowledge ready", timeout=120)
        rss_before, _ = bot.memory_mb()
        result = await fire_burst(fake, club, users, total=total)
        await asyncio.sleep(2)  # let follow-ups settle before reading memory
        rss_after, _ = bot.memory_mb()
    finally:
        await bot.stop()
        await fake.stop()
    missed = len(result.unacknowledged) + len(result.rejected)
    return Run(result.latencies_ms(), missed, rss_before, rss_after)


async def run_bench(total: int) -> BenchResult:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        index = build_index(root / "index")
        ours = await measure(("-m", "bot", "run"), index, root / "touchstone", total)
        base = await measure(("-m", "bench.baseline_bot"), index, root / "baseline", total)
    result = BenchResult(f"interactions: {total} arriving together", "bare discord.py bot")
    for pct in (50, 95, 99):
        result.add(
            f"first response p{pct}",
            percentile(ours.latencies_ms, pct),
            percentile(base.latencies_ms, pct),
            "ms",
        )
    result.add("missed the 3 s deadline", float(ours.missed), float(base.missed), "interactions")
    result.add("resident memory before", ours.rss_before_mb, base.rss_before_mb, "MB")
    result.add("resident memory after", ours.rss_after_mb, base.rss_after_mb, "MB")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.interaction_bench", description=__doc__)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--total", type=int, default=200)
    args = parser.parse_args(argv)
    result = asyncio.run(run_bench(args.total))
    result.emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
