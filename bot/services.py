"""The domain services, built once per process and shared by every adapter.

Adapters (Discord, console, command line) receive a :class:`Services` and never
build storage or indexes themselves, so a rule of the product has one home.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.settings import Settings
from bot.storage import Database
from bot.storage.repositories import (
    AdviceRepository,
    GuildNoteRepository,
    StateRepository,
    UserRepository,
)

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    state: StateRepository = field(init=False)
    users: UserRepository = field(init=False)
    guild_notes: GuildNoteRepository = field(init=False)
    advice_drafts: AdviceRepository = field(init=False)

    def __post_init__(self) -> None:
        self.state = StateRepository(self.db)
        self.users = UserRepository(self.db)
        self.guild_notes = GuildNoteRepository(self.db)
        self.advice_drafts = AdviceRepository(self.db)

    @classmethod
    async def start(cls, settings: Settings) -> Services:
        """Create the data directory, open the database and bring its schema to head."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.resolved_database_url)
        await db.migrate()
        log.debug("database ready: %s", db.describe())
        return cls(settings=settings, db=db)

    async def close(self) -> None:
        await self.db.dispose()
