"""Console versions of /impossible, /crux, /exercise and /dialogue, scriptable from stdin.

The console plays every participant: ``as bob answer accept`` runs one command as bob
(people are known by name; "you" is the console user). Whatever the bot says is printed
as it would be sent, and marked delivered, exactly like the Discord adapter does.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.console.app import (
    CONSOLE_USER_ID,
    ConsoleCommand,
    ConsoleContext,
    ConsoleUsageError,
    Waiting,
    unquote,
    waiting_hint,
)
from bot.dialogues import DialogueError, DialogueInfo, Person, Place, Status
from bot.dialogues.exercise_lookup import describe_miss, find_exercise
from bot.rendering.summaries import summary_png

CONSOLE_NAME = "you"
_names: dict[int, str] = {CONSOLE_USER_ID: CONSOLE_NAME}


def person(name: str) -> Person:
    """A console person by name; the same name always gets the same id."""
    clean = name.strip().lower().lstrip("@")
    if clean in ("", CONSOLE_NAME, "me"):
        return Person(CONSOLE_USER_ID, CONSOLE_NAME)
    user_id = 1000 + zlib.crc32(clean.encode()) % 1_000_000_000
    _names[user_id] = clean
    return Person(user_id, clean)


def name_of(user_id: int) -> str:
    """The name a console person was introduced by (never a raw id when it is known)."""
    return _names.get(user_id, "someone")


def acting(ctx: ConsoleContext) -> Person:
    return Person(ctx.user_id, _names.get(ctx.user_id, f"user{ctx.user_id}"))


def plain(text: str) -> str:
    return re.sub(r"(\*\*|__|`|^-# )", "", text, flags=re.MULTILINE)


async def flush(ctx: ConsoleContext) -> None:
    """Print everything the dialogues still have to say, then mark it delivered."""
    svc = ctx.services.dialogues
    for delivery in await svc.pending_deliveries():
        delivery = await svc.prepare(delivery)
        tag = f"[#{delivery.dialogue.id}]"
        if delivery.kind == "answer":
            seat = delivery.meta.get("seat")
            who = delivery.dialogue.seats[seat].name if seat in delivery.dialogue.seats else "?"
            ctx.say_markdown(f"{tag} {who}: {delivery.text}", plain)
        elif delivery.kind == "summary":
            ctx.say(f"{tag} SUMMARY — {delivery.meta.get('title', '')}")
            ctx.say_markdown(delivery.text, plain)
            summary = await svc.summary(delivery.dialogue.id)
            if summary is not None:
                png = await summary_png(summary)
                if png is not None:
                    path = export_dir(ctx) / f"dialogue-{delivery.dialogue.id}.png"
                    path.write_bytes(png)
                    ctx.say(f"{tag} image: {path}")
        else:
            ctx.say_markdown(f"{tag} {delivery.text}", plain)
            prompt = delivery.prompt
            if prompt is not None:
                if prompt.choices:
                    options = " · ".join(f"{n} {c.label}" for n, c in enumerate(prompt.choices, 1))
                    ctx.say(f"{tag} (choose: {options})")
                if prompt.multi:
                    ctx.say(f"{tag} (several? one line here: separate them with ';')")
                who = delivery.dialogue.waiting_for(prompt)
                ctx.say(
                    f"{tag} → waiting for {who}"
                    + _hint(delivery.dialogue, prompt.seats, ctx.home_id)
                )
        await svc.mark_delivered(delivery.event_id)


def _hint(info: DialogueInfo, seats: tuple[str, ...], home_id: int) -> str:
    """When the person at the keyboard takes part, say that a plain line answers."""
    if home_id not in info.user_ids:
        return ""
    users = [info.seats[seat] for seat in seats if seat in info.seats]
    if not users:
        return ""
    mine = any(seat.user_id == home_id for seat in users)
    return f" ({waiting_hint(CONSOLE_NAME if mine else users[0].name)})"


def place(ctx: ConsoleContext) -> Place:
    """The console's server, so its moderators' settings (``config set``) apply."""
    return Place(guild_id=ctx.guild_id)


def export_dir(ctx: ConsoleContext) -> Path:
    path = ctx.services.settings.data_dir / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


async def _run(ctx: ConsoleContext, action: Awaitable[object]) -> None:
    try:
        await action
    except DialogueError as exc:
        raise ConsoleUsageError(str(exc)) from None
    finally:
        await flush(ctx)


async def impossible(ctx: ConsoleContext, args: list[str]) -> None:
    goal = " ".join(args).strip()
    if not goal:
        raise ConsoleUsageError("impossible needs a goal")
    await _run(ctx, ctx.services.dialogues.start_impossible(acting(ctx), goal, place(ctx)))


async def crux(ctx: ConsoleContext, args: list[str]) -> None:
    if len(args) < 2:
        raise ConsoleUsageError("crux needs a partner (or 'solo') and a claim")
    svc = ctx.services.dialogues
    if args[0].lower() == "solo":
        rest = args[1:]
        sides: tuple[str, str] | None = None
        if len(rest) > 1 and "/" in rest[0]:
            first, _, second = rest[0].partition("/")
            sides, rest = (first, second), rest[1:]
        await _run(ctx, svc.start_crux(acting(ctx), None, " ".join(rest), place(ctx), sides=sides))
        return
    await _run(ctx, svc.start_crux(acting(ctx), person(args[0]), " ".join(args[1:]), place(ctx)))


async def exercise(ctx: ConsoleContext, args: list[str]) -> None:
    await ctx.services.knowledge_ready()
    notes = [n for n in ctx.services.knowledge.list_notes(guild_id=ctx.guild_id) if n.steps]
    wanted = " ".join(args).strip()
    # Discord's option syntax, as people copy it: exercise name:"resolve cycle"
    wanted = unquote(wanted.removeprefix("name:")) if wanted.startswith("name:") else wanted
    if not wanted:
        for item in notes:
            ctx.say(f"- {item.title}")
        ctx.say("Start one with: exercise NAME (e.g. exercise resolve cycle)")
        return
    lookup = find_exercise(notes, wanted)
    if lookup.note is None:
        raise ConsoleUsageError(describe_miss(wanted, lookup) + " 'exercise' lists them.")
    await _run(ctx, ctx.services.dialogues.start_exercise(acting(ctx), lookup.note, place(ctx)))


async def _current(ctx: ConsoleContext, wanted: str | None = None) -> DialogueInfo:
    svc = ctx.services.dialogues
    if wanted:
        try:
            return await svc.get(int(wanted.lstrip("#")))
        except ValueError:
            raise ConsoleUsageError(f"{wanted!r} is not a dialogue number") from None
        except DialogueError as exc:
            raise ConsoleUsageError(str(exc)) from None
    info = await svc.target_for(ctx.user_id, None)  # the console has no channels
    if info is None:
        raise ConsoleUsageError(f"{acting(ctx).name} has no dialogue")
    return info


async def answer(ctx: ConsoleContext, args: list[str]) -> None:
    text = " ".join(args).strip()
    if not text:
        raise ConsoleUsageError("answer needs some text")
    info = await _current(ctx)
    await _run(ctx, ctx.services.dialogues.answer(info.id, ctx.user_id, text, echo=False))


def _answerer(dialogue_id: int, user_id: int) -> Callable[[ConsoleContext, str], Awaitable[None]]:
    async def answer_line(ctx: ConsoleContext, line: str) -> None:
        await _run(ctx, ctx.services.dialogues.answer(dialogue_id, user_id, line, echo=False))

    return answer_line


async def waiting(ctx: ConsoleContext) -> Waiting | None:
    """The open question a plain line answers: the acting person's own first; else, since
    the console plays everyone, the partner's in a dialogue the acting person is in."""
    svc = ctx.services.dialogues
    mine = [d for d in await svc.open_for_user(ctx.user_id) if d.status == Status.ACTIVE.value]
    other: Waiting | None = None
    for info in mine:
        prompt = await svc.current_prompt(info.id)
        if prompt is None:
            continue
        seats = [info.seats[seat] for seat in prompt.seats if seat in info.seats]
        if any(seat.user_id == ctx.user_id for seat in seats):
            return Waiting(acting(ctx).name, _answerer(info.id, ctx.user_id))
        if other is None and seats:
            other = Waiting(seats[0].name, _answerer(info.id, seats[0].user_id))
    return other


