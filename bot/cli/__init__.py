"""The ``touchstone`` command line.

Each subcommand lives in its own module exposing ``register(subparsers)``; the
module list below is the single place that says which ones exist. Errors reach
the user as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot import __version__
from bot.cli.common import CliError

SUBCOMMAND_MODULES: tuple[str, ...] = (
    "bot.cli.run",
    "bot.cli.console",
    "bot.cli.doctor",
    "bot.cli.sync_commands",
    "bot.cli.ingest",
    "bot.cli.ask",
    "bot.cli.check_advice",
    "bot.cli.migrate_data",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="touchstone",
        description="Touchstone: guidance, coaching dialogues and a kind advice check.",
    )
    parser.add_argument("--version", action="version", version=f"touchstone {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in SUBCOMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        # With no subcommand, behave like the README's run command.
        args = parser.parse_args(["run", *(argv or [])])
    try:
        result: int = args.handler(args)
    except CliError as exc:
        print(f"touchstone: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    return result
