"""The performance report: every benchmark in one run, one table, one JSON file.

Each benchmark measures Touchstone and its baseline in the same run on this
machine; this command runs them one after another (never in parallel, so they
don't disturb each other) and gathers the tables.

    python -m bench.all [--quick] [--out bench/results]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench import advice_bench, interaction_bench, knowledge_bench, startup_bench

Main = Callable[[list[str]], int]


def plan(quick: bool) -> list[tuple[str, Main, list[str]]]:
    sizes = "1000,10000" if quick else "1000,10000,100000"
    return [
        ("knowledge", knowledge_bench.main, ["--sizes", sizes, "--no-progress"]),
        ("advice", advice_bench.main, ["--rounds", "10" if quick else "30"]),
        ("startup", startup_bench.main, ["--runs", "1" if quick else "3"]),
        ("interactions", interaction_bench.main, ["--total", "200"]),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.all", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="smaller corpus sizes and fewer rounds"
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    report: dict[str, object] = {
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()},
        "benchmarks": [],
    }
    for name, run, extra in plan(args.quick):
        path = args.out / f"{name}.json"
        print(f"\n### {name}", flush=True)
        code = run([*extra, "--json", str(path)])
        if code != 0:
            print(f"bench.all: {name} failed with exit code {code}", file=sys.stderr)
            return code
        report["benchmarks"].append(json.loads(path.read_text(encoding="utf-8")))  # type: ignore[attr-defined]
    report["seconds"] = round(time.time() - started, 1)
    (args.out / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"\nWrote {args.out / 'report.json'} in {report['seconds']} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
