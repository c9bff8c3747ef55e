"""Accuracy of the advice check on hand-labelled data, next to a length baseline.

Run with ``-s`` to see the figures. The dev set is what the heuristics were
developed against; the holdout was written separately and never tuned on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.advice import AdviceChecker
from bot.advice.evaluation import (
    Case,
    Metrics,
    best_length_threshold,
    evaluate,
    length_predictor,
    load_cases,
)

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def dev() -> list[Case]:
    return load_cases(DATA / "advice_dev.jsonl")


@pytest.fixture(scope="module")
def holdout() -> list[Case]:
    return load_cases(DATA / "advice_holdout.jsonl")


def _checker_metrics(cases: list[Case]) -> Metrics:
    checker = AdviceChecker()
    return evaluate(lambda c: checker.check(c.post, c.reply, c.intent).flagged, cases)


def test_data_sets_are_big_enough_and_varied(dev: list[Case], holdout: list[Case]) -> None:
    assert len(dev) >= 70 and len(holdout) >= 25
    assert not {c.id for c in dev} & {c.id for c in holdout}
    assert not {(c.post, c.reply) for c in dev} & {(c.post, c.reply) for c in holdout}
    assert len({c.domain for c in dev}) >= 12
    assert sum(c.asks_for_depth for c in dev) >= 10
    assert sum(c.intent.value == "unknown" for c in dev) >= 20


def test_dev_set_beats_length_baseline(dev: list[Case]) -> None:
    ours = _checker_metrics(dev)
    n, base = best_length_threshold(dev)
    print(f"\n[dev] touchstone: {ours.summary()}")
    print(f"[dev] length>{n} words baseline (best N on dev): {base.summary()}")
    assert ours.f1 >= 0.9
    assert ours.depth_false_alarm_rate <= 0.1
    assert ours.f1 >= base.f1 + 0.15


def test_holdout(dev: list[Case], holdout: list[Case]) -> None:
    ours = _checker_metrics(holdout)
    n, _ = best_length_threshold(dev)
    base = evaluate(length_predictor(n), holdout)
    print(f"\n[holdout] touchstone: {ours.summary()}")
    print(f"[holdout] length>{n} words baseline (N from dev): {base.summary()}")
    assert ours.f1 >= 0.75
    assert ours.depth_false_alarm_rate <= 0.2


def test_every_dev_case_explains_its_flag(dev: list[Case]) -> None:
    checker = AdviceChecker()
    for case in dev:
        report = checker.check(case.post, case.reply, case.intent)
        if report.flagged:
            assert report.reasons, case.id
            assert report.suggestion != case.reply, case.id
