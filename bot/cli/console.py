"""``touchstone console``: every feature offline, scriptable from standard input.

``--strict`` (or ``TOUCHSTONE_CONSOLE_STRICT=1``) makes a script stop at its first error
with exit code 1, like psql's ON_ERROR_STOP, so CI and shell scripts notice.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from bot.cli.common import settings_or_exit
from bot.logging_setup import configure_logging
from bot.settings import Settings

STRICT_ENV = "TOUCHSTONE_CONSOLE_STRICT"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("console", help="the offline console (no token, no network)")
    parser.add_argument(
        "--strict",
        action="store_true",
        default=os.environ.get(STRICT_ENV, "").strip().lower() in ("1", "true", "yes", "on"),
        help=f"stop at the first error with exit code 1 (also: {STRICT_ENV}=1)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    configure_logging(settings)
    return run_console(settings, strict=bool(getattr(args, "strict", False)))


def run_console(settings: Settings, *, strict: bool = False) -> int:
    return asyncio.run(_run(settings, strict))


async def _run(settings: Settings, strict: bool) -> int:
    from bot.bootstrap import bootstrap
    from bot.console.app import Console

    services = await bootstrap(settings)
    try:
        return await Console(services, strict=strict).run()
    finally:
        await services.close()
