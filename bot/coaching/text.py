"""The words of coaching results, shared by Discord and the console so both say the same.

The coaching service returns values (:mod:`bot.coaching.model`); these functions turn
them into the sentences a person reads. Plain text that also reads well in a terminal.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.coaching.model import PushStart, PushStop, PushView, QuickVersion
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
