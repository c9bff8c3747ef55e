"""The practice club in the offline console, scripted as a person would run it: a
monthly club in Europe/Berlin across the switch to summer time, three members
checking in three ways, and a digest that respects each one's choice."""

from __future__ import annotations

from pathlib import Path

from tests.console_runner import run_bot

START = "2026-02-27T12:00:00+00:00"
SCRIPT = """\
club start Europe/Berlin day=1 time=19:00
as maya club start UTC
as maya club remind on
clock set 2026-03-01T18:30+00:00
clock set 2026-03-05T12:00+00:00
practice log 60 piano
as maya practice log 45 drawing
clock set 2026-04-01T16:59+00:00
clock set 2026-04-01T17:01+00:00
club checkin
club answer change="Scales first" share_hours=yes quote_change=yes Steady piano month.
as maya club answer change="Draw daily" Fine month.
as sam club reply Busy, no practice.
clock set 2026-04-04T17:30+00:00
as maya club pair find skill=drawing tz=Asia/Tokyo
as sam club pair find skill=piano tz=Europe/London
club pair find skill=piano tz=Europe/Berlin
clock set 2026-04-11T17:31+00:00
as sam club pair leave
club push start hours=1 ends=7d
as maya club push start hours=5
club push join
as maya club push join
practice log 40 piano
as maya practice log 30 drawing
clock advance 10m
club streak freezes=1 remind=on time=21:00
clock set 2026-04-12T00:30+00:00
mydata export
quit
"""


def test_a_monthly_club_in_the_console(tmp_path: Path) -> None:
    result = run_bot(["console"], tmp_path, SCRIPT, TOUCHSTONE_SIMULATED_CLOCK_START=START)
    out = result.stdout
    assert result.returncode == 0 and "Traceback" not in out + result.stderr, result.stderr
    assert "The first opens Sunday 01 March, 19:00 2026 (Europe/Berlin)" in out
    assert "Only this server's moderators can do that" in out  # maya is a member
    assert "[new thread 'Check-in · 01 March 2026' in the club channel]" in out
    # April opens at 19:00 Berlin summer time, 17:00 UTC: not at 16:59.
    before, after = out.split("Simulated time: 2026-04-01T16:59+00:00", 1)
    assert "01 April 2026" not in before
    assert "[new thread 'Check-in · 01 April 2026' in the club channel]" in after
    # The starting point is shown to its owner only, in the console's private form.
    assert "From your practice log, 01 Mar to 31 Mar: 1.0 h on 1 day (piano 1.0 h)." in out
    digest = out.split("PRACTICE CLUB DIGEST · 01 APRIL 2026", 1)[1]
    assert "3 members checked in" in digest
    assert "shared by 1 of them: 1.0 h" in digest  # maya's 45 minutes stay private
    assert "> Scales first" in digest and "Draw daily" not in digest
    chart = tmp_path / "console-files" / "club-2026-04.png"
    assert f"[attachment: {chart}]" in digest
    assert chart.read_bytes().startswith(b"\x89PNG")
    # maya opted in to reminders: one for March (she had not answered), none for April.
    assert out.count("[DM to maya] PRACTICE CLUB CHECK-IN") == 1
    # A pair: maya is too far away (Tokyo); sam and the owner are an hour apart and
    # share a skill. Their private thread, a weekly prompt, then sam leaves kindly.
    social = out.split("PRACTICE CLUB DIGEST · 01 APRIL 2026", 1)[1]
    assert "on the partner list (Asia/Tokyo, drawing)" in social
    assert (
        "[new private thread 'Practice partners · pair 1' for sam and you] PRACTICE PARTNERS"
        in social
    )
    assert "sam and you: you both asked for a practice partner" in social
    assert "[in the club thread] WEEK 1 TOGETHER" in social
    assert "You've left the pair" in social
    assert "[DM to you] YOUR PRACTICE PAIR" in social and "nothing about you" in social
    # A club push: members' minutes fill one bar, edited in place; the goal comes once.
    assert "The club push is on: 1 hour together by Saturday 18 April" in social
    assert "Only this server's moderators can do that" in social.split("club push is on")[1]
    assert "[edited in place in the club thread] CLUB PUSH · 1 HOUR BY 18 APRIL" in social
    assert "1.2 / 1 h · Goal reached!" in social
    assert social.count("THE CLUB REACHED ITS GOAL") == 1
    assert "Freeze days: 1 a month, each keeps your streak" in social
    # The member's club data is part of their data export.
    (export,) = (tmp_path / "console-files").glob("mydata-*.json")
    exported = export.read_text(encoding="utf-8")
    assert "Steady piano month." in exported
    for table in ("club_pairs", "club_push_members", "streak_settings"):
        assert f'"{table}"' in exported
