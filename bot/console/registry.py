"""Every console command, gathered from the module of each area."""

from __future__ import annotations

from bot.console import (
    advice_commands,
    club_commands,
    coaching_commands,
    config_commands,
    dialogue_commands,
    knowledge_commands,
)
from bot.console.app import ConsoleCommand, Tick, WaitingCheck, builtin_commands


def all_commands() -> list[ConsoleCommand]:
    return [
        *builtin_commands(),
        *knowledge_commands.commands(),
        *advice_commands.commands(),
        *dialogue_commands.commands(),
        *coaching_commands.commands(),
        *club_commands.commands(),
        *config_commands.commands(),
    ]


def all_waits() -> list[WaitingCheck]:
    """What a plain line may be answering, tried in order: a dialogue question first
    (it is the more specific), then the morning prompts in DMs."""
    return [dialogue_commands.waiting, coaching_commands.waiting]


def all_ticks() -> list[Tick]:
    """What an interactive console sends by itself as time passes: due DMs and timer
    pings from the outbox, then anything the dialogues still have to say."""
    return [coaching_commands.run_due, dialogue_commands.flush]
