"""``touchstone ingest [PATH ...] [--replace]``: index notes and report problems.

Without a path it re-indexes the library (the shipped notes and the notes added
earlier); re-running it is cheap, since only new or changed chunks are embedded, and a
bad note is listed with its file and field and makes the exit status 1, so a CI step
or a contributor sees a typo at once while the good notes are still indexed.

With paths it adds those notes to the library instead of making them the library: a
note given here must survive the next start, whose re-index deletes whatever the
library does not hold, so the notes are copied into the notes directory (see
:mod:`knowledge.library`). A batch with a bad note is refused whole. ``--replace``
is the explicit way to make the given notes the whole library.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_FAILURE, EXIT_USAGE, CliError, settings_or_exit
from bot.wording import plural

if TYPE_CHECKING:
    from knowledge.note import NoteProblem

DESCRIPTION = """\
Index notes into the knowledge base. Unchanged notes are not re-embedded.

Without PATH: re-index the library, that is the notes shipped with Touchstone plus the
notes added earlier. Bad notes are listed and skipped.

With PATH (note files or directories of .md notes): add those notes to the library, or
update them (a note whose id was added before replaces that version). They are checked
as /knowledge add checks a note; if any note has a problem, every problem is listed and
nothing is changed. The notes are copied, as ID.md, into the notes directory
(TOUCHSTONE_NOTES_DIR, default DATA_DIR/notes), which every start and `touchstone
doctor` read with the shipped notes; a running bot searches them after its next start.
An id of a shipped note is refused: give the note another id.

With --replace PATH...: the given notes become the whole library; the shipped notes
and the notes added before leave the index. The notes directory then holds the given
notes and REPLACES-SHIPPED-NOTES.txt; delete that file and run `touchstone ingest` to
use the shipped notes again.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help="re-index the library, or add notes to it (--replace: make them the library)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="note files or directories to add (default: re-index the library)",
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="make the given notes the whole library (the shipped notes leave the index)",
    )
    parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    paths: list[Path] = list(args.paths)
    if args.replace and not paths:
        raise CliError("--replace needs the notes that become the library (PATH ...)", EXIT_USAGE)
    settings = settings_or_exit()
    from knowledge.service import KnowledgeBase
    from knowledge.store import StoreUnavailable

    knowledge = KnowledgeBase.from_settings(settings)
    progress = not args.no_progress
    try:
        if paths:
            added = asyncio.run(knowledge.add_notes(paths, replace=args.replace, progress=progress))
        else:
            report = asyncio.run(knowledge.ingest(progress=progress))
    except StoreUnavailable as exc:
        raise CliError(str(exc)) from None
    finally:
        knowledge.close()
    if not paths:
        print(
            f"{report.notes} notes ingested: {report.chunks_added} chunks added, "
            f"{report.chunks_unchanged} unchanged, {report.chunks_removed} removed "
            f"(index: {knowledge.store.describe()})"
        )
        return _print_problems(report.problems, "those notes were skipped")
    if added.index is None:
        print("Nothing was changed: every note must be valid before any is added.")
        return _print_problems(added.problems, "fix them and run the same command again")
    where = settings.resolved_notes_dir
    if args.replace:
        count = len(added.added) + len(added.updated) + len(added.unchanged)
        print(f"The library is now the given {plural(count, 'note')} (kept in {where}).")
    else:
        print(
            f"{_ids('added', added.added)}, {_ids('updated', added.updated)}, "
            f"{_ids('unchanged', added.unchanged)} (kept in {where})."
        )
    index = added.index
    print(
        f"{index.notes} notes in the library: {index.chunks_added} chunks added, "
        f"{index.chunks_unchanged} unchanged, {index.chunks_removed} removed "
        f"(index: {knowledge.store.describe()})"
    )
    return _print_problems(index.problems, "those notes were skipped")


def _ids(verb: str, ids: list[str]) -> str:
    """'added 2 (a, b)' or 'added 0': the ids tell the person which file did what."""
    return f"{verb} {len(ids)} ({', '.join(ids)})" if ids else f"{verb} 0"


def _print_problems(problems: Sequence[NoteProblem], then: str) -> int:
    for problem in problems:
        print(f"problem: {problem}")
    if problems:
        print(f"{len(problems)} problem(s); {then}.")
        return EXIT_FAILURE
    return 0
