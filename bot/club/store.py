"""Storage of clubs, check-ins, entries and members; rows become typed state here.

Creating a check-in is idempotent on (club, period) so every process and restart
agrees on one check-in per period; an entry is one per member and check-in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import as_utc
from bot.club.calendar import Occurrence
from bot.club.model import (
    Cadence,
    CheckIn,
    CheckInStatus,
    Club,
    ClubSetup,
    ClubStatus,
    Entry,
    Via,
)
from bot.storage.club_models import ClubCheckIn, ClubEntry, ClubMember, ClubRow
from bot.storage.database import Database


def _club(row: ClubRow) -> Club:
    return Club(
        id=row.id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        in_forum=row.in_forum,
        cadence=Cadence(row.cadence),
        day=row.day,
        local_time=row.local_time,
        timezone=row.timezone,
        open_days=row.open_days,
        status=ClubStatus(row.status),
    )


def _check_in(row: ClubCheckIn) -> CheckIn:
    return CheckIn(
        id=row.id,
        club_id=row.club_id,
        period=row.period,
        opens_at=as_utc(row.opens_at),
        closes_at=as_utc(row.closes_at),
        covers_from=date.fromisoformat(row.covers_from),
        covers_to=date.fromisoformat(row.covers_to),
        questions=tuple(json.loads(row.questions_json)),
        thread_id=row.thread_id,
        status=CheckInStatus(row.status),
    )


def _entry(row: ClubEntry) -> Entry:
    return Entry(
        check_in_id=row.check_in_id,
        user_id=row.user_id,
        answers=row.answers,
        change=row.change,
        share_hours=row.share_hours,
        quote_change=row.quote_change,
        via=Via(row.via),
    )


@dataclass
class ClubRepository:
    db: Database

    # --- clubs ------------------------------------------------------------------------

    async def club(self, guild_id: int) -> Club | None:
        async with self.db.session() as session:
            row = await session.scalar(select(ClubRow).where(ClubRow.guild_id == guild_id))
            return None if row is None else _club(row)

    async def club_by_id(self, club_id: int) -> Club | None:
        async with self.db.session() as session:
            row = await session.get(ClubRow, club_id)
            return None if row is None else _club(row)

    async def active_clubs(self) -> list[Club]:
        async with self.db.session() as session:
            rows = await session.scalars(select(ClubRow).where(ClubRow.status == ClubStatus.ACTIVE))
            return [_club(row) for row in rows]

    async def save_club(
        self, guild_id: int, setup: ClubSetup, actor_id: int, now: datetime
    ) -> Club:
        async with self.db.session() as session:
            row = await session.scalar(select(ClubRow).where(ClubRow.guild_id == guild_id))
            if row is None:
                row = ClubRow(guild_id=guild_id)
                session.add(row)
            row.channel_id = setup.channel_id
            row.in_forum = setup.in_forum
            row.cadence = setup.cadence.value
            row.day = setup.day
            row.local_time = setup.local_time
            row.timezone = setup.timezone
            row.open_days = setup.open_days
            row.status = ClubStatus.ACTIVE.value
            row.started_by = actor_id
            row.updated_at = now
            await session.flush()
            return _club(row)

    async def set_status(self, club_id: int, status: ClubStatus, now: datetime) -> None:
        async with self.db.session() as session:
            await session.execute(
                update(ClubRow)
                .where(ClubRow.id == club_id)
                .values(status=status.value, updated_at=now)
            )

    # --- check-ins --------------------------------------------------------------------

    async def ensure_check_in(
        self, club_id: int, when: Occurrence, questions: Sequence[str]
    ) -> CheckIn:
        """The check-in of ``when.period``, created once; a scheduled one takes new times."""
        for _attempt in range(2):
            try:
                async with self.db.session() as session:
                    row = await session.scalar(
                        select(ClubCheckIn).where(
                            ClubCheckIn.club_id == club_id, ClubCheckIn.period == when.period
                        )
                    )
                    if row is None:
                        row = ClubCheckIn(club_id=club_id, period=when.period, thread_id=None)
                        row.status = CheckInStatus.SCHEDULED.value
                        session.add(row)
                    if row.status == CheckInStatus.SCHEDULED:
                        # UTC: SQLite keeps the wall-clock time and drops the offset.
                        row.opens_at = when.opens_at.astimezone(UTC)
                        row.closes_at = when.closes_at.astimezone(UTC)
                        row.covers_from = when.covers_from.isoformat()
                        row.covers_to = when.covers_to.isoformat()
                        row.questions_json = json.dumps(list(questions), ensure_ascii=False)
                    await session.flush()
                    return _check_in(row)
            except IntegrityError:
                continue  # another process created it first: read theirs
        raise RuntimeError(f"could not create the {when.period} check-in")

    async def check_in(self, check_in_id: int) -> CheckIn | None:
        async with self.db.session() as session:
            row = await session.get(ClubCheckIn, check_in_id)
            return None if row is None else _check_in(row)

    async def check_ins(self, club_id: int, status: CheckInStatus) -> list[CheckIn]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(ClubCheckIn)
                .where(ClubCheckIn.club_id == club_id, ClubCheckIn.status == status.value)
                .order_by(ClubCheckIn.opens_at)
            )
            return [_check_in(row) for row in rows]

    async def check_in_by_thread(self, thread_id: int) -> CheckIn | None:
        async with self.db.session() as session:
            row = await session.scalar(
                select(ClubCheckIn).where(ClubCheckIn.thread_id == thread_id)
            )
            return None if row is None else _check_in(row)

    async def set_check_in(
        self,
        check_in_id: int,
        *,
        status: CheckInStatus | None = None,
        thread_id: int | None = None,
    ) -> None:
        values: dict[str, object] = {}
        if status is not None:
            values["status"] = status.value
        if thread_id is not None:
            values["thread_id"] = thread_id
        async with self.db.session() as session:
            await session.execute(
                update(ClubCheckIn).where(ClubCheckIn.id == check_in_id).values(**values)
            )

    # --- entries ----------------------------------------------------------------------

    async def entry(self, check_in_id: int, user_id: int) -> Entry | None:
        async with self.db.session() as session:
            row = await session.scalar(
                select(ClubEntry).where(
                    ClubEntry.check_in_id == check_in_id, ClubEntry.user_id == user_id
                )
            )
            return None if row is None else _entry(row)

    async def entries(self, check_in_id: int) -> list[Entry]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(ClubEntry)
                .where(ClubEntry.check_in_id == check_in_id)
                .order_by(ClubEntry.at, ClubEntry.id)
            )
            return [_entry(row) for row in rows]

    async def save_entry(self, entry: Entry, now: datetime) -> None:
        for _attempt in range(2):
            try:
                async with self.db.session() as session:
                    row = await session.scalar(
                        select(ClubEntry).where(
                            ClubEntry.check_in_id == entry.check_in_id,
                            ClubEntry.user_id == entry.user_id,
                        )
                    )
                    if row is None:
                        row = ClubEntry(check_in_id=entry.check_in_id, user_id=entry.user_id)
                        session.add(row)
                    row.answers = entry.answers
                    row.change = entry.change
                    row.share_hours = entry.share_hours
                    row.quote_change = entry.quote_change
                    row.via = entry.via.value
                    row.at = now
                return
            except IntegrityError:
                continue

    # --- members ----------------------------------------------------------------------

    async def set_remind(self, club_id: int, user_id: int, remind: bool) -> None:
        async with self.db.session() as session:
            row = await session.scalar(
                select(ClubMember).where(
                    ClubMember.club_id == club_id, ClubMember.user_id == user_id
                )
            )
            if row is None:
                session.add(ClubMember(club_id=club_id, user_id=user_id, remind=remind))
            else:
                row.remind = remind

    async def reminded_members(self, club_id: int) -> list[int]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(ClubMember.user_id).where(
                    ClubMember.club_id == club_id, ClubMember.remind.is_(True)
                )
            )
            return list(rows)

    async def wants_reminder(self, club_id: int, user_id: int) -> bool:
        return user_id in await self.reminded_members(club_id)
