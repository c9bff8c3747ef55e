"""Benchmark of the advice check on the frozen blind sets, next to two baselines.

The blind sets (``bot/advice/corpus/blind.jsonl`` and ``blind_v2.jsonl``) were written
from the labelling guide alone by writers who saw neither the training corpus nor the
code, and were frozen before any tuning. Each is reported on its own. Measured in the
same run:

- **learned**: the shipped check (``AdviceChecker``);
- **rules v1**: the previous, hand-written rule checker (``RuleChecker``);
- **length>N**: flag any reply over N words, N chosen as the best on the training
  corpus (choosing it on the blind set would flatter it).

Figures: precision, recall and F1 on the English pairs (the headline) and on all
pairs (a draft in another language counts as not flagged, because the check says
it cannot read it); false alarms on fine replies and on replies to depth requests;
then recall and false alarms per kind; then latency per check.

    python -m bench.advice_bench [--data PATH ...] [--json PATH] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.report import percentile
from bot.advice import AdviceChecker, RuleChecker
from bot.advice.evaluation import (
    BLIND_SETS,
    Case,
    Metrics,
    best_length_threshold,
    by_kind,
    load_cases,
    load_training,
    score,
)
from bot.advice.features import forget
from bot.advice.text import word_count

Outcomes = list[tuple[Case, bool]]


def _run(predict: Callable[[Case], bool], cases: Sequence[Case]) -> Outcomes:
    return [(c, predict(c)) for c in cases]


def _overall_rows(label: str, m: Metrics) -> list[tuple[str, str]]:
    return [
        (f"{label} precision", f"{m.precision:.3f}"),
        (f"{label} recall", f"{m.recall:.3f}"),
        (f"{label} F1", f"{m.f1:.3f}"),
        (
            f"{label} false alarms on fine replies",
            f"{m.fp}/{m.fp + m.tn} ({m.false_alarm_rate:.3f})",
        ),
        (
            f"{label} false alarms on depth requests",
            f"{m.depth_false_alarms}/{m.depth_requests} ({m.depth_false_alarm_rate:.3f})",
        ),
    ]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    )


def _latency(check: Callable[[Case], object], cases: Sequence[Case], rounds: int) -> list[float]:
    for case in cases[:20]:
        check(case)  # warm caches and lazy loads
    out: list[float] = []
    for _ in range(rounds):
        for case in cases:
            forget()  # every timed check is a fresh draft, as in use
            t0 = time.perf_counter()
            check(case)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=None, help="also save the figures as JSON")
    parser.add_argument("--rounds", type=int, default=5, help="latency passes over the blind set")
    parser.add_argument(
        "--data", type=Path, nargs="+", default=list(BLIND_SETS), help="labelled JSONL sets"
    )
    args = parser.parse_args(argv)
    payloads = [_bench(path, args.rounds) for path in args.data]
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payloads, indent=2), encoding="utf-8")
    return 0


def _bench(path: Path, rounds: int) -> dict[str, object]:
    """Print one set's figures next to the baselines; return them for --json."""
    blind = load_cases(path)
    learned, rules = AdviceChecker(), RuleChecker()
    n_words, _ = best_length_threshold([c for c in load_training() if c.lang == "en"])
    systems: dict[str, Outcomes] = {
        "learned": _run(lambda c: learned.check(c.post, c.reply, c.intent).flagged, blind),
        "rules v1": _run(lambda c: rules.check(c.post, c.reply, c.intent).flagged, blind),
        f"length>{n_words}": _run(lambda c: word_count(c.reply) > n_words, blind),
    }
    names = list(systems)
    english = {n: [(c, f) for c, f in o if c.lang == "en"] for n, o in systems.items()}

    print(
        f"\n== advice check on {path.name}: {len(blind)} pairs, "
        f"{sum(c.lang == 'en' for c in blind)} in English =="
    )
    rows: list[list[str]] = []
    for label, source in (("English", english), ("all pairs", systems)):
        per = [_overall_rows(label, score(source[n])) for n in names]
        rows += [[per[0][i][0], *(p[i][1] for p in per)] for i in range(len(per[0]))]
    print(_table(["metric", *names], rows))

    print("\n== by kind: flagged ones caught (recall) | fine ones flagged (false alarms) ==")
    kinds = {n: by_kind(o) for n, o in systems.items()}
    krows = []
    for kind in sorted(kinds["learned"]):
        cells = []
        for n in names:
            m = kinds[n][kind]
            cells.append(f"{m.tp}/{m.tp + m.fn} | {m.fp}/{m.fp + m.tn}")
        krows.append([kind, *cells])
    print(_table(["kind", *names], krows))

    others = [c for c in blind if c.lang != "en"]
    named = sum(
        1
        for c in others
        if not (r := learned.check(c.post, c.reply, c.intent)).checked and r.language == c.lang
    )
    unchecked = sum(1 for c in others if not learned.check(c.post, c.reply, c.intent).checked)
    print(
        f"\nother languages: {unchecked}/{len(others)} reported as not checkable "
        f"(never a silent 'looks fine'); language named correctly in {named}/{len(others)}"
    )

    ours_ms = _latency(lambda c: learned.check(c.post, c.reply, c.intent), blind, rounds)
    rules_ms = _latency(lambda c: rules.check(c.post, c.reply, c.intent), blind, rounds)
    print("\n== latency per check (ms) ==")
    print(
        _table(
            ["metric", "learned", "rules v1"],
            [
                ["p50", f"{percentile(ours_ms, 50):.2f}", f"{percentile(rules_ms, 50):.2f}"],
                ["p95", f"{percentile(ours_ms, 95):.2f}", f"{percentile(rules_ms, 95):.2f}"],
            ],
        )
    )
    return {
        "data": path.name,
        "overall": {n: score(english[n]).__dict__ for n in names},
        "by_kind": {n: {k: m.__dict__ for k, m in kinds[n].items()} for n in names},
        "latency_ms": {
            "learned": {"p50": percentile(ours_ms, 50), "p95": percentile(ours_ms, 95)},
            "rules v1": {"p50": percentile(rules_ms, 50), "p95": percentile(rules_ms, 95)},
        },
    }


if __name__ == "__main__":
    raise SystemExit(main())
