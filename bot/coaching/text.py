"""The words of coaching results, shared by Discord and the console so both say the same.

The coaching service returns values (:mod:`bot.coaching.model`); these functions turn
them into the sentences a person reads. Plain text that also reads well in a terminal.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.coaching.model import (
    DAILY_GOAL_MINUTES,
    DmFiling,
    DmOutcome,
    LogResult,
    ProfileStatus,
    PushStart,
    PushStop,
    PushView,
    QuickVersion,
    ScheduleChange,
    ScheduleView,
    Stats,
)
from bot.coaching.timeparse import describe_days, timezone_note
from bot.text_input import EMPTY_TEXT_MESSAGE
from bot.wording import plural

#: The questions a finished push asks the person to reflect on.
REFLECTION = (
    "What worked?",
    "What plateaued?",
    "Is a 40-hour push on this worth it?",
)
PUSH_DONE_TITLE = "Push complete"
COACHING_NOT_ON = "Coaching wasn't on. /coach start sets it up."
COACHING_STOPPED = (
    "Coaching stopped: no more scheduled DMs. Your practice log and answers are kept "
    "(/mydata export to download, /mydata delete to erase)."
)
NOT_YOUR_ORIENT = "That orient session isn't yours or no longer exists."
NO_PUSH = "No push under way. /practice push start SKILL begins one."
NO_PUSH_STATUS = "No push under way. /practice push start SKILL begins one (20 hours by default)."
NO_PUSH_TO_REFLECT = "No finished push to reflect on yet."


def coaching_stopped(stopped: bool) -> str:
    return COACHING_STOPPED if stopped else COACHING_NOT_ON


def quick_version(quick: QuickVersion | None) -> str:
    if quick is None:
        return NOT_YOUR_ORIENT
    first = "\n".join(f"{n}. {text}" for n, text in enumerate(quick.prompts, 1))
    return f"{quick.advice}\n\n{first}\n\nOne line each is plenty; reply here."


def push_progress(push: PushView) -> str:
    """``12.5 of 20 h (62%)``."""
    return f"{push.hours_done:.1f} of {push.target_hours} h ({push.percent}%)"


def test_line(test: str | None, before: str | None) -> str:
    """What the person still has to do about the push's before/after test."""
    if test is None:
        return (
            "First: what before/after test will this push be judged by? Something you "
            "can do today and again at the end, with a result you can compare (e.g. "
            "'sight-read one new page; count the stops'). Do it now, then: "
            "/practice push test TEST before:RESULT."
        )
    if before is None:
        return (
            f"Your before/after test: {test}. Do it today and note the result: "
            "/practice push test TEST before:RESULT."
        )
    return f"Your before/after test: {test}. Before: {before}. At the end, do it again."


def push_started(start: PushStart) -> str:
    push = start.push
    if not start.created:
        return f"You already have a push on {push.skill}: {push_progress(push)}."
    return (
        f"Push started: {plural(push.target_hours, 'hour')} of {push.skill}. Log sessions "
        "with /practice log; I'll mark 25%, 50%, 75% and the finish, and ask what you "
        "learned at the end.\n\n" + test_line(push.test, push.test_before)
    )


def push_test_set(push: PushView | None) -> str:
    if push is None:
        return NO_PUSH
    return f"Push on {push.skill}: " + test_line(push.test, push.test_before)


def push_status(pushes: Sequence[PushView]) -> str:
    if not pushes:
        return NO_PUSH_STATUS
    return "\n".join(f"{push.skill}: {push_progress(push)}" for push in pushes)


def push_stopped(stop: PushStop) -> str:
    if stop.push is None:
        return f"No push under way on {stop.skill!r}."
    return f"Push on {stop.push.skill} stopped. Its practice stays in your log."


def push_reflected(push: PushView | None) -> str:
    if push is None:
        return NO_PUSH_TO_REFLECT
    return f"Reflection on your {push.skill} push saved."


def milestone(push: PushView, percent: int) -> str:
    """One milestone with its own figure, even when one session crosses two."""
    return (
        f"Milestone: {percent}% of your {push.skill} push "
        f"({percent * push.target_hours / 100:.1f} of {push.target_hours} h)."
    )


def hours_now(push: PushView) -> str:
    return f"You're at {push.hours_done:.1f} h now."


def push_finished(push: PushView) -> str:
    """The message (and DM) at 100%: test again, then reflect."""
    test = (
        f" Now do your before/after test again: {push.test}"
        + (f" (before: {push.test_before})." if push.test_before else ".")
        + " How did it go?"
        if push.test
        else ""
    )
    return (
        f"You finished your {push.target_hours}-hour push on {push.skill}.{test} "
        "Take a few minutes to reflect: "
        + " ".join(REFLECTION)
        + " Answer with /practice push reflect."
    )


