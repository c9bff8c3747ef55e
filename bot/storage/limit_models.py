"""Uses of limited actions, shared by every process on the database (issue 13).

Cooldowns and model-call caps used to live in each process's memory: two shard
processes gave a member double the allowance, and a restart reset every cooldown. One
row per counted use, kept until it leaves its window, lets every process see the same
uses and count them exactly (see :mod:`bot.limits.limiter`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base

__all__ = ["USER_COLUMNS", "Base", "UsageHit"]

#: Rows come and go all day; a 32-bit id would run out on a busy bot. SQLite's
#: autoincrementing key must be declared INTEGER (it is 64-bit there anyway).
HitId = BigInteger().with_variant(Integer(), "sqlite")


class UsageHit(Base):
    """One allowed use of a limited action; it stops counting at ``expires_at``.

    ``scope`` says what ``subject_id`` is: ``user`` (a person's cooldown) or ``guild``
    (a server's model budget). Discord ids never repeat across kinds, so erasing a
    person by ``subject_id`` touches only their own rows.
    """

    __tablename__ = "usage_hits"
    __table_args__ = (
        # Serves counting one key's live uses, and erasure by subject_id alone.
        Index("ix_usage_hits_key", "subject_id", "scope", "action", "expires_at"),
    )
    id: Mapped[int] = mapped_column(HitId, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(40))
    #: The pruning of expired rows deletes by this index alone.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


#: A person's recent uses are data about them: /mydata exports and erases them.
USER_COLUMNS: tuple[tuple[str, str], ...] = (("usage_hits", "subject_id"),)
