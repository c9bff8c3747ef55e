"""Every console command, gathered from the module of each area."""

from __future__ import annotations

from bot.console import (
    advice_commands,
    coaching_commands,
    config_commands,
    dialogue_commands,
    knowledge_commands,
)
from bot.console.app import ConsoleCommand, LineHandler, builtin_commands


def all_commands() -> list[ConsoleCommand]:
    return [
        *builtin_commands(),
        *knowledge_commands.commands(),
        *advice_commands.commands(),
        *dialogue_commands.commands(),
        *coaching_commands.commands(),
        *config_commands.commands(),
    ]


def all_fallbacks() -> list[LineHandler]:
    """Handlers for lines that are not commands, tried in order."""
    return [dialogue_commands.plain_answer]
