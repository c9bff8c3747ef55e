"""The repository layer: the only code that writes SQL for the domain.

Each repository opens its own short transaction per call, so domain services stay
free of session handling and every write is all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Executable, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.database import Database
from bot.storage.models import (
    BotState,
    GuildNote,
    UserRecord,
    utcnow,
)


@dataclass
class StateRepository:
    """Key-value facts about the bot itself (not about users)."""

    db: Database

    async def get(self, key: str) -> str | None:
        async with self.db.session() as session:
            row = await session.get(BotState, key)
            return None if row is None else row.value

    async def set(self, key: str, value: str) -> None:
        """One idempotent upsert: shard processes starting together may all write a key.

        Reading and then inserting raced on PostgreSQL (two processes both saw no row and
        one failed on the primary key), so the database resolves the conflict itself.
        """
        now = utcnow()
        row = {"key": key, "value": value, "updated_at": now}
        changes = {"value": value, "updated_at": now}
        if self.db.engine.dialect.name == "postgresql":
            pg = postgresql.insert(BotState).values(**row)
            statement: Executable = pg.on_conflict_do_update(
                index_elements=[BotState.key], set_=changes
            )
        else:
            lite = sqlite.insert(BotState).values(**row)
            statement = lite.on_conflict_do_update(index_elements=[BotState.key], set_=changes)
        async with self.db.session() as session:
            await session.execute(statement)


@dataclass
class UserRepository:
    """Whether a person can be reached by DM; remembered so a 403 is never retried."""

    db: Database

    @staticmethod
    async def _get_or_create(session: AsyncSession, user_id: int) -> UserRecord:
        row = await session.get(UserRecord, user_id)
        if row is None:
            row = UserRecord(user_id=user_id, dms_closed=False, dms_closed_notice_pending=False)
            session.add(row)
        return row

    async def mark_dms_closed(self, user_id: int) -> None:
        async with self.db.session() as session:
            row = await self._get_or_create(session, user_id)
            row.dms_closed = True
            row.dms_closed_notice_pending = True

    async def mark_dms_open(self, user_id: int) -> None:
        async with self.db.session() as session:
            row = await session.get(UserRecord, user_id)
            if row is not None:
                row.dms_closed = False
                row.dms_closed_notice_pending = False

    async def dms_closed(self, user_id: int) -> bool:
        async with self.db.session() as session:
            row = await session.get(UserRecord, user_id)
            return bool(row and row.dms_closed)

    async def take_dms_notice(self, user_id: int) -> bool:
        """True once after DMs were found closed: the next command tells the user."""
        async with self.db.session() as session:
            row = await session.get(UserRecord, user_id)
            if row is None or not row.dms_closed_notice_pending:
                return False
            row.dms_closed_notice_pending = False
            return True


@dataclass
class GuildNoteRepository:
    """Server-specific knowledge notes, stored as their Markdown source."""

    db: Database

    async def upsert(self, guild_id: int, note_id: str, text: str, author_id: int) -> None:
        async with self.db.session() as session:
            row = await session.get(GuildNote, (guild_id, note_id))
            if row is None:
                session.add(
                    GuildNote(guild_id=guild_id, note_id=note_id, text=text, author_id=author_id)
                )
            else:
                row.text = text
                row.author_id = author_id

    async def remove(self, guild_id: int, note_id: str) -> bool:
        async with self.db.session() as session:
            result = await session.execute(
                delete(GuildNote).where(
                    GuildNote.guild_id == guild_id, GuildNote.note_id == note_id
                )
            )
            return bool(getattr(result, "rowcount", 0))

    async def list_for_guild(self, guild_id: int) -> Sequence[GuildNote]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(GuildNote).where(GuildNote.guild_id == guild_id).order_by(GuildNote.note_id)
            )
            return rows.all()

    async def all(self) -> Sequence[GuildNote]:
        async with self.db.session() as session:
            rows = await session.scalars(select(GuildNote).order_by(GuildNote.guild_id))
            return rows.all()
