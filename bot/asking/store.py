"""Where asked questions and the feedback on their answers are kept (SQL lives here only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update

from bot.clock import as_utc
from bot.storage import Database
from bot.storage.ask_models import AnswerFeedback, AskedQuestion


class FeedbackAction(StrEnum):
    ANOTHER = "another"
    UNHELPFUL = "unhelpful"


@dataclass(frozen=True)
class StoredAnswer:
    id: int
    guild_id: int | None
    channel_id: int | None
    user_id: int
    question: str
    shown_note_ids: tuple[str, ...]
    care: bool
    shared_message_id: int | None
    shared: bool


@dataclass(frozen=True)
class FeedbackRecord:
    """One press, as moderators and the evaluation export read it."""

    answer_id: int
    user_id: int
    question: str
    shown_note_ids: tuple[str, ...]
    action: FeedbackAction
    note_id: str | None
    at: datetime


def _ids(raw: str) -> tuple[str, ...]:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _answer(row: AskedQuestion) -> StoredAnswer:
    return StoredAnswer(
        id=row.id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        user_id=row.user_id,
        question=row.question,
        shown_note_ids=_ids(row.shown_note_ids),
        care=row.care,
        shared_message_id=row.shared_message_id,
        shared=row.shared_at is not None,
    )


@dataclass
class AskStore:
    db: Database

    async def save_answer(
        self,
        *,
        user_id: int,
        guild_id: int | None,
        channel_id: int | None,
        question: str,
        shown_note_ids: list[str],
        care: bool,
    ) -> int:
        async with self.db.session() as session:
            row = AskedQuestion(
                user_id=user_id,
                guild_id=guild_id,
                channel_id=channel_id,
                question=question,
                shown_note_ids=json.dumps(shown_note_ids),
                care=care,
            )
            session.add(row)
            await session.flush()
            return row.id

    async def get(self, answer_id: int) -> StoredAnswer | None:
        async with self.db.session() as session:
            row = await session.get(AskedQuestion, answer_id)
            return None if row is None else _answer(row)

    async def shown_to(self, answer: StoredAnswer, user_id: int) -> tuple[str, ...]:
        """The answer's notes, then every note "Show another note" gave this person."""
        async with self.db.session() as session:
            more = await session.scalars(
                select(AnswerFeedback.note_id)
                .where(
                    AnswerFeedback.answer_id == answer.id,
                    AnswerFeedback.user_id == user_id,
                    AnswerFeedback.action == FeedbackAction.ANOTHER.value,
                    AnswerFeedback.note_id.is_not(None),
                )
                .order_by(AnswerFeedback.id)
            )
            extra = [n for n in more.all() if n is not None]
        return tuple(dict.fromkeys([*answer.shown_note_ids, *extra]))

    async def record(
        self,
        answer: StoredAnswer,
        user_id: int,
        shown: tuple[str, ...],
        action: FeedbackAction,
        note_id: str | None = None,
    ) -> None:
        async with self.db.session() as session:
            session.add(
                AnswerFeedback(
                    answer_id=answer.id,
                    guild_id=answer.guild_id,
                    user_id=user_id,
                    question=answer.question,
                    shown_note_ids=json.dumps(list(shown)),
                    action=action.value,
                    note_id=note_id,
                )
            )

    async def claim_share(self, answer_id: int, user_id: int, now: datetime) -> bool:
        """Mark the question as being posted; False when it already was (one post only)."""
        async with self.db.session() as session:
            result = await session.execute(
                update(AskedQuestion)
                .where(
                    AskedQuestion.id == answer_id,
                    AskedQuestion.user_id == user_id,
                    AskedQuestion.shared_at.is_(None),
                )
                .values(shared_at=now)
            )
            return bool(getattr(result, "rowcount", 0))

    async def release_share(self, answer_id: int) -> None:
        """Posting failed: the asker may try again."""
        async with self.db.session() as session:
            await session.execute(
                update(AskedQuestion)
                .where(AskedQuestion.id == answer_id)
                .values(shared_at=None, shared_message_id=None)
            )

    async def mark_shared(self, answer_id: int, message_id: int | None) -> None:
        async with self.db.session() as session:
            await session.execute(
                update(AskedQuestion)
                .where(AskedQuestion.id == answer_id)
                .values(shared_message_id=message_id)
            )

    async def feedback_for_guild(self, guild_id: int) -> list[FeedbackRecord]:
        """Every press in a server, oldest first."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(AnswerFeedback)
                .where(AnswerFeedback.guild_id == guild_id)
                .order_by(AnswerFeedback.id)
            )
            return [
                FeedbackRecord(
                    answer_id=row.answer_id,
                    user_id=row.user_id,
                    question=row.question,
                    shown_note_ids=_ids(row.shown_note_ids),
                    action=FeedbackAction(row.action),
                    note_id=row.note_id,
                    at=as_utc(row.created_at),
                )
                for row in rows.all()
            ]
