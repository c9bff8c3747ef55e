"""What a dialogue sends later: step timers, "What happened?" DMs and their answers.

The state machine ends when the summary is written; this module carries on from there
through the outbox (timer pings and follow-ups), and files the replies as outcomes so
the monthly review can tally which predictions held.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.dialogues import outcomes
from bot.dialogues.model import FollowUp, InvalidAnswer, NotAParticipant, Status, UnknownDialogue
from bot.dialogues.records import (
    FOLLOWUP_KIND,
    MAX_ANSWER,
    OUTCOME_WINDOW,
    TIMER_KIND,
    Delivery,
    Outbox,
)
from bot.dialogues.repository import DialogueRepository
from bot.scheduling.model import DeliveryResult, OutboxItem, OutgoingMessage, default_message
from bot.text_input import EMPTY_TEXT_MESSAGE, has_visible_text, trim
from bot.wording import plural

log = logging.getLogger(__name__)


class StoredOutcome(TypedDict):
    """An answer to "What happened?" as kept in the state (``outcomes``, by user id)."""

    text: str
    held: str | None
    at: str


def timer_key(dialogue_id: int, seq: int) -> str:
    return f"dlg:{dialogue_id}:timer:{seq}"


class FollowUps:
    """Timers, follow-up DMs and outcomes of dialogues, through the outbox."""

    def __init__(
        self, repo: DialogueRepository, clock: Clock, outbox: Callable[[], Outbox | None]
    ) -> None:
        self.repo = repo
        self.clock = clock
        self.outbox = outbox

    async def send_later(
        self, user_id: int, kind: str, due_at: datetime, payload: dict[str, Any], key: str
    ) -> bool:
        outbox = self.outbox()
        if outbox is None:
            log.warning("no outbox available; %s %s not scheduled", kind, key)
            return False
        await outbox.schedule(user_id, kind, due_at, payload, key)
        return True

    # -- step timers ------------------------------------------------------------------

    async def schedule_timer(self, delivery: Delivery, minutes: int) -> None:
        info = delivery.dialogue
        due = self.clock.now() + timedelta(minutes=minutes)
        payload: dict[str, Any] = {
            "text": f"⏱ Your {plural(minutes, 'minute')} are up ({info.title}). "
            "How far did you get? "
            "Write it down and answer the step.",
            "dialogue_id": info.id,
            "step": delivery.prompt.key if delivery.prompt else "",
        }
        if info.channel_id is not None and not info.in_dm:
            payload["channel_id"] = info.channel_id
        await self.send_later(
            info.owner_id, TIMER_KIND, due, payload, timer_key(info.id, delivery.seq)
        )

    async def cancel_timers(self, dialogue_id: int, *, keep_step: str | None = None) -> int:
        """Cancel the pending timer pings of a dialogue, except the one for ``keep_step``
        (the step still being worked on). Returns how many were cancelled."""
        outbox = self.outbox()
        if outbox is None:
            return 0
        cancelled = 0
        for seq, step in await self.repo.timed_questions(dialogue_id):
            if keep_step is not None and step == keep_step:
                continue
            if await outbox.cancel(timer_key(dialogue_id, seq)):
                cancelled += 1
        return cancelled

    async def render_timer(self, item: OutboxItem) -> OutgoingMessage | None:
        """The timer ping at send time; None (skipped) once the dialogue is no longer on
        the step the timer ran for, so a late ping never asks about a finished step."""
        dialogue_id = item.payload.get("dialogue_id")
        row = await self.repo.row(int(dialogue_id)) if dialogue_id is not None else None
        if row is None or row.status != Status.ACTIVE.value:
            return None
        step = item.payload.get("step")
        if step and row.step != step:
            return None
        return default_message(item.payload)

    # -- follow-ups -------------------------------------------------------------------

    async def schedule_followups(
        self, s: AsyncSession, dialogue_id: int, followups: Sequence[FollowUp]
    ) -> int:
        """Hand the follow-up DMs of a dialogue to the outbox in ``s``, the transaction
        that writes its summary: both are stored, or neither (idempotent keys)."""
        if not followups:
            return 0
        outbox = self.outbox()
        if outbox is None:
            log.warning("no outbox available; follow-ups of dialogue %d not scheduled", dialogue_id)
            return 0
        for followup in followups:
            await outbox.schedule_in(
                s,
                followup.user_id,
                FOLLOWUP_KIND,
                followup.due_at,
                {"text": f"{followup.text}\n\n{outcomes.ASK}", "dialogue_id": dialogue_id},
                followup.key,
            )
        return len(followups)

    async def followup_sent(self, item: OutboxItem, result: DeliveryResult | None) -> None:
        """After-hook of the follow-up DM: from now on, this person's DM reply is the
        outcome of the dialogue's prediction."""
        dialogue_id = item.payload.get("dialogue_id")
        if result != DeliveryResult.SENT or dialogue_id is None:
            return

        def sent(state: dict[str, Any]) -> None:
            state.setdefault("_followup_sent", {})[str(item.user_id)] = self.clock.now().isoformat()

        await self.repo.change_state(int(dialogue_id), sent)

    # -- outcomes: the answer to "What happened?" -------------------------------------

    async def awaiting_outcome(self, user_id: int) -> int | None:
        """The dialogue whose "What happened?" this person was asked and hasn't answered
        (the latest, within the answer window)."""
        now = self.clock.now()
        for dialogue_id, state in await self.repo.ended_states(user_id):
            sent = state.get("_followup_sent", {}).get(str(user_id))
            if sent is None or str(user_id) in state.get("outcomes", {}):
                continue
            if now - datetime.fromisoformat(sent) <= OUTCOME_WINDOW:
                return dialogue_id
        return None

    async def record_outcome(self, dialogue_id: int, user_id: int, text: str) -> str:
        """Keep the answer to "What happened?" with the prediction it checks."""
        if not has_visible_text(text):
            raise InvalidAnswer(EMPTY_TEXT_MESSAGE)
        text = trim(text)[:MAX_ANSWER]
        held = outcomes.parse_held(text)

        async def work(s: AsyncSession) -> str | None:
            row = await self.repo.fetch(s, dialogue_id)
            if row is None:
                raise UnknownDialogue(f"There is no dialogue #{dialogue_id}.")
            seats = await self.repo.seats(s, dialogue_id)
            seat = next((x.seat for x in seats.values() if x.user_id == user_id), None)
            if seat is None:
                raise NotAParticipant("Only the people in this dialogue can answer here.")
            state = json.loads(row.state_json)
            outcome: StoredOutcome = {
                "text": text,
                "held": held,
                "at": self.clock.now().isoformat(),
            }
            state.setdefault("outcomes", {})[str(user_id)] = outcome
            row.state_json = json.dumps(state)
            await self.repo.emit(
                s,
                row,
                "outcome",
                text,
                step="outcome",
                seat=seat,
                user_id=user_id,
                meta={"held": held},
                delivered=True,
            )
            return outcomes.prediction_of(state)

        prediction: str | None = await self.repo.transact(work)
        return (
            "Saved with your dialogue"
            + (f", next to your prediction ({prediction})" if prediction else "")
            + f": {outcomes.describe(held)}. It shows in the dialogue's export and in your "
            "monthly review."
        )

    async def file_dm(self, user_id: int, text: str) -> str | None:
        """A DM that answers a follow-up is filed as its outcome (the reply to send);
        None when no follow-up waits, so the DM goes elsewhere (the morning prompts)."""
        dialogue_id = await self.awaiting_outcome(user_id)
        if dialogue_id is None or not text.strip():
            return None
        return await self.record_outcome(dialogue_id, user_id, text)

    async def prediction_tally(
        self, user_id: int, since: datetime, until: datetime
    ) -> outcomes.PredictionTally:
        """Predictions this person checked between ``since`` and ``until``, and how often
        they held (for the monthly review)."""
        verdicts: list[str | None] = []
        for _dialogue_id, state in await self.repo.ended_states(user_id):
            found = state.get("outcomes", {}).get(str(user_id))
            if found and since <= datetime.fromisoformat(found["at"]) < until:
                verdicts.append(found.get("held"))
        return outcomes.PredictionTally(
            checked=len(verdicts),
            held=verdicts.count(outcomes.HELD),
            partly=verdicts.count(outcomes.PARTLY),
            not_held=verdicts.count(outcomes.NOT_HELD),
        )
