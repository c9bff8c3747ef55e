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


@dataclass
class Console:
    services: Services
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    commands: dict[str, ConsoleCommand] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.context = ConsoleContext(self.services, self.stdout)
        from bot.console.registry import all_commands

        for command in all_commands():
            self.register(command)

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
            try:
                words = shlex.split(line)
            except ValueError as exc:
                self.context.say(f"error: {exc}")
                failures += 1
                continue
            if not words:
                continue
            name, args = words[0].lower(), words[1:]
            if name in ("quit", "exit"):
                break
            if not await self.execute(name, args):
                failures += 1
        return 0

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
