"""Wording in issue 14: plurals agree with their number, "you" gets its own grammar,
and no internal id reaches a person."""

from __future__ import annotations

from pathlib import Path

from bot.wording import plural, possessive, verb
from tests import console_runner


def test_plural_possessive_and_verb() -> None:
    assert plural(1, "reason") == "1 reason"
    assert plural(2, "reason") == "2 reasons"
    assert plural(0, "day") == "0 days"
    assert plural(1, "reply") == "1 reply" and plural(3, "reply") == "3 replies"
    assert possessive("you") == "your" and possessive("alice") == "alice's"
    assert verb("you", "invites") == "invite" and verb("bob", "invites") == "invites"
    assert verb("you", "has", "have") == "have"


def test_console_dialogue_wording_for_one_and_for_you(tmp_path: Path) -> None:
    script = (
        "impossible Write a novel\n20\nno time\n/dialogue end\n"
        'crux maya "Remote work is better"\n1\nyes\n/as maya agree\n'
        "I think so\n/as maya answer I doubt it\n50\n/as maya answer 40\nnone\n"
        # maya restates (a bare "none" here is a menu choice, refused since issue 14)
        "/as maya answer Office juniors ship less\nJuniors at home ship as much\n"
        "Remote juniors close as many tickets\n"
        "/as maya answer Office juniors close more tickets\n"
        "/dialogue end\n/dialogue export\n"
    )
    out = console_runner.run_console(script, tmp_path).stdout
    assert "1 reason noted" in out and "1 reasons" not in out
    assert "you invite maya" in out and "you invites" not in out
    assert "you have submitted your cruxes (hidden)" in out, out
    assert "you's" not in out


def test_no_internal_ids_in_coaching_buttons(tmp_path: Path) -> None:
    out = console_runner.run_console(
        "coach start Europe/Berlin 07:00\nclock advance 1h30m\n",
        tmp_path,
        TOUCHSTONE_SIMULATED_CLOCK_START="2026-03-27T05:00:00+00:00",
    ).stdout
    assert "type '/coach quick'" in out and "coach quick 1" not in out
