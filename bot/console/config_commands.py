"""The console version of /config, on the console's simulated server.

The console user acts as that server's owner, so every change is allowed and audited
under the console user's id, exactly as a moderator's change in Discord.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.console.app import ConsoleCommand, ConsoleContext, ConsoleUsageError
from bot.guild_config import KEYS, ConfigError
from bot.guild_config.keys import SECTIONS
from bot.guild_config.render import (
    MAX_IMPORT_BYTES,
    change_lines,
    false_alarm_lines,
    history_lines,
    show_lines,
)
from bot.guild_config.service import Update


def _report(ctx: ConsoleContext, update: Update, verb: str) -> None:
    if not update.changes:
        ctx.say(f"Nothing to {verb}: every value already was as asked.")
        return
    for line in change_lines(update.changes, style="plain"):
        ctx.say(line)


def _problems(ctx: ConsoleContext, error: ConfigError) -> None:
    ctx.problem("Nothing was changed:")
    for problem in error.problems:
        ctx.say(f"- {problem}")


async def _show(ctx: ConsoleContext, rest: list[str]) -> None:
    if rest and rest[0] not in SECTIONS:
        raise ConsoleUsageError(f"sections are: {', '.join(SECTIONS)}")
    settings = await ctx.services.guild_config.get(ctx.guild_id)
    for line in show_lines(settings, rest[0] if rest else None, "plain"):
        ctx.say(line)


async def _keys(ctx: ConsoleContext, rest: list[str]) -> None:
    for spec in KEYS:
        ctx.say(f"{spec.path}: {spec.description} ({spec.hint()})")


async def _set(ctx: ConsoleContext, rest: list[str]) -> None:
    if len(rest) < 2:
        raise ConsoleUsageError("config set needs a key and a value")
    service = ctx.services.guild_config
    try:
        update = await service.set_value(ctx.guild_id, rest[0], " ".join(rest[1:]), ctx.user_id)
    except ConfigError as exc:
        _problems(ctx, exc)
        return
    _report(ctx, update, "change")


async def _reset(ctx: ConsoleContext, rest: list[str]) -> None:
    if not rest:
        ctx.say("This resets every setting; type 'config reset all' to confirm.")
        return
    key = None if rest[0].lower() == "all" else rest[0]
    try:
        update = await ctx.services.guild_config.reset(ctx.guild_id, key, ctx.user_id)
    except ConfigError as exc:
        _problems(ctx, exc)
        return
    _report(ctx, update, "reset")


async def _export(ctx: ConsoleContext, rest: list[str]) -> None:
    if len(rest) != 1:
        raise ConsoleUsageError("config export needs a file name")
    path = Path(rest[0])
    text = await ctx.services.guild_config.export_file(ctx.guild_id)
    try:
        await asyncio.to_thread(path.write_text, text, encoding="utf-8")
    except OSError as exc:
        raise ConsoleUsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    ctx.say(f"Settings written to {path}.")


async def _import(ctx: ConsoleContext, rest: list[str]) -> None:
    if len(rest) != 1:
        raise ConsoleUsageError("config import needs a file name")
    path = Path(rest[0])
    try:
        if (await asyncio.to_thread(path.stat)).st_size > MAX_IMPORT_BYTES:
            ctx.say(f"Nothing was changed: {path} is larger than {MAX_IMPORT_BYTES // 1024} KB.")
            return
        raw = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise ConsoleUsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        update = await ctx.services.guild_config.import_file(ctx.guild_id, raw, ctx.user_id)
    except ConfigError as exc:
        _problems(ctx, exc)
        return
    _report(ctx, update, "import")


async def _history(ctx: ConsoleContext, rest: list[str]) -> None:
    lines = history_lines(await ctx.services.guild_config.history(ctx.guild_id), style="plain")
    for line in lines or ["No setting has been changed yet."]:
        ctx.say(line)


async def _false_alarms(ctx: ConsoleContext, rest: list[str]) -> None:
    guild = ctx.guild_id
    alarms = await ctx.services.advice_flow.false_alarms(guild)
    for line in (await ctx.services.advice_flow.calibration(guild)).lines():
        ctx.say(line)
    for line in false_alarm_lines(list(alarms), style="plain") or [
        "Nobody has reported a false alarm yet."
    ]:
        ctx.say(line)


async def _feedback(ctx: ConsoleContext, rest: list[str]) -> None:
    for line in (await ctx.services.asking.summary(ctx.guild_id)).lines():
        ctx.say(line)


async def _feedback_export(ctx: ConsoleContext, rest: list[str]) -> None:
    if len(rest) != 1:
        raise ConsoleUsageError("config feedback-export needs a file name")
    path = Path(rest[0])
    data = await ctx.services.asking.evaluation_jsonl(ctx.guild_id)
    try:
        await asyncio.to_thread(path.write_bytes, data)
    except OSError as exc:
        raise ConsoleUsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    ctx.say(f"{len(data.splitlines())} feedback presses written to {path}.")


_ACTIONS: dict[str, Callable[[ConsoleContext, list[str]], Awaitable[None]]] = {
    "show": _show,
    "keys": _keys,
    "set": _set,
    "reset": _reset,
    "export": _export,
    "import": _import,
    "history": _history,
    "false-alarms": _false_alarms,
    "feedback": _feedback,
    "feedback-export": _feedback_export,
}


async def config(ctx: ConsoleContext, args: list[str]) -> None:
    if not args:
        raise ConsoleUsageError("config needs an action")
    action, rest = args[0].lower(), args[1:]
    handler = _ACTIONS.get(action)
    if handler is None:
        raise ConsoleUsageError(f"unknown action {action!r}")
    await handler(ctx, rest)


def commands() -> list[ConsoleCommand]:
    return [ConsoleCommand("config", config)]
