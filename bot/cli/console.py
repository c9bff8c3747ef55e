"""``touchstone console``: every feature offline, scriptable from standard input."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import settings_or_exit
from bot.logging_setup import configure_logging
from bot.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("console", help="the offline console (no token, no network)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    configure_logging(settings)
    return run_console(settings)


def run_console(settings: Settings) -> int:
    return asyncio.run(_run(settings))


async def _run(settings: Settings) -> int:
    from bot.console.app import Console
    from bot.services import Services

    services = await Services.start(settings)
    try:
        return await Console(services).run()
    finally:
        await services.close()
