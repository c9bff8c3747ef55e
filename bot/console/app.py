"""A line-oriented console that drives the same domain services as the Discord bot.

It reads commands from standard input so it can be scripted
(``printf 'about\\nquit\\n' | touchstone console``); it shows a prompt only when a
person is typing at a terminal.

While a dialogue question or a DM prompt waits on the person, a plain line is their
answer, whatever word it starts with ("ask my partner tonight" is an answer, not
``ask``); commands then take a leading ``/``, as in Discord. ``--strict`` (or
``TOUCHSTONE_CONSOLE_STRICT=1``) stops a script at its first error with exit code 1,
like psql's ON_ERROR_STOP, so CI notices a failing step.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import shlex
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TextIO, TypeVar

from bot.about import ABOUT_TEXT
from bot.catalog import console_summary, console_usage
from bot.console.markdown import TerminalMarkdown, styled_terminal
from bot.errors import Refusal
from bot.services import Services

log = logging.getLogger(__name__)

#: The simulated people and server of the console, so server-scoped features work offline.
CONSOLE_USER_ID = 1
CONSOLE_GUILD_ID = 1
CONSOLE_GUILD_NAME = "Console server"
#: Lines that leave the console, even at a waiting prompt (scripts end with ``quit``).
QUIT_WORDS = ("quit", "exit")
#: Commands whose whole job is to answer, so they keep working at a waiting prompt.
ANSWER_COMMANDS = ("answer", "dm")
STRICT_EXIT = 1
#: How often an interactive console sends what has fallen due (real seconds).
TICK_SECONDS = 1.0
T = TypeVar("T")


def strip_markdown(text: str) -> str:
    """Discord markdown read badly as plain text; keep the words."""
    return re.sub(r"(\*\*|__|`|^-# )", "", text, flags=re.MULTILINE)


class ConsoleUsageError(Refusal):
    """Bad arguments to a console command; shown as one line, the console keeps going."""


@dataclass
class ConsoleContext:
    """What a command handler sees: the services, where to print, who is acting."""

    services: Services
    out: TextIO
    user_id: int = CONSOLE_USER_ID
    guild_id: int = CONSOLE_GUILD_ID
    #: The person at the keyboard; ``user_id`` changes for one ``as NAME`` command only.
    home_id: int = CONSOLE_USER_ID
    commands: dict[str, ConsoleCommand] = field(default_factory=dict)
    #: Refusals that were printed without raising (a bad time zone, say); strict mode
    #: counts them as errors too.
    problems: int = 0
    #: Lines printed so far (the background tick reprints the prompt after its own).
    printed: int = 0
    #: Set while the person's prompt is on screen: the next line printed starts on a
    #: line of its own rather than after "touchstone> ".
    after_prompt: bool = False
    #: Discord markdown shown as terminal formatting (a person at a terminal), or as
    #: plain text (scripts and pipes).
    styled: bool = False
    _terminal: TerminalMarkdown | None = None

    def _before_output(self) -> None:
        if self.after_prompt:
            self.after_prompt = False
            print(file=self.out)
        self.printed += 1

    def say(self, text: str = "") -> None:
        self._before_output()
        print(text, file=self.out, flush=True)

    def say_markdown(self, text: str, plain: Callable[[str], str] = strip_markdown) -> None:
        """Print what the bot would post on Discord: formatted at a terminal; elsewhere
        as ``plain`` makes it (the markers that read badly removed)."""
        if not self.styled:
            self.say(plain(text))
            return
        if self._terminal is None:
            self._terminal = TerminalMarkdown(self.out)
        self._before_output()
        self._terminal.print(text)

    def problem(self, text: str) -> None:
        """Print a refusal the person must act on, and count it as a failed step."""
        self.problems += 1
        self.say(text)


Handler = Callable[[ConsoleContext, list[str]], Awaitable[None]]


@dataclass(frozen=True)
class ConsoleCommand:
    name: str
    handler: Handler
    #: Free-text commands get the rest of the line as one argument, untouched by
    #: shell quoting (so "answer I don't know" works).
    raw: bool = False

    @property
    def summary(self) -> str:
        """Its line in ``help``, from :mod:`bot.catalog` (where every command is described)."""
        return console_summary(self.name)

    @property
    def usage(self) -> str:
        """How to type it (``help COMMAND``), from :mod:`bot.catalog` like the summary."""
        return console_usage(self.name)


@dataclass(frozen=True)
class Waiting:
    """An open question the next plain line answers: whose it is and how to file it."""

    who: str
    answer: Callable[[ConsoleContext, str], Awaitable[None]]


#: Says whether (and for whom) a plain line would be an answer right now.
WaitingCheck = Callable[[ConsoleContext], Awaitable[Waiting | None]]
#: Sends whatever has fallen due (DMs, timer pings, dialogue messages); run by the tick.
Tick = Callable[[ConsoleContext], Awaitable[None]]


def waiting_hint(who: str) -> str:
    """The one line that tells a person their next line is an answer, not a command."""
    whose = "your" if who == "you" else f"{who}'s"
    return f"type {whose} answer as a plain line; commands need a leading / here, e.g. /help"


@dataclass
class Console:
    services: Services
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    commands: dict[str, ConsoleCommand] = field(default_factory=dict)
    waits: list[WaitingCheck] = field(default_factory=list)
    strict: bool = False
    #: Send due DMs and timer pings by themselves, in real time, while the person
    #: thinks. None: only when a person types at a terminal (a script stays
    #: deterministic: there, time moves with ``clock advance``).
    live: bool | None = None
    tick_seconds: float = TICK_SECONDS
    ticks: list[Tick] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.context = ConsoleContext(
            self.services,
            self.stdout,
            commands=self.commands,
            styled=styled_terminal(self.stdout),
        )
        from bot.console.registry import all_commands, all_ticks, all_waits

        for command in all_commands():
            self.register(command)
        self.waits.extend(all_waits())
        self.ticks.extend(all_ticks())
        #: Held while a line is handled, so the tick never prints in the middle of it.
        self._busy = asyncio.Lock()
        self._prompt = ""

    def register(self, command: ConsoleCommand) -> None:
        self.commands[command.name] = command

    async def waiting(self) -> Waiting | None:
        """Whoever a plain line would answer for now, if anyone."""
        for check in self.waits:
            try:
                found = await check(self.context)
            except Exception:
                log.exception("console: could not tell whether an answer is awaited")
                continue
            if found is not None:
                return found
        return None

    async def run(self) -> int:
        """Read and execute lines until ``quit`` or end of input. Returns the exit code:
        0, or 1 when strict mode stopped at an error."""
        interactive = self.stdin.isatty()
        live = interactive if self.live is None else self.live
        if interactive:
            self.context.say(
                "Touchstone offline console. Type 'help' for commands, 'quit' to leave."
            )
        ticker = asyncio.create_task(self._tick_forever(), name="console-tick") if live else None
        try:
            return await self._read_lines(interactive)
        finally:
            if ticker is not None:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker

    async def _read_lines(self, interactive: bool) -> int:
        number = 0
        while True:
            if interactive:
                self._prompt = await self._prompt_text()
                self._show_prompt()
            line = await asyncio.to_thread(self.stdin.readline)
            self.context.after_prompt = False
            if line == "":
                break
            number += 1
            stripped = line.strip()
            if not stripped:
                continue
            async with self._busy:
                if await self.leaves(stripped):
                    break
                ok = await self.handle_line(stripped)
            if not ok and self.strict:
                self.context.say(f"stopped at line {number}: strict mode ends at the first error")
                return STRICT_EXIT
        return 0

    async def _prompt_text(self) -> str:
        waiting = await self.waiting()
        return f"({waiting_hint(waiting.who)})\n> " if waiting else "touchstone> "

    def _show_prompt(self) -> None:
        if self._prompt:
            print(self._prompt, end="", file=self.stdout, flush=True)
            self.context.after_prompt = True

    async def tick(self) -> None:
        """Send what has fallen due, unless a line is being handled (it sends its own)."""
        if self._busy.locked():
            return
        async with self._busy:
            before = self.context.printed
            for step in self.ticks:
                try:
                    await step(self.context)
                except Exception:
                    log.exception("console: the background tick failed; it carries on")
            if self.context.printed != before and self._prompt:
                # What arrived may be a question (the morning prompts): say so again.
                self._prompt = await self._prompt_text()
                self._show_prompt()

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds)
            await self.tick()

    async def leaves(self, line: str) -> bool:
        """``quit`` alone always leaves; at a waiting prompt, a longer line that starts
        with quit ("quit my day job first") is an answer, and ``/quit`` leaves."""
        words = line.lower().split()
        if words[0] in (f"/{word}" for word in QUIT_WORDS) or line.lower() in QUIT_WORDS:
            return True
        return words[0] in QUIT_WORDS and await self.waiting() is None

    async def handle_line(self, line: str) -> bool:
        """A command, or a plain line for whoever is waiting for one. False on an error."""
        before = self.context.problems
        if line.startswith("/"):
            ok = await self.command_line(line[1:].lstrip())
        else:
            waiting = await self.waiting()
            head = line.split(maxsplit=1)[0].lower()
            if waiting is not None and head not in ANSWER_COMMANDS:
                ok = await self.guard("answer", "", waiting.answer, line)
            else:
                ok = await self.command_line(line)
        return ok and self.context.problems == before

    async def command_line(self, line: str) -> bool:
        """A command with its arguments: shell-style words, or free text for raw ones."""
        if not line:
            self.context.say("error: a / needs a command after it, e.g. /help")
            return False
        head, _, rest = line.partition(" ")
        command = self.commands.get(head.lower())
        if command is not None and command.raw:
            return await self.execute(command.name, [unquote(rest)] if rest.strip() else [])
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
        return await self.guard(name, command.usage, command.handler, args)

    async def guard(
        self,
        name: str,
        usage: str,
        handler: Callable[[ConsoleContext, T], Awaitable[None]],
        argument: T,
    ) -> bool:
        """Run a handler; a refusal is one line with the usage, a bug one line and a log."""
        try:
            await handler(self.context, argument)
        except ConsoleUsageError as exc:
            self.context.say(f"error: {exc}" + (f" (usage: {usage})" if usage else ""))
            return False
        except Refusal as exc:  # the product's own refusals read the same as on Discord
            self.context.say(f"error: {exc.text}")
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
    """Every console command (not only the Discord ones), or one command's usage."""
    if args:
        wanted = args[0].lower().lstrip("/")
        command = ctx.commands.get(wanted)
        if command is None:
            raise ConsoleUsageError(f"no command {wanted!r}; 'help' lists them all")
        ctx.say(f"{command.name}: {command.summary}")
        ctx.say(f"usage: {command.usage}")
        return
    ctx.say("Touchstone console commands (type them with or without a slash: about or /about):")
    width = max(len(name) for name in ctx.commands)
    for command in sorted(ctx.commands.values(), key=lambda c: c.name):
        ctx.say(f"  {command.name.ljust(width)}  {command.summary}")
    ctx.say(f"  {'quit'.ljust(width)}  leave the console (also: exit, end of input)")
    ctx.say("")
    ctx.say("'help COMMAND' shows how to use one, e.g. 'help clock'.")
    ctx.say(
        "While a question waits on you (a dialogue, or the morning prompts in DMs), a plain "
        "line is your answer; commands then need a leading /, e.g. /ask or /help."
    )


def builtin_commands() -> list[ConsoleCommand]:
    return [
        ConsoleCommand("about", _about),
        ConsoleCommand("help", _help),
    ]
