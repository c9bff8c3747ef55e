"""A line-oriented console that drives the same domain services as the Discord bot.

It reads commands from standard input so it can be scripted
(``printf 'about\\nquit\\n' | touchstone console``); it shows a prompt only when a
person is typing at a terminal.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TextIO

from bot.about import ABOUT_TEXT, help_text
from bot.services import Services

log = logging.getLogger(__name__)

#: The simulated people and server of the console, so server-scoped features work offline.
CONSOLE_USER_ID = 1
CONSOLE_GUILD_ID = 1
CONSOLE_GUILD_NAME = "Console server"


class ConsoleUsageError(Exception):
    """Bad arguments to a console command; shown as one line, the console keeps going."""


@dataclass
class ConsoleContext:
    services: Services
    out: TextIO
    user_id: int = CONSOLE_USER_ID
    guild_id: int = CONSOLE_GUILD_ID

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)


Handler = Callable[[ConsoleContext, list[str]], Awaitable[None]]


@dataclass(frozen=True)
class ConsoleCommand:
    name: str
    usage: str
    summary: str
    handler: Handler
    #: Free-text commands get the rest of the line as one argument, untouched by
    #: shell quoting (so "answer I don't know" works).
    raw: bool = False


#: Tries to handle a line that is not a command (e.g. a plain answer in a dialogue);
#: returns True when it did.
LineHandler = Callable[[ConsoleContext, str], Awaitable[bool]]


@dataclass
class Console:
    services: Services
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    commands: dict[str, ConsoleCommand] = field(default_factory=dict)
    fallbacks: list[LineHandler] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.context = ConsoleContext(self.services, self.stdout)
        from bot.console.registry import all_commands, all_fallbacks

        for command in all_commands():
            self.register(command)
        self.fallbacks.extend(all_fallbacks())

    def register(self, command: ConsoleCommand) -> None:
        self.commands[command.name] = command

    async def run(self) -> int:
        """Read and execute commands until ``quit`` or end of input. Returns the exit code."""
        interactive = self.stdin.isatty()
        if interactive:
            self.context.say(
                "Touchstone offline console. Type 'help' for commands, 'quit' to leave."
            )
        failures = 0
        while True:
            if interactive:
                print("touchstone> ", end="", file=self.stdout, flush=True)
            line = await asyncio.to_thread(self.stdin.readline)
            if line == "":
                break
            stripped = line.strip()
            if not stripped:
                continue
            if stripped.split()[0].lower() in ("quit", "exit"):
                break
            if not await self.handle_line(stripped):
                failures += 1
        return 0

    async def handle_line(self, line: str) -> bool:
        """A command, a free-text command, or a plain line for whoever is waiting for one."""
        head, _, rest = line.partition(" ")
        command = self.commands.get(head.lower())
        if command is not None and command.raw:
            return await self.execute(command.name, [unquote(rest)] if rest.strip() else [])
        if command is None:
            for fallback in self.fallbacks:
                if await fallback(self.context, line):
                    return True
        try:
            words = shlex.split(line)
        except ValueError as exc:
            self.context.say(f"error: {exc} (quote with \" or ')")
            return False
        return await self.execute(words[0].lower(), words[1:])

    async def execute(self, name: str, args: list[str]) -> bool:
        """Run one command; every failure becomes a one-line message, never a traceback."""
        command = self.commands.get(name)
        if command is None:
            self.context.say(f"error: unknown command {name!r}; type 'help' for the list")
            return False
        try:
            await command.handler(self.context, args)
        except ConsoleUsageError as exc:
            self.context.say(f"error: {exc} (usage: {command.usage})")
            return False
        except Exception:
            log.exception("console command %s failed", name)
            self.context.say(f"error: {name} failed unexpectedly; the details are in the log")
            return False
        return True


def unquote(text: str) -> str:
    """Free text as typed, minus one pair of quotes around the whole of it."""
    try:
        words = shlex.split(text)
    except ValueError:
        return text.strip()
    return words[0] if len(words) == 1 else text.strip()


async def _about(ctx: ConsoleContext, args: list[str]) -> None:
    ctx.say(ABOUT_TEXT)


async def _help(ctx: ConsoleContext, args: list[str]) -> None:
    ctx.say(help_text())
    ctx.say("")
    ctx.say("In this console, type the command without the slash, e.g. 'about'; 'quit' leaves.")


def builtin_commands() -> list[ConsoleCommand]:
    return [
        ConsoleCommand("about", "about", "what Touchstone does and what it stores", _about),
        ConsoleCommand("help", "help", "every command, grouped", _help),
    ]
