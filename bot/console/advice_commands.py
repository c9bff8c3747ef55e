"""Console versions of Reply with care and watch mode, scriptable from stdin.

    advise I've just started running!         the post you are answering
    advise --tag "just started" Day one...     ...with the forum tags it carries
    draft You need a gait analysis first...    write your reply: checked, saved, reported
    post                                       post it as written   (post gentle: the gentler one)
    edit Welcome! How did it feel?             check a new text for the same post
    cancel | mistake                           keep it unposted | mark the report a false alarm
    watch hold "POST" "REPLY" [--dms-closed]   what watch mode would do with that reply,
                                               step by step, as a dry run (nothing stored)

The console's "channel" is the terminal: posting prints the reply as it would appear.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.advice_flow import (
    Draft,
    PostContext,
    PostPlan,
    Version,
    WatchAction,
    WatchedReply,
)
from bot.advice_flow.text import ATTRIBUTION, quote, report_body, report_title, status_note
from bot.advice_flow.watch import ReportCard, TextFile, WatchOutcome, WatchPlace, run_watch
from bot.console.app import ConsoleCommand, ConsoleContext, ConsoleUsageError
from bot.guild_config.model import AdvicePolicy

#: The console's pretend channel, so a draft has somewhere to be "posted".
CONSOLE_CHANNEL_ID = 1
CONSOLE_NAME = "you"
#: Where a watched reply is in the console's what-if, and the longest DM it lays out.
WATCH_WHERE = "#console"
DISCORD_MESSAGE_LIMIT = 2000  # as on Discord, so the what-if splits the same way


def plain(text: str) -> str:
    return text.replace("**", "")


@dataclass
class AdviceSession:
    """The post being answered and the current draft, for this console only."""

    post: PostContext | None = None
    draft_id: int | None = None

    def context(self, ctx: ConsoleContext, text: str, tags: tuple[str, ...]) -> PostContext:
        return PostContext(
            post_text=text,
            guild_id=ctx.guild_id,
            channel_id=CONSOLE_CHANNEL_ID,
            tags=tags,
        )


_TAG = re.compile(r"""^--tag\s+(?:"([^"]+)"|'([^']+)'|(\S+))\s*""")


