"""Questions asked with /ask and the feedback pressed on their answers.

The question is stored when it is answered, so the buttons under an answer ("Show
another note", "That didn't help", "Post my question") still know what was asked after
a restart: their custom ids carry only the stored answer's id.

A feedback row copies the question and the notes shown at the time of the press, so
it reads on its own as evaluation data (question, shown notes, action) even when the
ranking of the notes has changed since. It belongs to the asker's question: erasing
the asker's data removes it too (the foreign key cascades).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow

__all__ = ["USER_COLUMNS", "AnswerFeedback", "AskedQuestion", "Base"]


class AskedQuestion(Base):
    """One /ask: who asked what where, and which notes the answer showed."""

    __tablename__ = "asked_questions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    channel_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    question: Mapped[str] = mapped_column(Text)
    #: JSON list of note ids, in the order the answer cited them.
    shown_note_ids: Mapped[str] = mapped_column(Text, default="[]")
    #: Answered with the kind reply that points to people, not with a note.
    care: Mapped[bool] = mapped_column(Boolean, default=False)
    #: When the asker chose to post the question in the server's help channel (claimed
    #: before posting, so a double click posts once), and the message that carries it.
    shared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    shared_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AnswerFeedback(Base):
    """One press of "Show another note" or "That didn't help" on an answer."""

    __tablename__ = "answer_feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    answer_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("asked_questions.id", ondelete="CASCADE"), index=True
    )
    guild_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    question: Mapped[str] = mapped_column(Text)
    #: JSON list of the note ids this person had been shown when they pressed.
    shown_note_ids: Mapped[str] = mapped_column(Text, default="[]")
    action: Mapped[str] = mapped_column(String(20))
    #: For "another": the note shown in reply (none when every fitting note was shown).
    note_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


USER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("asked_questions", "user_id"),
    ("answer_feedback", "user_id"),
)
