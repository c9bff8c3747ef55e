"""Behaviours of the advice check that a writer or a moderator would notice."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.advice import AdviceChecker, AdviceReport, Intent, infer_intent, read_intent
from bot.advice.evaluation import Case, load_cases
from bot.advice.features import directives
from bot.advice.rewrite import first_instruction, soften
from bot.advice.text import sentences, split_points

DEV = load_cases(Path(__file__).resolve().parents[1] / "data" / "advice_dev.jsonl")
FLAGGED_DEV = [c for c in DEV if c.flagged]

ALICE = "I've just started running again! Did 2km today, mostly walking, but I'm proud of it."
BOB = (
    "You need to get a gait analysis before you run another step. Make sure you do 80% of runs "
    "in zone 2. Don't run two days in a row. You should be doing strength work twice a week, "
    "and watch out for shin splints. Also get proper shoes, the cheap ones will wreck your knees."
)
CAROL = (
    "I've run for two years and want to break 50 minutes for 10k. Please be thorough: what "
    "should I change in my training?"
)


def _check(case: Case, sensitivity: float = 0.5) -> AdviceReport:
    return AdviceChecker(sensitivity).check(case.post, case.reply, case.intent)


def _assert_nothing_lost(draft: str, report: AdviceReport) -> None:
    for point in (p.text for p in split_points(draft)):
        if point in report.kept_aside:
            continue
        if point in report.carried:
            assert point in report.suggestion
            continue
        assert point == report.tip_source, f"point dropped: {point!r}"
        assert report.tip is not None and report.tip in report.suggestion


@pytest.mark.parametrize("case", FLAGGED_DEV, ids=[c.id for c in FLAGGED_DEV])
def test_every_point_of_a_flagged_draft_survives(case: Case) -> None:
    report = _check(case)
    assert report.flagged
    _assert_nothing_lost(case.reply, report)
    assert all(point in case.reply for point in report.kept_aside)


@pytest.mark.parametrize("case", FLAGGED_DEV, ids=[c.id for c in FLAGGED_DEV])
def test_gentler_version_has_at_most_one_tip_and_ends_with_a_question(case: Case) -> None:
    report = _check(case)
    body = sentences(report.suggestion)
    assert report.suggestion.endswith("?")
    assert sum(len(directives(s)) for s in body) <= 1, report.suggestion
    assert len(report.suggestion.split()) < max(len(case.reply.split()), 60)


@pytest.mark.parametrize("case", DEV, ids=[c.id for c in DEV])
def test_reason_excerpts_are_quotes_from_the_draft(case: Case) -> None:
    for reason in _check(case, sensitivity=1.0).reasons:
        assert reason.excerpts or reason.code == "length"
        for excerpt in reason.excerpts:
            assert excerpt in case.reply, (reason.code, excerpt)


def test_sensitivity_zero_flags_less_than_one() -> None:
    low = {c.id for c in DEV if _check(c, 0.0).flagged}
    high = {c.id for c in DEV if _check(c, 1.0).flagged}
    assert low < high  # strictly fewer, and never something the readier setting lets through


def test_sensitivity_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        AdviceChecker(sensitivity=1.5)


def test_bob_flagged_kind_reply_not_carol_not() -> None:
    checker = AdviceChecker()
    bob = checker.check(ALICE, BOB)
    assert bob.flagged and bob.intent is Intent.SHARING and bob.intent_source == "inferred"
    assert {r.code for r in bob.reasons} >= {"many_instructions"}
    kind = checker.check(ALICE, "2km on your first day back is great! How did it feel?")
    assert not kind.flagged
    assert kind.suggestion == "2km on your first day back is great! How did it feel?"
    assert kind.kept_aside == []
    # The same pile of instructions is fine when someone asked for it.
    carol = checker.check(CAROL, BOB)
    assert not carol.flagged and carol.intent is Intent.DETAILS


def test_given_intent_overrides_inference() -> None:
    report = AdviceChecker().check(ALICE, BOB, Intent.DETAILS)
    assert report.intent is Intent.DETAILS and report.intent_source == "given"
    assert not report.flagged


def test_gatekeeping_flags_even_when_short_or_details_were_asked() -> None:
    checker = AdviceChecker()
    short = checker.check("Started learning piano at 52!", "Honestly you're too old to start.")
    assert short.flagged and [r.code for r in short.reasons] == ["gatekeeping"]
    gate = checker.check(
        "Started learning piano at 52!", "You're not ready for real pieces, learn scales first."
    )
    assert gate.flagged and any(r.code == "gatekeeping" for r in gate.reasons)
    asked = checker.check(
        "New to Python. Can someone explain decorators in detail?",
        "If you don't understand closures you're not ready for decorators. Learn those first.",
    )
    assert asked.flagged and asked.intent is Intent.DETAILS


def test_narrow_question_buried_in_caveats_keeps_the_answer() -> None:
    post = "What temperature should I bake chicken thighs at?"
    reply = (
        "200°C for about 35 minutes. You should also brine them overnight. Make sure you pat "
        "them dry. Don't crowd the tray. You need a meat thermometer. Watch out for the skin "
        "burning under the grill."
    )
    report = AdviceChecker().check(post, reply)
    assert report.flagged and report.narrow_question
    assert "200°C for about 35 minutes." in report.suggestion
    assert any(r.code == "unrequested_scope" for r in report.reasons)
    narrow = AdviceChecker().check(post, "200°C for about 35 minutes, skin side up.")
    assert not narrow.flagged


@pytest.mark.parametrize(
    ("post", "intent", "narrow"),
    [
        ("Day 3 of learning Spanish and I already ordered coffee in it!", Intent.SHARING, False),
        ("Here's my first attempt at a linocut print.", Intent.SHARING, False),
        ("Finally finished my first quilt, so proud!", Intent.SHARING, False),
        (
            "Starting a vegetable patch this spring. What should I watch out for?",
            Intent.DETAILS,
            False,
        ),
        ("Roast my resume please, tear it apart.", Intent.DETAILS, False),
        ("My first short story - feedback welcome!", Intent.DETAILS, False),
        ("Just started bouldering, any tips?", Intent.DETAILS, False),
        ("What size nails for hanging a picture on drywall?", Intent.DETAILS, True),
        ("First time baking, is it fine to use salted butter?", Intent.DETAILS, True),
        ("The weather was nice today.", Intent.UNKNOWN, False),
    ],
)
def test_intent_inference(post: str, intent: Intent, narrow: bool) -> None:
    reading = read_intent(post)
    assert (reading.intent, reading.narrow) == (intent, narrow)
    assert infer_intent(post) is intent


def test_output_is_deterministic_and_varied() -> None:
    first = [_check(c).model_dump() for c in FLAGGED_DEV]
    again = [AdviceChecker().check(c.post, c.reply, c.intent).model_dump() for c in FLAGGED_DEV]
    assert first == again
    openers = {str(r["suggestion"]).split("!")[0].split(" ")[0] for r in first}
    assert len(openers) >= 3


def test_json_form_has_the_contract_keys() -> None:
    data = AdviceChecker().check(ALICE, BOB).to_json()
    assert list(data)[:4] == ["flagged", "score", "reasons", "suggestion"]
    assert 0.0 <= data["score"] <= 1.0
    assert data["intent"] == "sharing" and data["intent_source"] == "inferred"
    assert {"code", "message", "excerpts"} <= set(data["reasons"][0])


def test_soften_turns_orders_into_offers() -> None:
    assert soften("You need to knead for 10 minutes or you'll regret it.") == (
        "it can help to knead for 10 minutes."
    )
    assert soften("Don't water the leaves.") == "try not to water the leaves."
    assert soften("Also, you should be using a metronome.") == "it's worth using a metronome."
    assert first_instruction("Don't move him, don't overwater him, and make sure it's lit.") == (
        "Don't move him"
    )
    assert first_instruction("Knead it or do stretch and folds.") == (
        "Knead it or do stretch and folds."
    )


_FRAGMENTS = [
    *"abcdefg XYZ.,!?-\n'`:;0123456789",
    "you should ",
    "Don't ",
    "make sure ",
    "- ",
    "first ",
    "learn ",
    "real ",
    "never ",
    "I ",
]
_texty = st.lists(st.sampled_from(_FRAGMENTS), max_size=80).map("".join)


@settings(max_examples=150, deadline=None)
@given(post=_texty, reply=_texty, sensitivity=st.floats(0.0, 1.0))
def test_any_input_gives_a_consistent_report(post: str, reply: str, sensitivity: float) -> None:
    report = AdviceChecker(sensitivity).check(post, reply)
    assert 0.0 <= report.score <= 1.0
    assert report.flagged == (report.score >= report.threshold)
    for reason in report.reasons:
        assert all(excerpt in reply for excerpt in reason.excerpts)
    if report.flagged:
        _assert_nothing_lost(reply, report)
    else:
        assert report.suggestion == reply
