"""The advice flow: drafts checked before posting, watch mode, and false alarms.

The checker (``bot.advice``) judges one text; this service decides everything around
it: which sensitivity and intent apply in a server, saving every draft before its
report is shown, who may press which button, what gets published, what watch mode
does, and what a moderator sees as false alarms.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TypeVar

from bot.advice import AdviceChecker, AdviceReport, Intent
from bot.advice_flow.calibration import Calibration
from bot.advice_flow.gentler_model import gentler_from_model
from bot.advice_flow.links import intent_from_tags
from bot.advice_flow.model import (
    MAX_DRAFT_CHARS,
    Draft,
    DraftStatus,
    FalseAlarm,
    FlowRefused,
    PostContext,
    PostPlan,
    ReceivedDraft,
    Version,
    WatchAction,
    WatchedReply,
    WatchPlan,
)
from bot.advice_flow.reach import NOT_HERE, config_guild, may_publish_here
from bot.advice_flow.second_opinion import second_opinion
from bot.advice_flow.store import DraftStore
from bot.guild_config import GuildConfigService
from bot.guild_config.model import AdviceConfig, AdvicePolicy
from bot.llm import ModelGateway
from bot.text_input import EMPTY_TEXT_MESSAGE, has_visible_text, trim

log = logging.getLogger(__name__)

#: What an adapter's send returns (a Discord message; nothing in the console).
SentT = TypeVar("SentT")

#: Seconds the interactive flow waits for a model-written gentler version.
DEFAULT_MODEL_BUDGET = 2.0

_POSTABLE = (DraftStatus.DRAFT, DraftStatus.CANCELLED, DraftStatus.HELD)

NOT_YOURS = "Only the person who wrote this draft can use these buttons."
GONE = "That draft no longer exists."


@dataclass
class AdviceFlowService:
    store: DraftStore
    guild_config: GuildConfigService
    model: ModelGateway
    model_budget: float = DEFAULT_MODEL_BUDGET
    #: Told every verdict (flagged or not), e.g. to count them in the metrics.
    on_verdict: Callable[[bool], None] | None = None
    #: This process's name, written as the owner of the drafts it checks or posts.
    worker: str = "local"
    #: Whether a process (by name) still runs (bot.ops.liveness). Without it, every
    #: named process counts as running: only our own unfinished drafts are recovered.
    alive: Callable[[str | None], Awaitable[bool]] | None = None
    #: Drafts this process is checking or posting right now (not orphans).
    _busy: set[int] = field(default_factory=set, init=False)

    # --- what applies where --------------------------------------------------------

    async def advice_config(self, guild_id: int | None) -> AdviceConfig:
        if guild_id is None:
            return AdviceConfig()
        return (await self.guild_config.get(guild_id)).advice

    async def check(self, context: PostContext, text: str) -> AdviceReport:
        """The checker's verdict with the server's sensitivity and mapped forum tags.

        Tags a moderator mapped win; otherwise the checker infers intent from the post.
        The check itself is pure CPU (milliseconds), run off the event loop anyway. On a
        close call, a configured model's second opinion decides (see second_opinion).
        """
        config = await self.advice_config(config_guild(context))
        intent = intent_from_tags(context.tags, config.sharing_tags, config.details_tags)
        if intent is Intent.UNKNOWN and context.stated_intent:
            intent = Intent(context.stated_intent)  # the writer's answer in the form
        checker = AdviceChecker(config.sensitivity)
        report = await asyncio.to_thread(checker.check, context.post_text, text, intent)
        opinion = await second_opinion(
            self.model,
            context.post_text,
            text,
            report,
            self.model_budget,
            guild_id=config_guild(context),
        )
        if opinion is not None:
            report = await asyncio.to_thread(
                partial(
                    checker.check,
                    context.post_text,
                    text,
                    intent,
                    second_opinion=(opinion.overwhelming, opinion.reason),
                )
            )
        if self.on_verdict is not None:
            self.on_verdict(report.flagged)
        return report

    # --- drafting ------------------------------------------------------------------

    async def start(self, author_id: int, context: PostContext, text: str) -> Draft:
        """Save the draft, then check it. The text is stored before anything can fail."""
        text = _valid_text(text)
        draft_id = await self.store.create(author_id, context, text, DraftStatus.DRAFT.value)
        report = await self.check(context, text)
        return await self.store.set_report(draft_id, report, report.suggestion, "checker")

    async def receive(self, author_id: int, context: PostContext, text: str) -> int:
        """Store a submitted text, with what is known of the post, before anything else.

        The adapter calls this before acknowledging and before any network call: a
        process killed after it loses nothing, :meth:`unfinished_checks` finds it again.
        """
        text = _valid_text(text)
        draft_id = await self.store.create(
            author_id, context, text, DraftStatus.RECEIVED.value, owner=self.worker
        )
        self._busy.add(draft_id)
        return draft_id

    async def finish(self, draft_id: int, context: PostContext) -> Draft:
        """Check a received text against the post as now known; the report is stored."""
        try:
            received = await self.store.received(draft_id)
            if received is None:  # already finished (by a recovery), or gone
                draft = await self.store.get(draft_id)
                if draft is None:
                    raise FlowRefused(GONE)
                return draft
            report = await self.check(context, received.text)
            return await self.store.set_report(
                draft_id,
                report,
                report.suggestion,
                "checker",
                status=DraftStatus.DRAFT,
                context=context,
            )
        finally:
            self._busy.discard(draft_id)

    async def abandon(self, draft_id: int) -> None:
        """The post is gone: a received text can never be its reply (it was given back)."""
        await self.store.transition(
            draft_id, (DraftStatus.RECEIVED,), DraftStatus.CANCELLED, owner=None
        )
        self._busy.discard(draft_id)

    async def _alive(self, name: str | None) -> bool:
        if self.alive is not None:
            return await self.alive(name)
        return name is not None

    async def _orphans(self, status: DraftStatus) -> list[int]:
        claimed = await self.store.claim_orphans(status, self.worker, self._alive, self._busy)
        self._busy.update(claimed)
        return claimed

    def later(self, draft_id: int) -> None:
        """A recovery could not finish now (e.g. Discord unreachable): try it next time."""
        self._busy.discard(draft_id)

    async def unfinished_checks(self) -> list[ReceivedDraft]:
        """Stored texts whose check never finished (their process stopped), now ours."""
        claimed = await self._orphans(DraftStatus.RECEIVED)
        found = [await self.store.received(draft_id) for draft_id in claimed]
        received = [r for r in found if r is not None]
        for draft_id in set(claimed) - {r.id for r in received}:
            self._busy.discard(draft_id)
        return received

    async def stuck_posting(self) -> list[Draft]:
        """Drafts left ``posting`` by a process that stopped, now ours to reconcile."""
        claimed = await self._orphans(DraftStatus.POSTING)
        found = [await self.store.get(draft_id) for draft_id in claimed]
        stuck = [d for d in found if d is not None and d.status is DraftStatus.POSTING]
        for draft_id in set(claimed) - {d.id for d in stuck}:
            self._busy.discard(draft_id)
        return stuck

    async def reconcile(self, draft: Draft, posted_message_id: int | None) -> Draft:
        """A ``posting`` draft after looking at its channel.

        Found there (see :meth:`Draft.published_as`): it is posted. Not found: nothing
        went out, so it is open again, text intact, and every button works.
        """
        if posted_message_id is not None:
            await self.store.transition(
                draft.id,
                (DraftStatus.POSTING,),
                DraftStatus.POSTED,
                posted_message_id=posted_message_id,
                owner=None,
            )
        else:
            await self.store.transition(
                draft.id, (DraftStatus.POSTING,), DraftStatus.DRAFT, owner=None
            )
        self._busy.discard(draft.id)
        return await self.store.get(draft.id) or draft

    async def revise(self, draft_id: int, user_id: int, text: str) -> Draft:
        """Check a new text for the same post; the draft becomes open again."""
        draft = await self.get_for(draft_id, user_id)
        if draft.status not in _POSTABLE:
            raise FlowRefused(_closed_message(draft))
        text = _valid_text(text)
        report = await self.check(draft.context, text)
        return await self.store.set_report(
            draft_id, report, report.suggestion, "checker", text=text, status=DraftStatus.DRAFT
        )

    async def improve(self, draft: Draft, budget: float | None = None) -> Draft | None:
        """Let the model write the gentler version, if one is configured and answers in time.

        Returns the updated draft, or None when the checker's version stays. The
        verdict never changes: only the wording of the offered alternative.
        """
        if not draft.report.flagged or not self.model.available:
            return None
        text = await gentler_from_model(
            self.model,
            draft.context.post_text,
            draft.text,
            draft.report,
            self.model_budget if budget is None else budget,
            guild_id=draft.context.guild_id,
        )
        if text is None:
            return None
        current = await self.store.get(draft.id)
        if current is None or current.text != draft.text:
            return None  # edited meanwhile: this rewrite is of an older text
        return await self.store.set_report(draft.id, current.report, text, "model")

    async def get_for(self, draft_id: int, user_id: int) -> Draft:
        """The draft, if ``user_id`` wrote it; otherwise a refusal to show them."""
        draft = await self.store.get(draft_id)
        if draft is None:
            raise FlowRefused(GONE)
        if draft.author_id != user_id:
            raise FlowRefused(NOT_YOURS)
        return draft

    async def saved_text(self, draft_id: int, user_id: int) -> str | None:
        """The stored text of a draft by ``user_id``, even if its report is unreadable."""
        saved = await self.store.saved_text(draft_id)
        return saved.text if saved is not None and saved.author_id == user_id else None

    # --- the buttons ---------------------------------------------------------------

    async def publish(
        self,
        draft_id: int,
        user_id: int,
        version: Version,
        send: Callable[[PostPlan], Awaitable[SentT]],
        id_of: Callable[[SentT], int | None],
        from_channel_id: int | None = None,
    ) -> tuple[PostPlan, SentT]:
        """Post a draft at most once: claim it, let the adapter send it, then confirm.

        A send that fails (or is cancelled) opens the draft again with its text intact,
        and its exception goes on to the adapter. Discord and the console both post
        through here, so "at most once" is written once.
        """
        plan = await self.claim_post(draft_id, user_id, version, from_channel_id)
        try:
            sent = await send(plan)
        except BaseException:
            await self.post_failed(plan)
            raise
        await self.posted(plan, id_of(sent))
        return plan, sent

    async def claim_post(
        self,
        draft_id: int,
        user_id: int,
        version: Version,
        from_channel_id: int | None = None,
    ) -> PostPlan:
        """Reserve the draft for publishing (at most once) and say what to publish.

        ``from_channel_id`` is where the post button was pressed: where the bot is not
        a member, the reply can only be published there (see reach.may_publish_here).
        """
        draft = await self.get_for(draft_id, user_id)
        if draft.status not in _POSTABLE:
            raise FlowRefused(_closed_message(draft))
        if not may_publish_here(draft.context, from_channel_id):
            raise FlowRefused(NOT_HERE)
        if version is Version.GENTLER and not draft.offers_gentler:
            raise FlowRefused("There is no gentler version of this draft; post it as written.")
        if draft.context.channel_id is None:
            raise FlowRefused("This draft has no channel to post in.")
        if not await self.store.transition(
            draft_id, _POSTABLE, DraftStatus.POSTING, owner=self.worker
        ):
            raise FlowRefused("This draft is already being posted.")
        self._busy.add(draft_id)
        text = draft.gentle_text if version is Version.GENTLER else draft.text
        return PostPlan(
            draft_id=draft.id,
            author_id=draft.author_id,
            text=text,
            version=version,
            guild_id=draft.context.guild_id,
            channel_id=draft.context.channel_id,
            post_message_id=draft.context.post_message_id,
            bot_present=draft.context.bot_present,
        )

    async def posted(self, plan: PostPlan, message_id: int | None) -> None:
        await self.store.transition(
            plan.draft_id,
            (DraftStatus.POSTING,),
            DraftStatus.POSTED,
            posted_message_id=message_id,
            owner=None,
        )
        self._busy.discard(plan.draft_id)

    async def post_failed(self, plan: PostPlan) -> None:
        """Sending failed: the draft is open again, text intact, to retry or copy."""
        await self.store.transition(
            plan.draft_id, (DraftStatus.POSTING,), DraftStatus.DRAFT, owner=None
        )
        self._busy.discard(plan.draft_id)

    async def cancel(self, draft_id: int, user_id: int) -> Draft:
        """Nothing is posted; the draft is kept so it can be edited again later."""
        draft = await self.get_for(draft_id, user_id)
        if draft.status is DraftStatus.CANCELLED:
            return draft
        if draft.status is not DraftStatus.DRAFT:
            raise FlowRefused(_closed_message(draft))
        await self.store.transition(draft_id, (DraftStatus.DRAFT,), DraftStatus.CANCELLED)
        return await self.get_for(draft_id, user_id)

    async def mistake(self, draft_id: int, user_id: int) -> bool:
        """Record that this report was a false alarm; True the first time."""
        draft = await self.get_for(draft_id, user_id)
        if not draft.report.flagged:
            raise FlowRefused("This reply wasn't flagged, so there is no alarm to mark.")
        return await self.store.record_false_alarm(
            FalseAlarm(
                guild_id=draft.context.guild_id,
                user_id=user_id,
                draft_id=draft.id,
                post_text=draft.context.post_text,
                reply_text=draft.text,
                score=draft.report.score,
            )
        )

    async def calibration(self, guild_id: int | None) -> Calibration:
        """This server's false-alarm rate and a suggested sensitivity."""
        flagged, mistakes = await self.store.flag_counts(guild_id)
        config = await self.advice_config(guild_id)
        return Calibration(flagged, mistakes, config.sensitivity)

    async def false_alarms(self, guild_id: int | None, limit: int = 50) -> list[FalseAlarm]:
        """Reports writers marked as mistakes in a server, newest first (for /config)."""
        return await self.store.false_alarms(guild_id, limit)

    # --- watch mode ----------------------------------------------------------------

    async def policy(self, guild_id: int, channel_id: int, parent_id: int | None) -> AdvicePolicy:
        """Cheap (cached config): the listener asks this before fetching anything."""
        config = await self.advice_config(guild_id)
        return config.policy_for(channel_id, parent_id)

    async def plan_watch(
        self,
        reply: WatchedReply,
        *,
        use_model: bool = True,
        policy: AdvicePolicy | None = None,
        dry_run: bool = False,
    ) -> WatchPlan:
        """What watch mode does about a reply that was just posted.

        Nothing is stored unless the reply is flagged in a watched channel; a flagged
        reply is saved (as the writer's draft) before any DM or removal happens.
        ``policy`` overrides the channel's, and ``dry_run`` stores nothing: the console
        asks what watch mode would do without a draft counting in the server's figures.
        """
        context = reply.context
        if context.guild_id is None or context.channel_id is None:
            return WatchPlan(WatchAction.NONE, reasons=("not in a server",))
        if policy is None:
            policy = await self.policy(context.guild_id, context.channel_id, context.parent_id)
        if policy is AdvicePolicy.OFF:
            return WatchPlan(WatchAction.NONE, reasons=("watch mode is off here",))
        if reply.author_is_bot:
            return WatchPlan(WatchAction.NONE, reasons=("written by a bot",))
        if context.post_author_id is not None and context.post_author_id == reply.author_id:
            return WatchPlan(WatchAction.NONE, reasons=("a reply to their own post",))
        if not has_visible_text(reply.text) or not has_visible_text(context.post_text):
            return WatchPlan(WatchAction.NONE, reasons=("nothing to compare",))
        report = await self.check(context, reply.text)
        if not report.flagged:
            return WatchPlan(WatchAction.NONE, reasons=("not flagged",), score=report.score)
        action = WatchAction.HOLD if policy is AdvicePolicy.HOLD else WatchAction.NUDGE
        reasons = tuple(r.code for r in report.reasons)
        if dry_run:
            draft = Draft(
                id=0,
                author_id=reply.author_id,
                context=context,
                text=reply.text,
                report=report,
                gentle_text=report.suggestion,
                gentle_source="checker",
                status=DraftStatus.WATCHED,
            )
            return WatchPlan(action, draft, reasons, stored=False, score=report.score)
        draft_id = await self.store.create(
            reply.author_id, context, reply.text, DraftStatus.WATCHED.value
        )
        draft = await self.store.set_report(draft_id, report, report.suggestion, "checker")
        if use_model:
            draft = await self.improve(draft) or draft
        return WatchPlan(action, draft, reasons, score=report.score)

    async def watch_outcome(
        self, plan: WatchPlan, dm_delivered: bool, removed: bool
    ) -> Draft | None:
        """Remember what happened: held replies can then be posted again from the DM.

        Returns the draft as it now stands (only changed for a hold), or None without one.
        """
        if plan.draft is None or plan.action is not WatchAction.HOLD:
            return plan.draft
        status = DraftStatus.HELD if removed else DraftStatus.KEPT
        if not plan.stored:
            return replace(plan.draft, status=status)
        await self.store.transition(plan.draft.id, (DraftStatus.WATCHED,), status)
        return await self.store.get(plan.draft.id) or replace(plan.draft, status=status)


def _valid_text(text: str) -> str:
    if not text.strip():
        raise FlowRefused("Your reply is empty; write something first.")
    if not has_visible_text(text):
        raise FlowRefused(f"Your reply: {EMPTY_TEXT_MESSAGE}")
    text = trim(text)
    if len(text) > MAX_DRAFT_CHARS:
        raise FlowRefused(
            f"Your reply is {len(text)} characters; the limit is {MAX_DRAFT_CHARS}. "
            "Shorten it and try again."
        )
    return text


def _closed_message(draft: Draft) -> str:
    return {
        DraftStatus.POSTED: "This draft was already posted.",
        DraftStatus.POSTING: "This draft is being posted right now.",
        DraftStatus.CANCELLED: "This draft was cancelled; use Edit again to reopen it.",
        DraftStatus.WATCHED: "This reply is already in the channel.",
        DraftStatus.KEPT: "This reply is already in the channel.",
    }.get(draft.status, "This draft can't be changed any more.")
