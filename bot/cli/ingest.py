"""``touchstone ingest [PATH ...]``: index notes into the vector store and report problems.

Re-running it is cheap: only new or changed chunks are embedded. Every bad note is
listed with its file and field, and makes the exit status 1, so a CI step or a
contributor sees a typo at once while the good notes are still indexed.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.cli.common import EXIT_FAILURE, CliError, settings_or_exit


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help="index notes (default: the shipped notes) and report bad notes",
        description="Index notes into the knowledge base. Unchanged notes are not re-embedded.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="note files or directories (default: the notes shipped with Touchstone)",
    )
    parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    from knowledge.service import KnowledgeBase
    from knowledge.store import StoreUnavailable

    paths: list[Path] | None = list(args.paths) or None
    knowledge = KnowledgeBase.from_settings(settings, notes_dirs=paths)
    try:
        report = asyncio.run(knowledge.ingest(progress=not args.no_progress))
    except StoreUnavailable as exc:
        raise CliError(str(exc)) from None
    finally:
        knowledge.close()
    print(
        f"{report.notes} notes ingested: {report.chunks_added} chunks added, "
        f"{report.chunks_unchanged} unchanged, {report.chunks_removed} removed "
        f"(index: {knowledge.store.describe()})"
    )
    for problem in report.problems:
        print(f"problem: {problem}")
    if report.problems:
        print(f"{len(report.problems)} problem(s); those notes were skipped.")
        return EXIT_FAILURE
    return 0
