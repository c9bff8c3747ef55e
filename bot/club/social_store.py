"""Storage of pair requests, pairs, pushes and streak choices; rows become typed state.

Races between processes are settled by the database: a pair is formed only by the
process whose delete removed both waiting requests, a push starts only if its
``running`` marker is unique, and the goal is announced by whoever set ``reached_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import as_utc
from bot.club.social_model import (
    Pair,
    PairRequest,
    PairStatus,
    Push,
    PushStatus,
    StreakChoice,
)
from bot.storage.club_social_models import (
    ClubPair,
    ClubPairRequest,
    ClubPush,
    ClubPushMember,
    StreakSetting,
)
from bot.storage.database import Database


def _request(row: ClubPairRequest) -> PairRequest:
    return PairRequest(
        row.club_id, row.user_id, row.timezone, row.skill, row.channel_id, as_utc(row.at)
    )


def _pair(row: ClubPair) -> Pair:
    return Pair(
        id=row.id,
        club_id=row.club_id,
        first_user_id=row.first_user_id,
        second_user_id=row.second_user_id,
        channel_id=row.channel_id,
        thread_id=row.thread_id,
        skill=row.skill,
        status=PairStatus(row.status),
        formed_at=as_utc(row.formed_at),
    )


def _push(row: ClubPush) -> Push:
    return Push(
        id=row.id,
        club_id=row.club_id,
        goal_minutes=row.goal_minutes,
        starts_at=as_utc(row.starts_at),
        ends_at=as_utc(row.ends_at),
        first_day=date.fromisoformat(row.first_day),
        last_day=date.fromisoformat(row.last_day),
        channel_id=row.channel_id,
        in_forum=row.in_forum,
        thread_id=row.thread_id,
        status=PushStatus(row.status),
        reached_at=as_utc(row.reached_at) if row.reached_at else None,
    )


class _Taken(Exception):
    """Another process paired one of the two members first."""


@dataclass
class SocialStore:
    db: Database

    # --- pairs ------------------------------------------------------------------------

    async def save_request(self, request: PairRequest) -> None:
        for _attempt in range(2):
            try:
                async with self.db.session() as session:
                    row = await session.scalar(
                        select(ClubPairRequest).where(
                            ClubPairRequest.club_id == request.club_id,
                            ClubPairRequest.user_id == request.user_id,
                        )
                    )
                    if row is None:
                        row = ClubPairRequest(club_id=request.club_id, user_id=request.user_id)
                        row.at = request.at
                        session.add(row)
                    row.timezone = request.timezone
                    row.skill = request.skill
                    row.channel_id = request.channel_id
                return
            except IntegrityError:
                continue

    async def requests(self, club_id: int) -> list[PairRequest]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(ClubPairRequest)
                .where(ClubPairRequest.club_id == club_id)
                .order_by(ClubPairRequest.at, ClubPairRequest.id)
            )
            return [_request(row) for row in rows]

    async def drop_request(self, club_id: int, user_id: int) -> bool:
        async with self.db.session() as session:
            result = await session.execute(
                delete(ClubPairRequest).where(
                    ClubPairRequest.club_id == club_id, ClubPairRequest.user_id == user_id
                )
            )
            return bool(getattr(result, "rowcount", 0))

    async def form_pair(
        self, first: PairRequest, second: PairRequest, skill: str, now: datetime
    ) -> Pair | None:
        """Take both requests off the list and pair them; None if another process got
        to either of them first (nothing changes then)."""
        try:
            async with self.db.session() as session:
                result = await session.execute(
                    delete(ClubPairRequest).where(
                        ClubPairRequest.club_id == first.club_id,
                        ClubPairRequest.user_id.in_([first.user_id, second.user_id]),
                    )
                )
                if getattr(result, "rowcount", 0) != 2:
                    raise _Taken  # rolls the delete back
                row = ClubPair(
                    club_id=first.club_id,
                    first_user_id=first.user_id,
                    second_user_id=second.user_id,
                    channel_id=first.channel_id,
                    thread_id=None,
                    skill=skill,
                    status=PairStatus.ACTIVE.value,
                    formed_at=now,
                )
                session.add(row)
                await session.flush()
                return _pair(row)
        except _Taken:
            return None

    async def pair(self, pair_id: int) -> Pair | None:
        async with self.db.session() as session:
            row = await session.get(ClubPair, pair_id)
            return None if row is None else _pair(row)

    async def active_pair_of(self, club_id: int, user_id: int) -> Pair | None:
        async with self.db.session() as session:
            row = await session.scalar(
                select(ClubPair).where(
                    ClubPair.club_id == club_id,
                    ClubPair.status == PairStatus.ACTIVE.value,
                    or_(ClubPair.first_user_id == user_id, ClubPair.second_user_id == user_id),
                )
            )
            return None if row is None else _pair(row)

    async def active_pairs_of(self, user_id: int) -> list[Pair]:
        """Every club's active pair this member is in (erasure ends them all)."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(ClubPair).where(
                    ClubPair.status == PairStatus.ACTIVE.value,
                    or_(ClubPair.first_user_id == user_id, ClubPair.second_user_id == user_id),
                )
            )
            return [_pair(row) for row in rows]

    async def active_pairs(self) -> list[Pair]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(ClubPair).where(ClubPair.status == PairStatus.ACTIVE.value)
            )
            return [_pair(row) for row in rows]

    async def set_pair_thread(self, pair_id: int, thread_id: int) -> None:
        async with self.db.session() as session:
            await session.execute(
                update(ClubPair).where(ClubPair.id == pair_id).values(thread_id=thread_id)
            )

    async def end_pair(self, pair_id: int, now: datetime) -> bool:
        """True for the call that ended it (a second "leave" changes nothing)."""
        async with self.db.session() as session:
            result = await session.execute(
                update(ClubPair)
                .where(ClubPair.id == pair_id, ClubPair.status == PairStatus.ACTIVE.value)
                .values(status=PairStatus.ENDED.value, ended_at=now)
            )
            return bool(getattr(result, "rowcount", 0))

    # --- pushes -----------------------------------------------------------------------

    async def start_push(self, push: Push, started_by: int) -> Push | None:
        """The new push, or None when the club already has one running."""
        try:
            async with self.db.session() as session:
                row = ClubPush(
                    club_id=push.club_id,
                    goal_minutes=push.goal_minutes,
                    starts_at=push.starts_at.astimezone(UTC),
                    ends_at=push.ends_at.astimezone(UTC),
                    first_day=push.first_day.isoformat(),
                    last_day=push.last_day.isoformat(),
                    channel_id=push.channel_id,
                    in_forum=push.in_forum,
                    thread_id=None,
                    status=PushStatus.ACTIVE.value,
                    started_by=started_by,
                    running=push.club_id,
                )
                session.add(row)
                await session.flush()
                return _push(row)
        except IntegrityError:
            return None

    async def push(self, push_id: int) -> Push | None:
        async with self.db.session() as session:
            row = await session.get(ClubPush, push_id)
            return None if row is None else _push(row)

    async def running_push(self, club_id: int) -> Push | None:
        async with self.db.session() as session:
            row = await session.scalar(select(ClubPush).where(ClubPush.running == club_id))
            return None if row is None else _push(row)

    async def running_pushes(self) -> list[Push]:
        async with self.db.session() as session:
            rows = await session.scalars(select(ClubPush).where(ClubPush.running.is_not(None)))
            return [_push(row) for row in rows]

    async def set_push(
        self,
        push_id: int,
        *,
        thread_id: int | None = None,
        ends_at: datetime | None = None,
    ) -> None:
        values: dict[str, object] = {}
        if thread_id is not None:
            values["thread_id"] = thread_id
        if ends_at is not None:
            values["ends_at"] = ends_at.astimezone(UTC)
        async with self.db.session() as session:
            await session.execute(update(ClubPush).where(ClubPush.id == push_id).values(**values))

    async def mark_reached(self, push_id: int, now: datetime) -> bool:
        """True for the one caller that recorded the goal as reached."""
        async with self.db.session() as session:
            result = await session.execute(
                update(ClubPush)
                .where(ClubPush.id == push_id, ClubPush.reached_at.is_(None))
                .values(reached_at=now)
            )
            return bool(getattr(result, "rowcount", 0))

    async def end_push(self, push_id: int) -> None:
        async with self.db.session() as session:
            await session.execute(
                update(ClubPush)
                .where(ClubPush.id == push_id)
                .values(status=PushStatus.ENDED.value, running=None)
            )

    async def join_push(self, push_id: int, user_id: int, now: datetime) -> bool:
        """True when the member newly joined."""
        try:
            async with self.db.session() as session:
                exists = await session.scalar(
                    select(ClubPushMember.id).where(
                        ClubPushMember.push_id == push_id, ClubPushMember.user_id == user_id
                    )
                )
                if exists is not None:
                    return False
                session.add(ClubPushMember(push_id=push_id, user_id=user_id, joined_at=now))
                return True
        except IntegrityError:
            return False

    async def push_members(self, push_id: int) -> list[int]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(ClubPushMember.user_id)
                .where(ClubPushMember.push_id == push_id)
                .order_by(ClubPushMember.id)
            )
            return list(rows)

    async def pushes_joined(self, user_id: int) -> list[Push]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(ClubPush)
                .join(ClubPushMember, ClubPushMember.push_id == ClubPush.id)
                .where(ClubPushMember.user_id == user_id, ClubPush.running.is_not(None))
            )
            return [_push(row) for row in rows]

    # --- streaks ----------------------------------------------------------------------

    async def streak_choice(self, user_id: int) -> StreakChoice:
        async with self.db.session() as session:
            row = await session.scalar(
                select(StreakSetting).where(StreakSetting.user_id == user_id)
            )
            if row is None:
                return StreakChoice(user_id)
            return StreakChoice(user_id, row.freezes_per_month, row.remind, row.remind_time)

    async def save_streak_choice(self, choice: StreakChoice) -> None:
        for _attempt in range(2):
            try:
                async with self.db.session() as session:
                    row = await session.scalar(
                        select(StreakSetting).where(StreakSetting.user_id == choice.user_id)
                    )
                    if row is None:
                        row = StreakSetting(user_id=choice.user_id)
                        session.add(row)
                    row.freezes_per_month = choice.freezes_per_month
                    row.remind = choice.remind
                    row.remind_time = choice.remind_time
                return
            except IntegrityError:
                continue

    async def streak_reminded(self) -> list[StreakChoice]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(StreakSetting).where(StreakSetting.remind.is_(True))
            )
            return [
                StreakChoice(r.user_id, r.freezes_per_month, r.remind, r.remind_time) for r in rows
            ]