# --- /coach: the schedule -------------------------------------------------------------

_SCHEDULE_LEADS = {
    ScheduleChange.STARTED: "Coaching is on.",
    ScheduleChange.SAVED: "Settings saved.",
    ScheduleChange.SHOWN: "Your coaching settings:",
    ScheduleChange.RESUMED: "Welcome back: coaching resumed.",
}


def _schedule_lead(view: ScheduleView) -> str:
    """The opening line: what the command did, and how a typed abbreviation was read."""
    profile = view.profile
    if view.change is ScheduleChange.PAUSED and profile.paused_until is not None:
        return (
            f"Paused until {profile.paused_until:%A %d %B}. No DMs until then, and your "
            "streak won't break; coaching picks up again by itself afterwards "
            "(or /coach resume sooner)."
        )
    lead = _SCHEDULE_LEADS.get(view.change, "")
    if view.typed_timezone:
        lead = f"{lead} {timezone_note(view.typed_timezone, profile.timezone)}".strip()
    return lead


def schedule(view: ScheduleView) -> str:
    """What /coach start, settings, pause and resume reply: when the next DMs come."""
    profile = view.profile
    lines = [
        _schedule_lead(view),
        f"Morning prompts: {describe_days(profile.weekdays)} at {profile.local_time} "
        f"({profile.timezone}).",
    ]
    if profile.status is ProfileStatus.PAUSED and profile.paused_until:
        lines.append(f"Paused until {profile.paused_until:%A %d %B}.")
    if profile.status is ProfileStatus.STOPPED:
        lines.append("Coaching is stopped.")
    if view.next_orient is not None:
        lines.append(f"Next one: {view.next_orient:%A %d %B, %H:%M}.")  # already local
    lines.append(
        "Practice nudge: "
        + (
            f"on, at {profile.nudge_time} if nothing was logged."
            if profile.nudge_enabled
            else "off."
        )
    )
    lines.append("Weekly review on Sundays and a monthly review on the 1st, at 18:00.")
    return "\n".join(lines)


def welcome(view: ScheduleView) -> str:
    """The first DM after /coach start: it shows where coaching happens."""
    return schedule(view) + "\n\nReply to the morning prompts right here, in this DM."


# --- /practice log and stats ------------------------------------------------------------


def logged(result: LogResult) -> str:
    """The reply to /practice log: the day's total against its goal, then any milestones."""
    lines = [
        f"Logged {result.minutes} min of {result.skill}. Today: {result.minutes_today} min. "
        f"Streak: {plural(result.streak, 'day')}."
    ]
    if result.minutes_today < DAILY_GOAL_MINUTES:
        lines.append(
            f"{DAILY_GOAL_MINUTES - result.minutes_today} more minutes reaches today's "
            f"{DAILY_GOAL_MINUTES}."
        )
    lines.extend(result.milestones)
    return "\n".join(lines)


def practice_summary(stats: Stats) -> str:
    """The figures of /practice stats and of the weekly and monthly review DMs."""
    days, minutes = stats.days, stats.minutes
    active = sum(1 for m in minutes if m)
    lines = [
        f"{sum(minutes)} min of practice over {plural(len(days), 'day')} "
        f"({plural(active, 'day')} with practice). Streak: {plural(stats.streak, 'day')}.",
    ]
    if len(days) <= 7:
        lines.append(" · ".join(f"{d:%a} {m}" for d, m in zip(days, minutes, strict=True)))
    if stats.by_skill:
        lines.append("By skill:")
        lines.extend(f"- {skill}: {mins} min" for skill, mins in stats.by_skill)
    lines.extend(
        f"Push on {push.skill}: {push.hours_done:.1f} of {push.target_hours} h"
        for push in stats.pushes
    )
    return "\n".join(lines)


# --- DM answers -------------------------------------------------------------------------


def dm_filed(filing: DmFiling) -> str:
    """The reply to a DM filed as a morning answer; "" (say nothing) for a blank one."""
    if filing.outcome is DmOutcome.SAVED:
        return f"Saved ({filing.answers} today)."
    if filing.outcome is DmOutcome.INVISIBLE:
        return EMPTY_TEXT_MESSAGE
    if filing.outcome is DmOutcome.UNAWAITED:
        return "Nothing is waiting for an answer right now, so I didn't store that. " + (
            "Your next morning prompts arrive here; answer them then."
            if filing.coaching_on
            else "Morning prompts arrive here once you /coach start."
        )
    return ""
