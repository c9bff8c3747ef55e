"""Behaviours of the advice check that a writer or a moderator would notice."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.advice import AdviceChecker, AdviceReport, Intent, infer_intent, read_intent
from bot.advice.evaluation import Case, load_training
from bot.advice.features import directives
from bot.advice.rewrite import first_instruction, soften
from bot.advice.text import sentences, split_points

# A fixed sample of training pairs in English that the check flags: properties of a
# flagged report, not accuracy (accuracy is measured on the blind set by the benchmark).
FLAGGED = [
    c
    for c in load_training()[::12]
    if c.lang == "en" and AdviceChecker().check(c.post, c.reply, c.intent).flagged
]

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
# Seed 002, "On premature advice": the three scenarios, verbatim.
SEED_SCENARIOS = [
    (
        "I've just started working out again. I've been doing blah for X minutes and then "
        "blah blah for Y minutes.",
        "You shouldn't exercise like that, you'll injure yourself. Here's what you should be "
        "doing instead...",
    ),
    (
        "Everyone around me tells that investing is a good idea, so I'm now going to invest in "
        "index funds.",
        "You better know what you are doing. Don't invest any money you cannot afford to lose, "
        "Past Performance Is No Guarantee of Future Results, also [speculation] so this might "
        "not be the best time to invest, also...",
    ),
    (
        "My current lighting is quite dim, I'm planning on buying more and better lamps.",
        "Lighting is complicated: you have to look at temperatures and color reproduction "
        "index, make sure to have shaders, also ideally you have colder lighting in the "
        "morning and warmer in the evening, and...",
    ),
]


def _check(case: Case, sensitivity: float = 0.5) -> AdviceReport:
    return AdviceChecker(sensitivity).check(case.post, case.reply, case.intent)


def _points(text: str) -> list[str]:
    return [p.text for p in split_points(text, any_case=True)]


@pytest.mark.parametrize("case", FLAGGED, ids=[c.id for c in FLAGGED])
def test_a_flagged_report_quotes_the_draft_and_keeps_only_its_advice(case: Case) -> None:
    report = _check(case)
    assert report.flagged
    points = _points(case.reply)
    assert report.reasons and report.reasons[0].excerpts
    for reason in report.reasons:
        assert all(excerpt in points for excerpt in reason.excerpts)
    assert all(point in points for point in report.kept_aside)
    if report.tip_source is not None:  # a tip cut to its first order keeps the whole point aside
        assert report.tip_source in points
    body = sentences(report.suggestion)
    assert report.suggestion.endswith("?")
    assert sum(len(directives(s)) for s in body) <= 1, report.suggestion


def test_the_seeds_three_bobs_are_flagged() -> None:
    checker = AdviceChecker()
    for post, reply in SEED_SCENARIOS:
        report = checker.check(post, reply)
        assert report.flagged, reply
        assert report.intent is Intent.SHARING


def test_bob_flagged_kind_reply_not_carol_not() -> None:
    checker = AdviceChecker()
    bob = checker.check(ALICE, BOB)
    assert bob.flagged and bob.intent is Intent.SHARING and bob.intent_source == "inferred"
    assert bob.reasons[0].code == "many_points"
    assert "shares a start" in bob.intent_reason
    kind = checker.check(ALICE, "2km on your first day back is great! How did it feel?")
    assert not kind.flagged
    assert kind.suggestion == "2km on your first day back is great! How did it feel?"
    assert kind.kept_aside == []
    # The same pile of instructions is fine when someone asked for it.
    carol = checker.check(CAROL, BOB)
    assert not carol.flagged and carol.intent is Intent.DETAILS


def test_sarcasm_and_discouragement_are_flagged_and_quoted() -> None:
    checker = AdviceChecker()
    post = "Just started learning guitar, I can play 3 chords now!"
    sarcasm = checker.check(post, "lol good luck with that")
    assert sarcasm.flagged and sarcasm.reasons[0].code == "sarcasm"
    assert sarcasm.reasons[0].excerpts == ["lol good luck with that"]
    assert sarcasm.kept_aside == [] and "good luck" not in sarcasm.suggestion
    old = checker.check("Started learning piano at 52!", "Honestly you're too old to start.")
    assert old.flagged and old.reasons[0].code == "discouraging"


def test_a_sneer_is_never_kept_aside_or_offered_as_the_tip() -> None:
    post = "Started learning Rust this week, got my first CLI tool compiling!"
    reply = (
        "Welcome! Honestly you need to learn lifetimes properly before going further. "
        "Run clippy on every build. lol good luck with the borrow checker."
    )
    report = AdviceChecker().check(post, reply)
    assert report.flagged
    assert "Welcome!" not in report.kept_aside
    assert all("lol" not in point for point in report.kept_aside)
    assert report.tip is None or "lifetimes" not in report.tip


def test_another_language_is_named_never_silently_fine() -> None:
    report = AdviceChecker().check(
        "Empecé a correr esta semana, ¡ya hice 3 km!",
        "Deberías calentar primero, no corras todos los días, compra mejores zapatillas y "
        "controla tu pulso siempre.",
    )
    assert not report.checked and report.language == "es"
    assert not report.flagged
    assert report.reasons[0].code == "language_unsupported"
    assert "Spanish" in report.reasons[0].message
    assert report.to_json()["language"] == "es"


def test_given_intent_overrides_inference() -> None:
    report = AdviceChecker().check(ALICE, BOB, Intent.DETAILS)
    assert report.intent is Intent.DETAILS and report.intent_source == "given"
    assert not report.flagged


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
    assert report.reasons[0].code == "unrequested_scope"
    assert "You need a meat thermometer." in report.kept_aside
    narrow = AdviceChecker().check(post, "200°C for about 35 minutes, skin side up.")
    assert not narrow.flagged


def test_sensitivity_zero_flags_less_than_one() -> None:
    sample = [c for c in load_training() if c.lang == "en"][::8]
    low = {c.id for c in sample if _check(c, 0.0).flagged}
    high = {c.id for c in sample if _check(c, 1.0).flagged}
    assert low < high  # strictly fewer, and never something the readier setting lets through


def test_sensitivity_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        AdviceChecker(sensitivity=1.5)


@pytest.mark.parametrize(
    ("post", "intent", "narrow"),
    [
        ("Day 3 of learning Spanish and I already ordered coffee in it!", Intent.SHARING, False),
        ("Here's my first attempt at a linocut print.", Intent.SHARING, False),
        ("Roast my resume please, tear it apart.", Intent.DETAILS, False),
        ("What size nails for hanging a picture on drywall?", Intent.DETAILS, True),
    ],
)
def test_rule_intent_reading_kept_for_the_v1_signals(
    post: str, intent: Intent, narrow: bool
) -> None:
    reading = read_intent(post)
    assert (reading.intent, reading.narrow) == (intent, narrow)
    assert infer_intent(post) is intent


def test_output_is_deterministic_and_varied() -> None:
    first = [_check(c).model_dump() for c in FLAGGED]
    again = [AdviceChecker().check(c.post, c.reply, c.intent).model_dump() for c in FLAGGED]
    assert first == again
    openers = {str(r["suggestion"]).split("!")[0].split(" ")[0] for r in first if r["flagged"]}
    assert len(openers) >= 3


def test_json_form_has_the_contract_keys() -> None:
    data = AdviceChecker().check(ALICE, BOB).to_json()
    assert list(data)[:4] == ["flagged", "score", "reasons", "suggestion"]
    assert 0.0 <= data["score"] <= 1.0
    assert data["intent"] == "sharing" and data["intent_source"] == "inferred"
    assert data["language"] == "en" and data["checked"] is True
    assert {"code", "message", "excerpts"} <= set(data["reasons"][0])


def test_soften_turns_orders_into_offers_without_doubled_hedges() -> None:
    assert soften("You need to knead for 10 minutes or you'll regret it.") == (
        "it can help to knead for 10 minutes."
    )
    assert soften("Don't water the leaves.") == "try not to water the leaves."
    assert soften("Also, you should be using a metronome.") == "it's worth using a metronome."
    assert soften("Maybe try a lighter string gauge.") == "try a lighter string gauge."
    assert soften("I'd suggest you should maybe record yourself.") == (
        "it can help to record yourself."
    )
    assert first_instruction("Don't move him, don't overwater him, and make sure it's lit.") == (
        "Don't move him"
    )


_FRAGMENTS = [
    *"abcdefg XYZ.,!?-\n'`:;0123456789",
    "you should ",
    "Don't ",
    "make sure ",
    "- ",
    "lol ",
    "learn ",
    "real ",
    "never ",
    "I ",
    "¿qué ",
    "日本語",
]
_texty = st.lists(st.sampled_from(_FRAGMENTS), max_size=80).map("".join)


@settings(max_examples=150, deadline=None)
@given(post=_texty, reply=_texty, sensitivity=st.floats(0.0, 1.0))
def test_any_input_gives_a_consistent_report(post: str, reply: str, sensitivity: float) -> None:
    report = AdviceChecker(sensitivity).check(post, reply)
    assert 0.0 <= report.score <= 1.0
    if report.flagged:  # never below the cut, never in a language it cannot read
        assert report.checked and report.score >= report.threshold
    for reason in report.reasons:
        assert all(excerpt in reply for excerpt in reason.excerpts)
    if not report.flagged:
        assert report.suggestion == reply
