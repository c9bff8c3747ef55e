"""Dialogue sessions, their participants and their transcript (issue: dialogues).

A dialogue's whole position is in ``dialogues.step`` + ``dialogues.state_json``; every
answer, question and note is a row in ``dialogue_events``. An answer, the transition it
causes and the next question are written in one transaction, so a killed process
resumes exactly where it was. ``delivered_at`` marks what the adapter has already sent,
so nothing is asked twice after a restart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow

__all__ = ["USER_COLUMNS", "Base", "DialogueEvent", "DialogueParticipant", "DialogueRow"]


class DialogueRow(Base):
    """One structured conversation: which protocol, where it runs, and where it is."""

    __tablename__ = "dialogues"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(30))
    spec: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    step: Mapped[str] = mapped_column(String(120), default="")
    state_json: Mapped[str] = mapped_column(Text, default="{}")
    title: Mapped[str] = mapped_column(String(200), default="")
    owner_id: Mapped[int] = mapped_column(BigInteger, index=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    channel_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    origin_channel_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    in_dm: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DialogueParticipant(Base):
    """A seat in a dialogue ("a", "b") and who sits in it; solo mode seats one person twice."""

    __tablename__ = "dialogue_participants"
    dialogue_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("dialogues.id", ondelete="CASCADE"), primary_key=True
    )
    seat: Mapped[str] = mapped_column(String(10), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(String(100))


class DialogueEvent(Base):
    """One line of the transcript: a question asked, an answer given, a note or summary."""

    __tablename__ = "dialogue_events"
    __table_args__ = (UniqueConstraint("dialogue_id", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dialogue_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("dialogues.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    step: Mapped[str] = mapped_column(String(120), default="")
    seat: Mapped[str | None] = mapped_column(String(10), nullable=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    meta_json: Mapped[str] = mapped_column(Text, default="{}")
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


USER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("dialogues", "owner_id"),
    ("dialogue_participants", "user_id"),
    ("dialogue_events", "user_id"),
)
