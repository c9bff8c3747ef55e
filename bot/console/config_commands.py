"""The console version of /config, on the console's simulated server.

The console user acts as that server's owner, so every change is allowed and audited
under the console user's id, exactly as a moderator's change in Discord.
"""

from __future__ import annotations

import asyncio
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

USAGE = (
    "config show [SECTION] | keys | set KEY VALUE | reset [KEY|all] | export FILE | "
    "import FILE | history | false-alarms | feedback | feedback-export FILE"
)


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


async def config(ctx: ConsoleContext, args: list[str]) -> None:
    if not args:
        raise ConsoleUsageError("config needs an action")
    action, rest = args[0].lower(), args[1:]
    service = ctx.services.guild_config
    guild, user = ctx.guild_id, ctx.user_id
    if action == "show":
        if rest and rest[0] not in SECTIONS:
            raise ConsoleUsageError(f"sections are: {', '.join(SECTIONS)}")
        for line in show_lines(await service.get(guild), rest[0] if rest else None, "plain"):
            ctx.say(line)
    elif action == "keys":
        for spec in KEYS:
            ctx.say(f"{spec.path}: {spec.description} ({spec.hint()})")
    elif action == "set":
        if len(rest) < 2:
            raise ConsoleUsageError("config set needs a key and a value")
        try:
            update = await service.set_value(guild, rest[0], " ".join(rest[1:]), user)
        except ConfigError as exc:
            _problems(ctx, exc)
            return
        _report(ctx, update, "change")
    elif action == "reset":
        if not rest:
            ctx.say("This resets every setting; type 'config reset all' to confirm.")
            return
        key = None if rest[0].lower() == "all" else rest[0]
        try:
            update = await service.reset(guild, key, user)
        except ConfigError as exc:
            _problems(ctx, exc)
            return
        _report(ctx, update, "reset")
    elif action == "export":
        if len(rest) != 1:
            raise ConsoleUsageError("config export needs a file name")
        path = Path(rest[0])
        text = await service.export_file(guild)
        try:
            await asyncio.to_thread(path.write_text, text, encoding="utf-8")
        except OSError as exc:
            raise ConsoleUsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        ctx.say(f"Settings written to {path}.")
    elif action == "import":
        if len(rest) != 1:
            raise ConsoleUsageError("config import needs a file name")
        path = Path(rest[0])
        try:
            if path.stat().st_size > MAX_IMPORT_BYTES:
                ctx.say(
                    f"Nothing was changed: {path} is larger than {MAX_IMPORT_BYTES // 1024} KB."
                )
                return
            raw = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise ConsoleUsageError(f"cannot read {path}: {exc.strerror or exc}") from None
        try:
            update = await service.import_file(guild, raw, user)
        except ConfigError as exc:
            _problems(ctx, exc)
            return
        _report(ctx, update, "import")
    elif action == "history":
        lines = history_lines(await service.history(guild), style="plain")
        for line in lines or ["No setting has been changed yet."]:
            ctx.say(line)
    elif action == "false-alarms":
        alarms = await ctx.services.advice_flow.false_alarms(guild)
        for line in (await ctx.services.advice_flow.calibration(guild)).lines():
            ctx.say(line)
        for line in false_alarm_lines(list(alarms), style="plain") or [
            "Nobody has reported a false alarm yet."
        ]:
            ctx.say(line)
    elif action == "feedback":
        for line in (await ctx.services.asking.summary(guild)).lines():
            ctx.say(line)
    elif action == "feedback-export":
        if len(rest) != 1:
            raise ConsoleUsageError("config feedback-export needs a file name")
        path = Path(rest[0])
        data = await ctx.services.asking.evaluation_jsonl(guild)
        try:
            await asyncio.to_thread(path.write_bytes, data)
        except OSError as exc:
            raise ConsoleUsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        ctx.say(f"{len(data.splitlines())} feedback presses written to {path}.")
    else:
        raise ConsoleUsageError(f"unknown action {action!r}")


def commands() -> list[ConsoleCommand]:
    return [ConsoleCommand("config", USAGE, "this server's settings (as its owner)", config)]
