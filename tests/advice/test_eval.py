"""The advice check's data and its figures: what a moderator relies on when trusting it.

The blind set was written from LABELS.md alone and frozen before any tuning; the
benchmark (``python -m bench.advice_bench``) prints its figures by kind. These
tests guard that the data stays what it claims and that the shipped weights are
the ones the training command makes from the committed corpus.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.advice import AdviceChecker, RuleChecker
from bot.advice.evaluation import (
    BLIND_PATH,
    BLIND_SETS,
    RESERVE_BLIND_PATH,
    Case,
    best_length_threshold,
    evaluate,
    length_predictor,
    load_cases,
    load_training,
)
from bot.advice.learned import WEIGHTS_PATH

KINDS = {
    "pile",
    "discouraging_statement",
    "sarcasm_dismissal",
    "statement_or_question_dump",
    "youll_need_plan",
    "narrow_then_buried",
    "well_actually",
    "contempt_under_critique",
    "other_language",
    "intent_misread",
    "false_alarm_trap",
    "depth_request",
    "encouragement",
}


@pytest.fixture(scope="module")
def training() -> list[Case]:
    return load_training()


@pytest.fixture(scope="module")
def blind() -> list[Case]:
    return load_cases(BLIND_PATH)


def test_training_corpus_is_big_varied_and_covers_every_kind(training: list[Case]) -> None:
    assert len(training) >= 800
    assert len({c.voice for c in training}) >= 10
    for kind in KINDS - {"other_language"}:
        sides = {c.flagged for c in training if c.kind == kind}
        assert sides == {True, False}, kind
    assert sum(c.source.startswith("seed:") for c in training) >= 40
    assert len({c.lang for c in training}) >= 6


@pytest.mark.parametrize("path", [*BLIND_SETS, RESERVE_BLIND_PATH], ids=lambda p: p.name)
def test_blind_set_is_separate_and_has_eight_flagged_per_kind(
    training: list[Case], path: Path
) -> None:
    blind = load_cases(path)
    assert not {(c.post, c.reply) for c in training} & {(c.post, c.reply) for c in blind}
    assert not {c.reply for c in training} & {c.reply for c in blind if len(c.reply) > 40}
    assert {c.kind for c in blind} == KINDS
    for kind in KINDS - {"false_alarm_trap", "depth_request", "encouragement"}:
        assert sum(c.flagged for c in blind if c.kind == kind) >= 8, kind


def test_learned_check_beats_both_baselines_on_the_blind_set(
    training: list[Case], blind: list[Case]
) -> None:
    english = [c for c in blind if c.lang == "en"]
    learned, rules = AdviceChecker(), RuleChecker()
    ours = evaluate(lambda c: learned.check(c.post, c.reply, c.intent).flagged, english)
    v1 = evaluate(lambda c: rules.check(c.post, c.reply, c.intent).flagged, english)
    n, _ = best_length_threshold([c for c in training if c.lang == "en"])
    length = evaluate(length_predictor(n), english)
    print(f"\n[blind] learned: {ours.summary()}\n[blind] rules v1: {v1.summary()}")
    print(f"[blind] length>{n}: {length.summary()}")
    assert ours.f1 >= max(v1.f1, length.f1) + 0.15
    assert ours.depth_false_alarm_rate <= 0.1


def test_every_other_language_pair_is_named_not_passed(blind: list[Case]) -> None:
    checker = AdviceChecker()
    for case in (c for c in blind if c.lang != "en"):
        report = checker.check(case.post, case.reply, case.intent)
        assert not report.checked, case.id
        assert report.reasons and report.reasons[0].code == "language_unsupported"


@pytest.mark.slow
def test_training_command_rebuilds_the_shipped_weights(tmp_path: Path) -> None:
    from bot.advice.training import train

    out = tmp_path / "weights.json"
    train(out, verbose=False)
    built, shipped = json.loads(out.read_text()), json.loads(WEIGHTS_PATH.read_text())
    assert built["provenance"] == shipped["provenance"]
    for model in ("intent", "reason"):
        for key in ("coef", "intercept", "mean", "scale"):
            assert np.allclose(built[model][key], shipped[model][key], atol=1e-4), (model, key)
    verdict, stored = built["verdict"], shipped["verdict"]
    for key in ("mean", "scale"):
        assert np.allclose(verdict[key], stored[key], atol=1e-4), key
    assert len(verdict["members"]) == len(stored["members"])
    for ours, theirs in zip(verdict["members"], stored["members"], strict=True):
        for key in ("hidden", "hidden_bias", "out", "out_bias"):
            assert np.allclose(ours[key], theirs[key], atol=1e-4), key
