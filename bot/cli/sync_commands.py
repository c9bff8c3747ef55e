"""``touchstone sync-commands``: register slash commands with Discord on demand."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import EXIT_USAGE, CliError, settings_or_exit
from bot.logging_setup import configure_logging


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sync-commands",
        help="register the slash commands (globally, or to one server for development)",
    )
    parser.add_argument("--guild", type=int, default=None, help="sync to this server id only")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    configure_logging(settings)
    if not settings.has_token:
        raise CliError("sync-commands needs TOUCHSTONE_TOKEN", EXIT_USAGE)
    from bot.discord_adapter.runner import DiscordStartError, sync_commands

    guild = args.guild if args.guild is not None else settings.dev_guild_id
    try:
        count = asyncio.run(sync_commands(settings, guild))
    except DiscordStartError as exc:
        raise CliError(str(exc)) from None
    where = f"server {guild}" if guild else "all servers"
    print(f"synced {count} commands to {where}")
    return 0
