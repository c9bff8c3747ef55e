"""Console versions of Reply with care and watch mode, scriptable from stdin.

    advise I've just started running!         the post you are answering
    advise --tag "just started" Day one...     ...with the forum tags it carries
    draft You need a gait analysis first...    write your reply: checked, saved, reported
    post                                       post it as written   (post gentle: the gentler one)
    edit Welcome! How did it feel?             check a new text for the same post
    cancel | mistake                           keep it unposted | mark the report a false alarm
    watch hold "POST" "REPLY" [--dms-closed]   what watch mode would do with that reply

The console's "channel" is the terminal: posting prints the reply as it would appear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.advice_flow import (
    Draft,
    PostContext,
    PostPlan,
    Version,
    WatchAction,
    WatchPlan,
)
from bot.advice_flow.text import ATTRIBUTION, quote, report_body, report_title, status_note
from bot.console.app import ConsoleCommand, ConsoleContext, ConsoleUsageError
from bot.guild_config.model import AdvicePolicy

#: The console's pretend channel, so a draft has somewhere to be "posted".
CONSOLE_CHANNEL_ID = 1
CONSOLE_NAME = "you"


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
        ConsoleCommand("advise", "advise [--tag TAG]... POST", advise, raw=True),
        ConsoleCommand("draft", "draft REPLY", draft, raw=True),
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
        ConsoleCommand("post", "post [as-written|gentle]", post),
        ConsoleCommand("edit", "edit [NEW TEXT]", edit, raw=True),
        ConsoleCommand("cancel", "cancel", cancel),
        ConsoleCommand("mistake", "mistake", mistake),
    ]


def _watch_command(session: AdviceSession) -> ConsoleCommand:
    """watch: what watch mode would do with a reply, without a draft."""

    async def watch(ctx: ConsoleContext, args: list[str]) -> None:
        dms_closed = "--dms-closed" in args
        args = [a for a in args if a != "--dms-closed"]
        tags, args = split_tags(args)
        if len(args) != 3 or args[0] not in ("nudge", "hold"):
            raise ConsoleUsageError('watch nudge|hold "POST" "REPLY" [--dms-closed]')
        policy, post_text, reply = AdvicePolicy(args[0]), args[1], args[2]
        report = await ctx.services.advice_flow.check(session.context(ctx, post_text, tags), reply)
        if not report.flagged:
            ctx.say(f"Not flagged (score {report.score:.2f}): watch mode does nothing.")
            return
        codes = ", ".join(r.code for r in report.reasons)
        ctx.say(f"Flagged (score {report.score:.2f}; {codes}).")
        if policy is AdvicePolicy.NUDGE:
            ctx.say(
                "nudge: the reply stays up; the writer gets a private note with the report "
                "and a gentler version"
                + (" (not sent: their DMs are closed)." if dms_closed else ".")
            )
            return
        plan = WatchPlan(WatchAction.HOLD)
        if plan.may_remove(dm_delivered=not dms_closed):
            ctx.say(
                "hold: the writer first gets their full text back by DM, then the reply is "
                "removed; they can post it again, as written or gentler, from the DM."
            )
        else:
            ctx.say(
                "hold: the DM with their text can't be delivered (DMs closed), so the reply "
                "is left in place and the report channel is told."
            )

    return ConsoleCommand(
        "watch",
        'watch nudge|hold [--tag TAG]... "POST" "REPLY" [--dms-closed]',
        watch,
    )