def split_tags(args: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """``--tag NAME`` pairs (anywhere), and the other words."""
    tags: list[str] = []
    rest: list[str] = []
    words = iter(args)
    for word in words:
        if word != "--tag":
            rest.append(word)
            continue
        tag = next(words, None)
        if tag is None:
            raise ConsoleUsageError("--tag needs a tag name")
        tags.append(tag)
    return tuple(tags), rest


def split_tags_raw(line: str) -> tuple[tuple[str, ...], str]:
    """Leading ``--tag NAME`` (quoted if it has spaces) in free text, then the text."""
    tags: list[str] = []
    line = line.strip()
    while (match := _TAG.match(line)) is not None:
        tags.append(next(group for group in match.groups() if group))
        line = line[match.end() :]
    if line.startswith("--tag"):
        raise ConsoleUsageError("--tag needs a tag name")
    return tuple(tags), line


def show(ctx: ConsoleContext, draft: Draft) -> None:
    ctx.say(f"{report_title(draft).upper()} (draft {draft.id})")
    ctx.say(plain(report_body(draft)))
    note = status_note(draft)
    if note:
        ctx.say(plain(note))
    if draft.offers_gentler:
        ctx.say("Next: 'post gentle', 'post' (as written), 'edit NEW TEXT', 'cancel' or 'mistake'.")
    elif draft.is_open:
        ctx.say("Next: 'post', 'edit NEW TEXT' or 'cancel'.")


def commands() -> list[ConsoleCommand]:
    session = AdviceSession()
    return [
        *_compose_commands(session),
        *_draft_commands(session),
        _watch_command(session),
    ]


def _current(session: AdviceSession) -> int:
    if session.draft_id is None:
        raise ConsoleUsageError("no draft yet: 'advise POST' then 'draft REPLY'")
    return session.draft_id


def _compose_commands(session: AdviceSession) -> list[ConsoleCommand]:
    """advise and draft: choose the post being answered, then write a reply to it."""

    async def advise(ctx: ConsoleContext, args: list[str]) -> None:
        tags, text = split_tags_raw(" ".join(args))
        if not text:
            raise ConsoleUsageError("advise needs the text of the post you are answering")
        session.post = session.context(ctx, text, tags)
        session.draft_id = None
        ctx.say("Answering that post. Now write your reply with: draft YOUR REPLY")

    async def draft(ctx: ConsoleContext, args: list[str]) -> None:
        if session.post is None:
            raise ConsoleUsageError("first say which post you are answering: advise POST")
        made = await ctx.services.advice_flow.start(ctx.user_id, session.post, " ".join(args))
        session.draft_id = made.id
        show(ctx, await ctx.services.advice_flow.improve(made) or made)

    return [
        ConsoleCommand("advise", advise, raw=True),
        ConsoleCommand("draft", draft, raw=True),
    ]


def _draft_commands(session: AdviceSession) -> list[ConsoleCommand]:
    """post, edit, cancel and mistake: what to do with the current draft."""

    async def post(ctx: ConsoleContext, args: list[str]) -> None:
        choice = args[0].lower() if args else "as-written"
        versions = {"as-written": Version.AS_WRITTEN, "gentle": Version.GENTLER}
        if choice not in versions or len(args) > 1:
            raise ConsoleUsageError("post takes 'as-written' (the default) or 'gentle'")
        flow = ctx.services.advice_flow

        async def send(plan: PostPlan) -> None:
            return None  # the console "posts" by printing, below

        plan, _ = await flow.publish(
            _current(session), ctx.user_id, versions[choice], send, id_of=lambda _sent: None
        )
        ctx.say("Posted as a reply to that post:")
        ctx.say(quote(plan.text))
        ctx.say(f"— {ATTRIBUTION.format(name=CONSOLE_NAME)}")

    async def edit(ctx: ConsoleContext, args: list[str]) -> None:
        flow = ctx.services.advice_flow
        draft_id = _current(session)
        if not args:
            ctx.say("Your draft, to copy and change: edit NEW TEXT")
            ctx.say(quote((await flow.get_for(draft_id, ctx.user_id)).text))
            return
        revised = await flow.revise(draft_id, ctx.user_id, " ".join(args))
        show(ctx, await flow.improve(revised) or revised)

    async def cancel(ctx: ConsoleContext, args: list[str]) -> None:
        kept = await ctx.services.advice_flow.cancel(_current(session), ctx.user_id)
        ctx.say(plain(status_note(kept)))

    async def mistake(ctx: ConsoleContext, args: list[str]) -> None:
        first = await ctx.services.advice_flow.mistake(_current(session), ctx.user_id)
        ctx.say(
            "Recorded as a false alarm; moderators see it in config."
            if first
            else "Already marked as a false alarm."
        )

    return [
        ConsoleCommand("post", post),
        ConsoleCommand("edit", edit, raw=True),
        ConsoleCommand("cancel", cancel),
        ConsoleCommand("mistake", mistake),
    ]


class ConsoleWatchPort:
    """The watch sequence's port in the console: nothing leaves the terminal; each
    step is written down as what Discord would do. ``dms_closed`` plays a writer
    whose DMs are closed."""

    message_limit = DISCORD_MESSAGE_LIMIT

    def __init__(self, dms_closed: bool) -> None:
        self.dms_closed = dms_closed
        self.lines: list[str] = []

    def _not_delivered(self) -> bool:
        self.lines.append("DM to the writer: not delivered (their DMs are closed).")
        return False

    async def dm(self, pieces: Sequence[str], file: TextFile | None = None) -> bool:
        if self.dms_closed:
            return self._not_delivered()
        self.lines.append("DM to the writer:")
        self.lines.extend(quote(piece) for piece in pieces)
        if file is not None:
            self.lines.append(f"> (attached: {file.name}, {len(file.text):,} characters)")
        return True

    async def dm_report(self, draft: Draft, card: ReportCard) -> bool:
        if self.dms_closed:
            return self._not_delivered()
        self.lines.append(f"DM to the writer: {card.title}")
        self.lines.append(quote(plain(f"{card.intro}\n\n{report_body(draft)}")))
        return True

    async def remove(self) -> bool:
        self.lines.append("The reply is removed from the channel.")
        return True

    async def tell_moderators(self, note: str) -> bool:
        self.lines.append(f"To the report channel: {note}")
        return True


def watch_summary(outcome: WatchOutcome) -> str:
    """What watch mode did, in one line before the details."""
    if outcome.action is WatchAction.NUDGE:
        return (
            "nudge: the reply stays up; the writer gets a private note with the report "
            "and a gentler version"
            + (" (not sent: their DMs are closed)." if not outcome.delivered else ".")
        )
    if outcome.removed:
        return (
            "hold: the writer first gets their full text back by DM, then the reply is "
            "removed; they can post it again, as written or gentler, from the DM."
        )
    if outcome.delivered:
        return "hold: their text reached them by DM, but the reply couldn't be removed."
    return (
        "hold: the DM with their text can't be delivered (DMs closed), so the reply "
        "is left in place and the report channel is told."
    )


def _watch_command(session: AdviceSession) -> ConsoleCommand:
    """watch: what watch mode would do with a reply: the plan and the sequence Discord
    runs, as a dry run (nothing is stored, so the server's figures don't move)."""

    async def watch(ctx: ConsoleContext, args: list[str]) -> None:
        dms_closed = "--dms-closed" in args
        args = [a for a in args if a != "--dms-closed"]
        tags, args = split_tags(args)
        if len(args) != 3 or args[0] not in ("nudge", "hold"):
            raise ConsoleUsageError('watch nudge|hold "POST" "REPLY" [--dms-closed]')
        policy, post_text, text = AdvicePolicy(args[0]), args[1], args[2]
        flow = ctx.services.advice_flow
        reply = WatchedReply(
            session.context(ctx, post_text, tags), message_id=0, author_id=ctx.user_id, text=text
        )
        plan = await flow.plan_watch(reply, use_model=False, policy=policy, dry_run=True)
        score = f"score {plan.score:.2f}" if plan.score is not None else "not checked"
        if plan.action is WatchAction.NONE:
            why = plan.reasons[0] if plan.reasons else "not flagged"
            ctx.say(f"{why.capitalize()} ({score}): watch mode does nothing.")
            return
        ctx.say(f"Flagged ({score}; {', '.join(plan.reasons)}).")
        port = ConsoleWatchPort(dms_closed)
        outcome = await run_watch(flow, plan, WatchPlace(WATCH_WHERE, None, CONSOLE_NAME), port)
        ctx.say(watch_summary(outcome))
        for line in port.lines:
            ctx.say(line)

    return ConsoleCommand("watch", watch)
