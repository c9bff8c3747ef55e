"""Getting stored events out: what adapters still have to send, and readying a question.

A question is prepared just before it is sent (its timer started, its wording maybe
improved by the model); both leave a mark in the event's meta, so preparing again after
a crash changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.dialogues.facilitator import Facilitator
from bot.dialogues.followups import FollowUps
from bot.dialogues.model import Prompt
from bot.dialogues.records import Delivery, TranscriptLine
from bot.dialogues.repository import DialogueRepository
from bot.dialogues.rewording import reword, wants_rewording

Transcript = Callable[[int, int | None], Awaitable[list[TranscriptLine]]]


async def prepare(
    delivery: Delivery,
    repo: DialogueRepository,
    followups: FollowUps,
    facilitator: Facilitator | None,
    transcript: Transcript,
) -> Delivery:
    """Start a timer the question mentions, and let the model reword it (once each)."""
    prompt = delivery.prompt
    if prompt is None:
        return delivery
    if prompt.timer_minutes and not delivery.meta.get("timer_scheduled"):
        await followups.schedule_timer(delivery, prompt.timer_minutes)
        delivery = await update_meta(repo, delivery, {"timer_scheduled": True})
    if facilitator is not None and wants_rewording(facilitator, delivery.meta):
        text = await reword(
            facilitator,
            prompt.text,
            delivery.dialogue,
            await transcript(delivery.dialogue.id, None),
        )
        if text is not None:
            delivery = await update_meta(repo, delivery, {"polished": True}, text=text)
    return delivery


async def update_meta(
    repo: DialogueRepository,
    delivery: Delivery,
    changes: dict[str, Any],
    *,
    text: str | None = None,
) -> Delivery:
    """Store ``changes`` (and new text) on the event; the delivery as it now is."""
    await repo.update_event(delivery.event_id, changes, text=text)
    new_text = text if text is not None else delivery.text
    prompt = delivery.prompt
    if prompt is not None and text is not None:
        prompt = Prompt.from_meta(new_text, prompt.to_meta())
    return Delivery(
        delivery.event_id,
        delivery.seq,
        delivery.kind,
        new_text,
        delivery.dialogue,
        prompt,
        {**delivery.meta, **changes},
    )
