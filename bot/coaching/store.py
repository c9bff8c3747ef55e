"""SQL for coaching: profiles, prompts, orient sessions and answers, logs and pushes.

Each method is one short transaction, like the repositories in ``bot.storage``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from bot.coaching.model import Profile, ProfileStatus, PushStatus
from bot.storage.coaching_models import (
    CoachingPause,
    CoachingProfile,
    CoachingPrompt,
    OrientAnswer,
    OrientSession,
    PracticeLog,
    PracticePush,
)
from bot.storage.database import Database


def to_profile(row: CoachingProfile) -> Profile:
    return Profile(
        user_id=row.user_id,
        guild_id=row.guild_id,
        timezone=row.timezone,
        local_time=row.local_time,
        weekdays=row.weekdays,
        status=ProfileStatus(row.status),
        paused_until=row.paused_until,
        nudge_enabled=row.nudge_enabled,
        nudge_time=row.nudge_time,
    )


@dataclass
class CoachingStore:
    db: Database

    # --- profiles and pauses -------------------------------------------------------

    async def profile(self, user_id: int) -> Profile | None:
        async with self.db.session() as session:
            row = await session.get(CoachingProfile, user_id)
            return None if row is None else to_profile(row)

    async def save_profile(self, user_id: int, now: datetime, **values: object) -> Profile:
        async with self.db.session() as session:
            row = await session.get(CoachingProfile, user_id)
            if row is None:
                row = CoachingProfile(
                    user_id=user_id,
                    status=ProfileStatus.ACTIVE,
                    nudge_enabled=False,
                    nudge_time="20:00",
                    created_at=now,
                )
                session.add(row)
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = now
            await session.flush()
            return to_profile(row)

    async def active_profiles(self) -> list[Profile]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(CoachingProfile).where(CoachingProfile.status != ProfileStatus.STOPPED)
            )
            return [to_profile(row) for row in rows]

    async def add_pause(self, user_id: int, start: date, end: date) -> None:
        async with self.db.session() as session:
            session.add(CoachingPause(user_id=user_id, start_date=start, end_date=end))

    async def end_pauses(self, user_id: int, last_day: date) -> None:
        """A pause cut short by /coach resume ends yesterday."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(CoachingPause).where(
                    CoachingPause.user_id == user_id, CoachingPause.end_date > last_day
                )
            )
            for row in rows:
                if row.start_date > last_day:
                    await session.delete(row)
                else:
                    row.end_date = last_day

    async def pauses(self, user_id: int) -> list[tuple[date, date]]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(CoachingPause).where(CoachingPause.user_id == user_id)
            )
            return [(row.start_date, row.end_date) for row in rows]

    # --- prompts ---------------------------------------------------------------------

    async def own_prompts(self, user_id: int) -> list[str]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(CoachingPrompt)
                .where(CoachingPrompt.user_id == user_id)
                .order_by(CoachingPrompt.position)
            )
            return [row.text for row in rows]

    async def set_own_prompts(self, user_id: int, prompts: Sequence[str]) -> None:
        async with self.db.session() as session:
            await session.execute(delete(CoachingPrompt).where(CoachingPrompt.user_id == user_id))
            for position, text in enumerate(prompts):
                session.add(CoachingPrompt(user_id=user_id, position=position, text=text))

    # --- orient sessions and answers ------------------------------------------------

    async def orient_session(
        self, user_id: int, day: date, prompts: Sequence[str], now: datetime
    ) -> tuple[int, list[str]]:
        """Today's session (created once, even if two processes race); returns its prompts."""
        for _ in range(2):
            try:
                async with self.db.session() as session:
                    row = await session.scalar(
                        select(OrientSession).where(
                            OrientSession.user_id == user_id, OrientSession.local_date == day
                        )
                    )
                    if row is None:
                        row = OrientSession(
                            user_id=user_id,
                            local_date=day,
                            prompts_json=json.dumps(list(prompts)),
                            quick=False,
                            created_at=now,
                        )
                        session.add(row)
                        await session.flush()
                    else:
                        known = json.loads(row.prompts_json)
                        extra = [p for p in prompts if p not in known]
                        if extra:
                            row.prompts_json = json.dumps(known + extra)
                    return row.id, json.loads(row.prompts_json)
            except IntegrityError:
                continue
        raise RuntimeError("could not create the orient session")

    async def session_for(self, user_id: int, day: date) -> int | None:
        async with self.db.session() as session:
            return await session.scalar(
                select(OrientSession.id).where(
                    OrientSession.user_id == user_id, OrientSession.local_date == day
                )
            )

    async def latest_session(self, user_id: int, since: datetime) -> int | None:
        async with self.db.session() as session:
            return await session.scalar(
                select(OrientSession.id)
                .where(OrientSession.user_id == user_id, OrientSession.created_at >= since)
                .order_by(OrientSession.created_at.desc())
                .limit(1)
            )

    async def mark_quick(self, session_id: int, user_id: int) -> list[str] | None:
        async with self.db.session() as session:
            row = await session.get(OrientSession, session_id)
            if row is None or row.user_id != user_id:
                return None
            row.quick = True
            prompts: list[str] = json.loads(row.prompts_json)
            return prompts

    async def progress(self, session_id: int) -> tuple[int, int]:
        """(prompts to answer, answers so far) for one orient session; the quick version
        asks for two lines only."""
        async with self.db.session() as session:
            row = await session.get(OrientSession, session_id)
            if row is None:
                return 0, 0
            prompts = len(json.loads(row.prompts_json))
            count = await session.scalar(
                select(func.count())
                .select_from(OrientAnswer)
                .where(OrientAnswer.session_id == session_id)
            )
            return (min(prompts, 2) if row.quick else prompts), int(count or 0)

    async def add_answer(self, session_id: int, user_id: int, text: str, now: datetime) -> int:
        """Store one answer and return how many the session has, this one included.

        The session row is locked first, so two answers arriving together (two DMs sent
        in quick succession) count one after the other on PostgreSQL as on SQLite.
        """
        async with self.db.session() as session:
            await session.get(OrientSession, session_id, with_for_update=True)
            session.add(
                OrientAnswer(session_id=session_id, user_id=user_id, text=text, created_at=now)
            )
            count = await session.scalar(
                select(func.count())
                .select_from(OrientAnswer)
                .where(OrientAnswer.session_id == session_id)
            )
            return int(count or 0)

    async def answers(self, user_id: int, since: datetime) -> list[tuple[datetime, str]]:
        async with self.db.session() as session:
            rows = await session.execute(
                select(OrientAnswer.created_at, OrientAnswer.text)
                .where(OrientAnswer.user_id == user_id, OrientAnswer.created_at >= since)
                .order_by(OrientAnswer.created_at)
            )
            return [(when, text) for when, text in rows.all()]

    # --- practice ----------------------------------------------------------------------

    async def add_log(self, row: PracticeLog) -> None:
        async with self.db.session() as session:
            session.add(row)

    async def logs(self, user_id: int, since: date | None = None) -> list[PracticeLog]:
        async with self.db.session() as session:
            query = select(PracticeLog).where(PracticeLog.user_id == user_id)
            if since is not None:
                query = query.where(PracticeLog.local_date >= since)
            rows = await session.scalars(query.order_by(PracticeLog.logged_at))
            return list(rows)

    async def practised_days(self, user_id: int) -> set[date]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(PracticeLog.local_date).where(PracticeLog.user_id == user_id).distinct()
            )
            return set(rows)

    async def minutes_on(self, user_id: int, day: date) -> int:
        async with self.db.session() as session:
            value = await session.scalar(
                select(func.coalesce(func.sum(PracticeLog.minutes), 0)).where(
                    PracticeLog.user_id == user_id, PracticeLog.local_date == day
                )
            )
            return int(value or 0)

    async def skills(self, user_id: int) -> list[str]:
        """The person's skills, most used first."""
        async with self.db.session() as session:
            rows = await session.execute(
                select(PracticeLog.skill, func.count())
                .where(PracticeLog.user_id == user_id)
                .group_by(PracticeLog.skill)
                .order_by(func.count().desc())
            )
            return [skill for skill, _count in rows.all()]

    async def minutes_since(self, user_id: int, skill: str, since: datetime) -> int:
        async with self.db.session() as session:
            value = await session.scalar(
                select(func.coalesce(func.sum(PracticeLog.minutes), 0)).where(
                    PracticeLog.user_id == user_id,
                    func.lower(PracticeLog.skill) == skill.lower(),
                    PracticeLog.logged_at >= since,
                )
            )
            return int(value or 0)

    # --- pushes ------------------------------------------------------------------------

    async def pushes(
        self, user_id: int, status: PushStatus | None = PushStatus.ACTIVE
    ) -> list[PracticePush]:
        async with self.db.session() as session:
            query = select(PracticePush).where(PracticePush.user_id == user_id)
            if status is not None:
                query = query.where(PracticePush.status == status)
            rows = await session.scalars(query.order_by(PracticePush.started_at))
            return list(rows)

    async def add_push(self, row: PracticePush) -> PracticePush:
        async with self.db.session() as session:
            session.add(row)
            await session.flush()
            return row

    async def update_push(self, push_id: int, **values: object) -> None:
        async with self.db.session() as session:
            row = await session.get(PracticePush, push_id)
            if row is not None:
                for key, value in values.items():
                    setattr(row, key, value)
