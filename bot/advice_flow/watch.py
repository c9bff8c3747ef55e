"""Watch mode after the decision: nudge the writer, or hold the reply without losing it.

:meth:`AdviceFlowService.plan_watch` decides; :func:`run_watch` carries the decision
out through a :class:`WatchPort` the adapter implements (Discord DMs and deletes, or the
console printing what Discord would do). Both adapters run this one sequence, so "the
full text reaches its writer before the reply is removed" is written once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.advice_flow.model import Draft, WatchAction, WatchPlan
from bot.advice_flow.service import AdviceFlowService
from bot.advice_flow.text import (
    GIVE_BACK_FILE,
    WATCH_HELD_EXPLAIN,
    WATCH_HELD_TITLE,
    WATCH_NUDGE_TITLE,
    WATCH_STILL_UP,
    watch_hold_attached,
    watch_hold_inline,
    watch_moderator_note,
    watch_nudge_intro,
)


@dataclass(frozen=True)
class TextFile:
    """A text sent whole as a file, where a message's length limit would cut it."""

    name: str
    text: str


@dataclass(frozen=True)
class WatchPlace:
    """Where the watched reply is, in words: the channel ("#general"), a link to the
    reply if there is one, and its writer's display name (for the moderators)."""

    where: str
    link: str | None
    author_name: str


@dataclass(frozen=True)
class ReportCard:
    """A report DM: its title, the words above the report, and whether it is about a
    reply still in the channel (a nudge: no post buttons)."""

    title: str
    intro: str
    watched: bool = False


@dataclass(frozen=True)
class WatchOutcome:
    """What happened: the DM with the text (or the nudge) arrived, the reply was removed,
    the moderators were told."""

    action: WatchAction
    delivered: bool = False
    removed: bool = False
    moderators_told: bool = False


class WatchPort(Protocol):
    """What the sequence needs from an adapter, about one watched reply."""

    #: The most characters one DM message takes.
    message_limit: int

    async def dm(self, pieces: Sequence[str], file: TextFile | None = None) -> bool:
        """DM the writer these messages in order (the file with the last); True only if
        every one arrived."""
        ...

    async def dm_report(self, draft: Draft, card: ReportCard) -> bool:
        """DM the writer the draft's report (with its buttons); True if it arrived."""
        ...

    async def remove(self) -> bool:
        """Take the reply down; True if it is gone."""
        ...

    async def tell_moderators(self, note: str) -> bool:
        """Tell the server's moderators (its report channel); True if someone was told."""
        ...


def give_back(where: str, text: str, limit: int) -> tuple[list[str], TextFile | None]:
    """The held text on its way back, whole: in the DM itself when it fits one message,
    otherwise attached as a text file exactly as written (issue 13, defect 10)."""
    inline = watch_hold_inline(where, text)
    if len(inline.strip()) <= limit:
        return [inline], None
    return [watch_hold_attached(where, len(text))], TextFile(GIVE_BACK_FILE, text)


async def run_watch(
    flow: AdviceFlowService, plan: WatchPlan, place: WatchPlace, port: WatchPort
) -> WatchOutcome:
    """Carry out a watch plan: a nudge DM, or a hold (see :func:`_hold`)."""
    if plan.draft is None or plan.action is WatchAction.NONE:
        return WatchOutcome(WatchAction.NONE)
    if plan.action is WatchAction.NUDGE:
        card = ReportCard(WATCH_NUDGE_TITLE, watch_nudge_intro(place.where, place.link), True)
        return WatchOutcome(plan.action, delivered=await port.dm_report(plan.draft, card))
    return await _hold(flow, plan, place, port)


async def _hold(
    flow: AdviceFlowService, plan: WatchPlan, place: WatchPlace, port: WatchPort
) -> WatchOutcome:
    """DM the full text first; remove the reply only if all of it arrived. Then offer
    to post it again, or say it is still up, or tell the moderators it was left."""
    assert plan.draft is not None
    pieces, file = give_back(place.where, plan.draft.text, port.message_limit)
    delivered = await port.dm(pieces, file)
    removed = plan.may_remove(delivered) and await port.remove()
    fresh = await flow.watch_outcome(plan, delivered, removed) or plan.draft
    told = False
    if removed:
        await port.dm_report(fresh, ReportCard(WATCH_HELD_TITLE, WATCH_HELD_EXPLAIN))
    elif delivered:
        await port.dm([WATCH_STILL_UP])
    else:
        note = watch_moderator_note(place.author_name, place.where, place.link)
        told = await port.tell_moderators(note)
    return WatchOutcome(plan.action, delivered, removed, told)
