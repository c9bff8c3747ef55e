"""The periodic sweep: remind idle dialogues once, expire abandoned ones.

It runs from the scheduler, outside any conversation, so it lives apart from the state
machine; it goes through the engine's public methods and its per-dialogue lock.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogues.model import OPEN_STATUSES, Status
from bot.dialogues.records import SweepReport, user_of
from bot.storage.dialogue_models import DialogueRow

if TYPE_CHECKING:
    from bot.dialogues.service import DialogueService

log = logging.getLogger(__name__)


class Sweeper:
    """Reminders and expiry for one engine (see :meth:`DialogueService.sweep`)."""

    def __init__(self, engine: DialogueService) -> None:
        self.engine = engine

    async def sweep(self) -> SweepReport:
        """Remind idle dialogues once, expire abandoned ones."""
        engine = self.engine
        now = engine.clock.now()
        remind_before = now - timedelta(hours=engine.settings.reminder_after_hours)
        expire_before = now - timedelta(days=engine.settings.expire_after_days)
        report = SweepReport()
        rows = await engine.repo.idle(remind_before)
        for row in rows:
            # One damaged dialogue is logged and skipped; it must never stop the sweep
            # (a partner's erasure once made every later sweep fail on the same row).
            try:
                await self._sweep_one(row, now, expire_before, report)
            except Exception:
                log.exception("dialogue %d: sweep skipped it", row.id)
                report.failed.append(row.id)
        return report

    async def _sweep_one(
        self, row: DialogueRow, now: datetime, expire_before: datetime, report: SweepReport
    ) -> None:
        last = row.last_activity_at
        if last.tzinfo is None:
            last = last.replace(tzinfo=now.tzinfo)
        if last < expire_before:
            await self._expire(row.id)
            report.expired.append(row.id)
        elif (
            row.reminded_at is None
            and row.status == Status.ACTIVE.value
            and await self._remind(row.id)
        ):
            report.reminded.append(row.id)

    async def _expire(self, dialogue_id: int) -> None:
        await self._expire_row(dialogue_id)
        await self.engine.cancel_timers(dialogue_id)

    async def _expire_row(self, dialogue_id: int) -> None:
        repo, clock = self.engine.repo, self.engine.clock
        async with self.engine.lock(dialogue_id):

            async def work(s: AsyncSession) -> None:
                row = await repo.fetch(s, dialogue_id)
                if row is None or row.status not in OPEN_STATUSES:
                    return
                row.status = Status.EXPIRED.value
                row.step = ""
                row.updated_at = clock.now()
                await repo.emit(
                    s,
                    row,
                    "note",
                    "This dialogue expired after a long silence. The transcript is kept; "
                    "export it, or start again when you're ready.",
                )

            await repo.transact(work)

    async def _note(self, dialogue_id: int, text: str) -> None:
        repo = self.engine.repo

        async def work(s: AsyncSession) -> None:
            row = await repo.fetch(s, dialogue_id, for_update=False)
            if row is not None:
                await repo.emit(s, row, "note", text)

        await repo.transact(work)

    async def _remind(self, dialogue_id: int) -> bool:
        engine = self.engine
        info = await engine.get(dialogue_id)
        prompt = await engine.current_prompt(dialogue_id)
        if prompt is None:
            return False
        stamp = await engine.repo.mark_reminded(dialogue_id)
        waiting = {user_of(info.seats, seat) for seat in prompt.seats}
        for user_id in sorted(u for u in waiting if u is not None):
            payload: dict[str, Any] = {
                "text": f"Your dialogue **{info.title}** is waiting for your answer:\n\n"
                f"{prompt.text}",
                "dialogue_id": dialogue_id,
            }
            if info.channel_id is not None and not info.in_dm:
                payload["channel_id"] = info.channel_id
            sent = await engine.send_later(
                user_id,
                "dialogue_reminder",
                engine.clock.now(),
                payload,
                f"dlg:{dialogue_id}:remind:{user_id}:{stamp}",
            )
            if not sent:
                await self._note(dialogue_id, str(payload["text"]))
        return True
