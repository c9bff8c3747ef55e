"""``touchstone migrate-data --to URL``: move all data to another database.

The path from the embedded default (SQLite) to PostgreSQL: stop the bot, run this,
point ``TOUCHSTONE_DATABASE_URL`` at the new database, start the bot. The source is
the configured database; the target is migrated to the current schema, must be
empty (unless ``--force``), and is filled in one transaction, then verified.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.cli.common import EXIT_FAILURE, EXIT_USAGE, CliError, settings_or_exit
from bot.settings import SUPPORTED_DATABASE_DRIVERS


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "migrate-data",
        help="copy every row from the configured database to another (e.g. SQLite → PostgreSQL)",
        description="Copy every table from the configured database (TOUCHSTONE_DATABASE_URL, "
        "default the SQLite file in the data directory) to --to URL, then verify row counts. "
        "Stop the bot first.",
    )
    parser.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="target database, e.g. postgresql+asyncpg://touchstone:PASSWORD@db-host/touchstone",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace the rows of a target that is not empty"
    )
    parser.add_argument(
        "--batch", type=int, default=500, metavar="N", help="rows per insert (default 500)"
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    parser.set_defaults(handler=handle)


def normalise_url(value: str) -> str:
    """The async driver made explicit, as in the settings; a one-line error otherwise."""
    try:
        url = make_url(value.strip())
    except ArgumentError:
        raise CliError(
            "--to: not a database URL; use postgresql+asyncpg://user:pass@host/db "
            "or sqlite+aiosqlite:///path.db",
            EXIT_USAGE,
        ) from None
    if url.drivername == "sqlite":
        url = url.set(drivername="sqlite+aiosqlite")
    elif url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+asyncpg")
    if url.drivername not in SUPPORTED_DATABASE_DRIVERS:
        raise CliError(
            f"--to: unsupported database driver {url.drivername!r}; use postgresql or sqlite",
            EXIT_USAGE,
        )
    return url.render_as_string(hide_password=False)


def handle(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    if args.batch < 1:
        raise CliError("--batch must be at least 1", EXIT_USAGE)
    target_url = normalise_url(args.to)
    return asyncio.run(_run(settings.resolved_database_url, target_url, args))


async def _run(source_url: str, target_url: str, args: argparse.Namespace) -> int:
    from bot.datamove import CopyError, copy_database
    from bot.storage import Database

    source, target = Database(source_url), Database(target_url)

    def progress(table: str, rows: int) -> None:
        if not args.quiet:
            print(f"  {table}: {rows} rows", flush=True)

    try:
        if not args.quiet:
            print(f"copying {source.describe()} -> {target.describe()}", flush=True)
        report = await copy_database(
            source, target, force=args.force, batch=args.batch, progress=progress
        )
    except CopyError as exc:
        raise CliError(str(exc)) from None
    except Exception as exc:  # driver errors: one line, no URL with a password in it
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CliError(f"copy failed, the target is unchanged: {first}") from None
    finally:
        await source.dispose()
        await target.dispose()
    if report.mismatches:
        for table in report.mismatches:
            print(
                f"touchstone: {table.table}: {table.source_rows} rows in the source but "
                f"{table.target_rows} in the target",
                file=sys.stderr,
            )
        return EXIT_FAILURE
    print(
        f"copied {report.rows} rows in {len(report.tables)} tables to {target.describe()}; "
        "row counts verified. Now set TOUCHSTONE_DATABASE_URL to the new database."
    )
    return 0
