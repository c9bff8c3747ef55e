"""Console versions of /ask, /note, /techniques and /knowledge."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from bot.console.app import CONSOLE_GUILD_NAME, ConsoleCommand, ConsoleContext, ConsoleUsageError
from bot.guidance import Where
from bot.note_text import note_line, note_markdown
from bot.wording import plural
from knowledge.note import NOTE_KINDS


def plain(text: str) -> str:
    """Discord markdown read badly in a terminal; keep the words."""
    return re.sub(r"(\*\*|__|`)", "", text)


async def ask(ctx: ConsoleContext, args: list[str]) -> None:
    question = " ".join(args).strip()
    if not question:
        raise ConsoleUsageError("ask needs a question")
    await ctx.services.knowledge_ready()
    guidance = await ctx.services.guidance.ask(
        question, guild_id=ctx.guild_id, where=Where(server_name=CONSOLE_GUILD_NAME)
    )
    ctx.say_markdown(guidance.text, plain)


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
        ConsoleCommand(
            "ask", "ask QUESTION", "guidance from the notes, with citations", ask, raw=True
        ),
        ConsoleCommand("note", "note ID-OR-TITLE", "show one note", note),
        ConsoleCommand("techniques", "techniques [KIND] [TAG]", "browse the library", techniques),
        ConsoleCommand(
            "knowledge",
            "knowledge add FILE.md | list | remove ID",
            "the server's own notes",
            knowledge,
        ),
    ]
