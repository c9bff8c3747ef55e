"""Reply with care and watch mode from a script through ``python -m bot console``."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests import console_runner

REPO = Path(__file__).resolve().parents[2]

ALICE = "I've just started running again! Did 2km today, mostly walking, but I'm proud of it."
BOB = (
    "You need to get a gait analysis before you run another step. Make sure you do 80% of runs "
    "in zone 2. Don't run two days in a row. You should be doing strength work twice a week, "
    "and watch out for shin splints. Also get proper shoes, the cheap ones will wreck your knees."
)
KIND = "That's a great start, well done! How did it feel to be out there again?"


def run_console(script: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return console_runner.run_console(script, data_dir, TOUCHSTONE_LOG_LEVEL="WARNING")


def test_draft_report_cancel_edit_and_post_from_a_script(tmp_path: Path) -> None:
    script = "\n".join(
        [
            f"advise {ALICE}",
            f"draft {BOB}",
            "mistake",
            "cancel",
            "post gentle",
            "post",
            "edit",
            f"edit {KIND}",
            "post",
            "",
        ]
    )
    out = run_console(script, tmp_path).stdout
    first, rest = out.split("Recorded as a false alarm", 1)
    assert "BEFORE YOU POST" in first and "A gentler version" in first and "gait analysis" in first
    assert "Your draft is kept" in rest and "wreck your knees" in rest
    # The gentler version was posted after the cancel (the draft stayed available) ...
    assert "Posted as a reply to that post" in rest
    # ... so it can't be posted again, edited, or posted as written afterwards.
    assert "already posted" in rest
    assert rest.count("Posted as a reply to that post") == 1


def test_a_fine_reply_posts_as_written_and_bad_input_gets_one_line(tmp_path: Path) -> None:
    script = "\n".join(
        ["draft hello", f"advise {ALICE}", "draft   ", f"draft {KIND}", "post sideways", "post", ""]
    )
    out = run_console(script, tmp_path).stdout
    lines = out.splitlines()
    assert any(line.startswith("error: first say which post") for line in lines)
    assert any(line.startswith("error: Your reply is empty") for line in lines)
    assert any(line.startswith("error: post takes") for line in lines)
    assert "LOOKS GOOD TO POST" in out
    assert f"> {KIND}" in out and "Traceback" not in out


def test_watch_explains_nudge_and_hold_including_closed_dms(tmp_path: Path) -> None:
    script = "\n".join(
        [
            f'watch nudge "{ALICE}" "{BOB}"',
            f'watch hold "{ALICE}" "{BOB}"',
            f'watch hold "{ALICE}" "{BOB}" --dms-closed',
            f'watch hold --tag "just started" "{ALICE}" "{KIND}"',
            "",
        ]
    )
    out = run_console(script, tmp_path).stdout
    assert "nudge: the reply stays up" in out
    assert "then the reply is removed" in out
    assert "is left in place" in out
    assert "watch mode does nothing" in out


def test_watch_shows_each_step_discord_would_take_in_order(tmp_path: Path) -> None:
    script = "\n".join(
        [f'watch hold "{ALICE}" "{BOB}"', f'watch hold "{ALICE}" "{BOB}" --dms-closed', ""]
    )
    out = run_console(script, tmp_path).stdout
    held, closed = out.split("Flagged", 2)[1:]
    # The whole text reaches the writer first, then the reply goes, then the offer.
    given = held.index("Here is exactly what you wrote")
    assert (
        given
        < held.index(BOB)
        < held.index("The reply is removed")
        < held.index("What to do with it")
    )
    assert "not delivered" in closed and "To the report channel" in closed
    assert "The reply is removed" not in closed
