"""Each command is described once, in ``bot.catalog``: the Discord commands and groups,
``/help`` and the console's ``help`` all read it (issue 16)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

from discord import app_commands
from discord.ext import commands

import bot.discord_adapter.cogs as cogs
from bot import catalog
from bot.about import help_text
from bot.console.registry import all_commands

AppCommand = app_commands.Command[Any, Any, Any] | app_commands.Group


def _walk(command: AppCommand) -> Iterator[AppCommand]:
    yield command
    if isinstance(command, app_commands.Group):
        for sub in command.commands:
            yield from _walk(sub)


def registered() -> dict[str, AppCommand]:
    """Every slash command and group the cogs declare, by qualified name."""
    found: dict[str, AppCommand] = {}
    for module_info in pkgutil.iter_modules(cogs.__path__):
        module = importlib.import_module(f"{cogs.__name__}.{module_info.name}")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, commands.Cog) or cls.__module__ != module.__name__:
                continue
            for top in cls.__cog_app_commands__:
                if isinstance(top, app_commands.ContextMenu):
                    continue
                for command in _walk(top):
                    found[command.qualified_name] = command
    return found


def test_every_discord_command_and_group_is_described_by_the_catalog() -> None:
    commands_and_groups = registered()
    for name, command in commands_and_groups.items():
        assert command.description == catalog.description(name), name
    leaves = {n for n, c in commands_and_groups.items() if not isinstance(c, app_commands.Group)}
    groups = set(commands_and_groups) - leaves
    assert {info.name for info in catalog.CATALOG} == leaves
    assert set(catalog.GROUP_DESCRIPTIONS) == groups


def test_descriptions_fit_discord_and_default_to_the_help_summary() -> None:
    for info in catalog.CATALOG:
        assert 1 <= len(info.description) <= catalog.MAX_DESCRIPTION, info.name
        if info.short is None:
            assert info.description == info.summary
        else:
            assert info.short != info.summary, f"{info.name}: short repeats the summary"
    (push_test,) = [i for i in catalog.CATALOG if i.name == "practice push test"]
    assert "`/practice push test`: Set the before/after test of your push." in help_text()
    assert push_test.description == push_test.summary


def test_every_console_command_reads_its_help_line_from_the_catalog() -> None:
    console = all_commands()
    assert {command.name for command in console} == set(catalog.CONSOLE_SUMMARIES)
    for command in console:
        assert command.summary == catalog.CONSOLE_SUMMARIES[command.name]


def test_every_console_command_reads_its_usage_from_the_catalog() -> None:
    console = all_commands()
    assert {command.name for command in console} == set(catalog.CONSOLE_USAGES)
    for command in console:
        assert command.usage == catalog.console_usage(command.name)
