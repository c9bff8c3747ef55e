"""Benchmark of the premature-advice check: speed per draft and accuracy on the dev set.

The baseline, measured in the same run, is the naive check a bot could ship
instead: flag any reply over N words, with N chosen as the best on the dev set.
Latency is measured per ``check`` call, because the check runs on a writer's
draft while they wait.

    python -m bench.advice_bench [--json PATH] [--rounds N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.report import BenchResult, percentile
from bot.advice import AdviceChecker
from bot.advice.evaluation import (
    Case,
    best_length_threshold,
    evaluate,
    length_predictor,
    load_cases,
)
from bot.advice.text import word_count

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=None, help="also save the table as JSON")
    parser.add_argument("--rounds", type=int, default=30, help="passes over the dev set")
    args = parser.parse_args(argv)

    dev = load_cases(DATA / "advice_dev.jsonl")
    holdout = load_cases(DATA / "advice_holdout.jsonl")
    checker = AdviceChecker()
    n_words, _ = best_length_threshold(dev)
    baseline = length_predictor(n_words)

    for case in dev:  # warm regex caches so the first round is not an outlier
        checker.check(case.post, case.reply, case.intent)
    ours_ms: list[float] = []
    base_ms: list[float] = []
    started = time.perf_counter()
    for _ in range(args.rounds):
        for case in dev:
            t0 = time.perf_counter()
            checker.check(case.post, case.reply, case.intent)
            ours_ms.append((time.perf_counter() - t0) * 1000)
    ours_total = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(args.rounds):
        for case in dev:
            t0 = time.perf_counter()
            word_count(case.reply) > n_words  # noqa: B015 - the baseline's whole decision
            base_ms.append((time.perf_counter() - t0) * 1000)
    base_total = time.perf_counter() - started

    def ours(case: Case) -> bool:
        return checker.check(case.post, case.reply, case.intent).flagged

    result = BenchResult("advice check", f"length>{n_words} words")
    result.add("latency p50", percentile(ours_ms, 50), percentile(base_ms, 50), "ms/check")
    result.add("latency p95", percentile(ours_ms, 95), percentile(base_ms, 95), "ms/check")
    # Each case's fastest round is its intrinsic cost; the p95 of those ignores moments
    # the process was preempted on a busy machine (the raw p95 above includes them).
    best_ms = [min(ours_ms[i :: len(dev)]) for i in range(len(dev))]
    result.add(
        "latency p95, best-of-rounds",
        percentile(best_ms, 95),
        None,
        "ms/check",
        "per-case minimum; robust to CPU contention",
    )
    result.add("throughput", len(ours_ms) / ours_total, len(base_ms) / base_total, "checks/s")
    for label, cases in (("dev", dev), ("holdout", holdout)):
        m, b = evaluate(ours, cases), evaluate(baseline, cases)
        note = f"{len(cases)} cases"
        result.add(f"{label} precision", m.precision, b.precision, "", note)
        result.add(f"{label} recall", m.recall, b.recall, "", note)
        result.add(f"{label} F1", m.f1, b.f1, "", note)
        result.add(
            f"{label} false alarms on depth requests",
            m.depth_false_alarm_rate,
            b.depth_false_alarm_rate,
            "",
            f"{m.depth_requests} depth requests",
        )
    result.emit(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
