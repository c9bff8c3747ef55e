"""``touchstone run``: the Discord bot when a token is configured, otherwise the console."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from bot.cli.common import CliError, settings_or_exit
from bot.logging_setup import configure_logging

if TYPE_CHECKING:
    from bot.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run", help="run the Discord bot (or the offline console when no token is configured)"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    # Before any thread starts: threads created later share two malloc arenas.
    from bot.storage.database import MigrationFailed
    from knowledge.embeddings import limit_malloc_arenas

    limit_malloc_arenas()
    settings = settings_or_exit()
    configure_logging(settings)
    try:
        return _run(settings)
    except MigrationFailed as exc:
        raise CliError(str(exc)) from None


def _run(settings: Settings) -> int:
    if not settings.has_token:
        print(
            "No TOUCHSTONE_TOKEN configured: starting the offline console instead.",
            file=sys.stderr,
        )
        from bot.cli.console import run_console

        return run_console(settings)
    from bot.discord_adapter.runner import DiscordStartError, run_discord

    try:
        asyncio.run(run_discord(settings))
    except DiscordStartError as exc:
        raise CliError(str(exc)) from None
    return 0