async def dialogue(ctx: ConsoleContext, args: list[str]) -> None:
    if not args:
        raise ConsoleUsageError("use dialogue answer|list|export|pause|resume|end|sweep")
    action, rest = args[0].lower(), args[1:]
    svc = ctx.services.dialogues
    if action == "answer":
        await answer(ctx, rest)
    elif action == "list":
        mine = await svc.open_for_user(ctx.user_id)
        for info in mine:
            ctx.say(f"#{info.id} {info.kind} ({info.status}): {info.title}")
        if not mine:
            ctx.say("No open dialogues.")
    elif action == "export":
        info = await _current(ctx, rest[0] if rest else None)
        text = await svc.export_markdown(info.id, ctx.user_id)
        path = export_dir(ctx) / f"dialogue-{info.id}.md"
        path.write_text(text, encoding="utf-8")
        ctx.say(text)
        ctx.say(f"(saved to {path})")
    elif action in ("pause", "resume", "end"):
        info = await _current(ctx, rest[0] if rest else None)
        await _run(ctx, getattr(svc, action)(info.id, ctx.user_id))
    elif action == "sweep":
        report = await svc.sweep()
        ctx.say(f"reminded {len(report.reminded)}, expired {len(report.expired)}")
        await flush(ctx)
    else:
        raise ConsoleUsageError(f"unknown dialogue action {action!r}")


async def as_person(ctx: ConsoleContext, args: list[str]) -> None:
    """``as NAME COMMAND ...``: run one command as another participant."""
    if len(args) < 2:
        raise ConsoleUsageError("as needs a name and a command")
    from bot.console.registry import all_commands

    commands = ctx.commands or {c.name: c for c in all_commands()}
    who = person(args[0])
    name, rest = args[1].lower().lstrip("/"), args[2:]
    if name not in commands:
        name, rest = "answer", args[1:]  # "as bob accept" answers as bob
    previous = ctx.user_id
    ctx.user_id = who.user_id
    try:
        await commands[name].handler(ctx, rest)
    finally:
        ctx.user_id = previous


def commands() -> list[ConsoleCommand]:
    return [
        ConsoleCommand("impossible", impossible),
        ConsoleCommand("crux", crux),
        ConsoleCommand("exercise", exercise),
        ConsoleCommand("answer", answer, raw=True),
        ConsoleCommand("dialogue", dialogue),
        ConsoleCommand("as", as_person),
    ]
