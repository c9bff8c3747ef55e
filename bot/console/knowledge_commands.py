"""Console versions of /ask (and the buttons under its answer), /note, /techniques
and /knowledge.

After ``ask``, ``another`` and ``unhelpful`` do what "Show another note" and "That
didn't help" do in Discord, and ``share`` posts a question that got the kind reply in
the server's help channel, through the same domain service.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

from bot.asking.text import SHARED_FOOTER, feedback_hint, mention
from bot.console.advice_commands import CONSOLE_NAME
from bot.console.app import CONSOLE_GUILD_NAME, ConsoleCommand, ConsoleContext, ConsoleUsageError
from bot.guidance import Where
from bot.note_text import note_line, note_markdown
from bot.wording import plural
from knowledge.note import NOTE_KINDS


def plain(text: str) -> str:
    """Discord markdown read badly in a terminal; keep the words."""
    return re.sub(r"(\*\*|__|`)", "", text)


@dataclass
class AskSession:
    """The last answer in this console, which 'another', 'unhelpful' and 'share' follow."""

    answer_id: int | None = None

    def current(self) -> int:
        if self.answer_id is None:
            raise ConsoleUsageError("ask a question first: ask QUESTION")
        return self.answer_id


def ask_commands() -> list[ConsoleCommand]:
    """ask, and the buttons under its answer as commands."""
    session = AskSession()

    async def ask(ctx: ConsoleContext, args: list[str]) -> None:
        question = " ".join(args).strip()
        if not question:
            raise ConsoleUsageError("ask needs a question")
        await ctx.services.knowledge_ready()
        reply = await ctx.services.asking.ask(
            question,
            user_id=ctx.user_id,
            guild_id=ctx.guild_id,
            where=Where(server_name=CONSOLE_GUILD_NAME),
            style="plain",
        )
        session.answer_id = reply.answer_id
        if reply.care.distress:
            ctx.say(reply.title.upper())
        ctx.say_markdown(reply.text, plain)
        if reply.offers_feedback:
            ctx.say(feedback_hint())
        elif reply.can_share:
            ctx.say("To post your question there, type: share")

    async def another(ctx: ConsoleContext, args: list[str]) -> None:
        await ctx.services.knowledge_ready()
        more = await ctx.services.asking.another(
            session.current(), ctx.user_id, Where(server_name=CONSOLE_GUILD_NAME)
        )
        ctx.say_markdown(more.text, plain)
        if more.note_id is not None:
            ctx.say(feedback_hint())

    async def unhelpful(ctx: ConsoleContext, args: list[str]) -> None:
        ctx.say(await ctx.services.asking.unhelpful(session.current(), ctx.user_id))

    async def share(ctx: ConsoleContext, args: list[str]) -> None:
        asking = ctx.services.asking
        plan = await asking.plan_share(session.current(), ctx.user_id, style="plain")
        await asking.shared(plan, None)
        where = mention(plan.channel_id, "channel", "plain")
        ctx.say(f"Posted in {where}, as it appears there:")
        ctx.say(plan.heading("plain"))
        ctx.say("> " + plan.question.replace("\n", "\n> "))
        ctx.say(f"— {SHARED_FOOTER.format(name=CONSOLE_NAME)}")

    return [
        ConsoleCommand("ask", ask, raw=True),
        ConsoleCommand("another", another),
        ConsoleCommand("unhelpful", unhelpful),
        ConsoleCommand("share", share),
    ]


async def note(ctx: ConsoleContext, args: list[str]) -> None:
    name = " ".join(args).strip().lower()
    if not name:
        raise ConsoleUsageError("note needs a note id or title")
    await ctx.services.knowledge_ready()
    knowledge = ctx.services.knowledge
    found = knowledge.get_note(name, guild_id=ctx.guild_id)
    if found is None:
        matches = [
            n
            for n in knowledge.list_notes(guild_id=ctx.guild_id)
            if name in n.title.lower() or name in n.id
        ]
        found = matches[0] if matches else None
    if found is None:
        ctx.say(f"No note matches {name!r}. Try 'techniques'.")
        return
    ctx.say(found.title.upper())
    ctx.say_markdown(note_markdown(found), plain)


async def techniques(ctx: ConsoleContext, args: list[str]) -> None:
    kind = next((a for a in args if a in NOTE_KINDS), None)
    tag = next((a for a in args if a not in NOTE_KINDS), None)
    await ctx.services.knowledge_ready()
    notes = ctx.services.knowledge.list_notes(kind=kind, tag=tag, guild_id=ctx.guild_id)
    if not notes:
        ctx.say("No notes match that kind and tag.")
        return
    for item in notes:
        ctx.say("- " + plain(note_line(item)))
    ctx.say(f"{plural(len(notes), 'note')}. Open one with: note ID-OR-TITLE")


async def knowledge(ctx: ConsoleContext, args: list[str]) -> None:
    if not args or args[0] not in ("add", "list", "remove"):
        raise ConsoleUsageError(
            "use 'knowledge add FILE.md', 'knowledge list' or 'knowledge remove ID'"
        )
    action, rest = args[0], args[1:]
    guild_knowledge = ctx.services.guild_knowledge
    await ctx.services.knowledge_ready()
    if action == "list":
        notes = await guild_knowledge.list(ctx.guild_id)
        for item in notes:
            ctx.say("- " + plain(note_line(item)))
        ctx.say(
            f"{len(notes)} server notes." if notes else "This server has no notes of its own yet."
        )
        return
    if len(rest) != 1:
        raise ConsoleUsageError(f"knowledge {action} takes exactly one argument")
    if action == "remove":
        removed = await guild_knowledge.remove(ctx.guild_id, rest[0])
        ctx.say(f"Removed {rest[0]}." if removed else f"This server has no note {rest[0]!r}.")
        return
    path = Path(rest[0])
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConsoleUsageError(
            f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    result = await guild_knowledge.add(ctx.guild_id, text, ctx.user_id, path.name)
    if result.note is None:
        ctx.say("The note was not added:")
        for problem in result.problems:
            ctx.say(f"- {problem}")
        return
    ctx.say(
        f"Note {result.note.title} ({result.note.id}) {'updated' if result.replaced else 'added'} for this server."
    )


def commands() -> list[ConsoleCommand]:
    return [
        *ask_commands(),
        ConsoleCommand("note", note),
        ConsoleCommand("techniques", techniques),
        ConsoleCommand("knowledge", knowledge),
    ]
