"""``touchstone doctor``: check the installation and say plainly what is wrong.

Secrets are reported only as configured or not, never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.cli.common import EXIT_FAILURE, settings_or_exit
from bot.settings import Settings


@dataclass(frozen=True)
class Finding:
    ok: bool
    topic: str
    detail: str
    warning: bool = False

    def render(self) -> str:
        status = "ok  " if self.ok and not self.warning else ("warn" if self.ok else "FAIL")
        return f"{status}  {self.topic}: {self.detail}"


Check = Callable[[Settings], Awaitable[Finding]]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "doctor", help="check settings, database, data directory and index"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    findings = asyncio.run(run_checks(settings))
    for finding in findings:
        print(finding.render())
    failed = [f for f in findings if not f.ok]
    print(f"{len(failed)} problem(s) found." if failed else "Everything looks good.")
    return EXIT_FAILURE if failed else 0


async def run_checks(settings: Settings) -> list[Finding]:
    return [await check(settings) for check in CHECKS]


async def check_token(settings: Settings) -> Finding:
    if settings.has_token:
        return Finding(True, "discord token", "configured (not shown)")
    return Finding(
        True,
        "discord token",
        "not configured: `touchstone run` opens the offline console; set TOUCHSTONE_TOKEN for Discord",
        warning=True,
    )


async def check_data_dir(settings: Settings) -> Finding:
    path = settings.data_dir
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return Finding(False, "data directory", f"{path} cannot be created: {exc.strerror}")
    if not os.access(path, os.W_OK):
        return Finding(False, "data directory", f"{path} is not writable")
    return Finding(True, "data directory", f"{path} (writable)")


async def check_database(settings: Settings) -> Finding:
    from bot.storage import Database
    from bot.storage.database import head_revision

    db = Database(settings.resolved_database_url)
    try:
        if not await db.ping():
            return Finding(False, "database", f"{db.describe()} is unreachable")
        await db.migrate()
        current = await db.current_revision()
        return Finding(
            True,
            "database",
            f"{db.backend}, {db.describe()} (schema {current}, head {head_revision()})",
        )
    except Exception as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Finding(False, "database", f"{db.describe()}: {first_line}")
    finally:
        await db.dispose()


async def check_language_model(settings: Settings) -> Finding:
    if settings.llm_model is None:
        return Finding(
            True, "language model", "not configured: offline answers and prompts are used"
        )
    key = "an API key" if settings.llm_api_key else "no API key"
    base = f" at {settings.llm_base_url}" if settings.llm_base_url else ""
    return Finding(
        True,
        "language model",
        f"{settings.llm_model}{base} with {key}, timeout {settings.llm_timeout:g} s",
    )


async def check_index(settings: Settings) -> Finding:
    """Whether the notes index exists and matches the library (nothing is embedded here).

    The library is read exactly as the bot's start reads it (the shipped notes and the
    notes added with `touchstone ingest PATH`, or only those after `--replace`), so
    "up to date" means the next start embeds and removes nothing of it.
    """
    import asyncio

    from knowledge.chunking import chunk_notes
    from knowledge.library import library_dirs
    from knowledge.note import SHIPPED_NOTES_DIR, load_notes
    from knowledge.store import ChromaStore

    url = str(settings.chroma_url) if settings.chroma_url else None
    path = settings.resolved_chroma_path
    if url is None and not path.exists():
        return Finding(
            True,
            "notes index",
            f"not built yet: built at first start, or now with `touchstone ingest` ({path})",
            warning=True,
        )

    def inspect() -> tuple[int, int, int] | None:
        notes, problems = load_notes(library_dirs([SHIPPED_NOTES_DIR], settings.resolved_notes_dir))
        wanted = {chunk.id for chunk in chunk_notes(notes)}
        store = ChromaStore(None if url else path, url=url)
        try:
            if not store.ping():
                return None
            return len(notes), len(problems), len(wanted - store.ids_for_scope(0))
        finally:
            store.close()

    result = await asyncio.to_thread(inspect)
    where = url or str(path)
    if result is None:
        return Finding(False, "notes index", f"the vector store at {where} is unreachable")
    notes, problems, missing = result
    if problems:
        return Finding(
            False,
            "notes index",
            f"{problems} notes in the library are invalid; run `touchstone ingest` to see them",
        )
    if missing:
        return Finding(
            True,
            "notes index",
            f"stale: {missing} chunks to embed at next start ({where})",
            warning=True,
        )
    return Finding(True, "notes index", f"up to date: {notes} notes ({where})")


CHECKS: list[Check] = [
    check_token,
    check_data_dir,
    check_database,
    check_index,
    check_language_model,
]
