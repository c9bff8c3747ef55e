"""The child process of :meth:`bot.storage.Database.migrate_apart`: migrate, then exit.

Run as ``python -m bot.storage.upgrade`` with the URL in ``TOUCHSTONE_MIGRATE_URL``.
"""

from __future__ import annotations

import asyncio
import os
import sys

from bot.storage.database import MIGRATE_URL_VARIABLE, Database


async def upgrade(url: str) -> None:
    db = Database(url)
    try:
        await db.migrate()
    finally:
        await db.dispose()


def main() -> int:
    url = os.environ.get(MIGRATE_URL_VARIABLE, "")
    if not url:
        print(f"{MIGRATE_URL_VARIABLE} is not set", file=sys.stderr)
        return 2
    asyncio.run(upgrade(url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
