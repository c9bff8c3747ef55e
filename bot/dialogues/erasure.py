"""Erasure in shared dialogues: one person's ``/mydata delete`` must not break the other's.

A double crux belongs to two people. Deleting one participant's rows outright left the
dialogue with a missing seat: the partner's next answer raised ``KeyError: 'b'`` and
so did every later sweep. Instead, inside the same transaction as the rest of the
erasure, a shared dialogue keeps its shape: the leaving person's seat becomes a former
participant named "[deleted]", everything they wrote (and quotes of it in notes and in
the protocol state) reads "[deleted]", and an open dialogue ends cleanly with a note,
so the remaining person can still read and export it. Dialogues nobody else is in are
left to the ordinary erasure, which deletes them.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogues.model import OPEN_STATUSES, Status
from bot.dialogues.repository import DialogueRepository
from bot.storage.dialogue_models import DialogueEvent

#: What the leaving person's words become.
DELETED = "[deleted]"
#: The user id of a former participant (no Discord account has it).
FORMER_PARTICIPANT = 0
#: Shorter answers ("70", "yes") are only replaced where they stand alone, never inside
#: other text, so the other person's words are not mangled.
MIN_QUOTED_CHARS = 8
ENDED_NOTE = (
    "The other participant deleted their data (/mydata delete), so this dialogue has "
    f"ended. What they wrote now reads {DELETED}; the transcript can still be exported."
)


async def erase_from_shared_dialogues(s: AsyncSession, user_id: int, now: datetime) -> int:
    """Replace ``user_id``'s part in dialogues shared with others; how many were touched."""
    dialogue_ids = await DialogueRepository.ids_of_participant(s, user_id)
    touched = 0
    for dialogue_id in dialogue_ids:
        if await _release(s, dialogue_id, user_id, now):
            touched += 1
    return touched


async def _release(s: AsyncSession, dialogue_id: int, user_id: int, now: datetime) -> bool:
    seats = await DialogueRepository.seat_rows(s, dialogue_id)
    others = [p for p in seats if p.user_id not in (user_id, FORMER_PARTICIPANT)]
    row = await DialogueRepository.fetch(s, dialogue_id)
    if not others or row is None:
        return False  # nobody else is in it: the ordinary erasure deletes it whole
    mine = [p for p in seats if p.user_id == user_id]
    events = await DialogueRepository.event_rows(s, dialogue_id)
    exact, quoted = _their_words(events, user_id, {p.name for p in mine})
    for event in events:
        if event.user_id == user_id:
            event.text, event.user_id, event.meta_json = DELETED, None, "{}"
        elif event.user_id is None:  # Touchstone's own lines may quote them
            event.text = _scrub(event.text, exact, quoted)
    their_seats = {p.seat for p in mine}
    state = json.loads(row.state_json)
    row.state_json = json.dumps(_scrub_tree(state, their_seats, quoted))
    for seat in mine:
        seat.user_id, seat.name = FORMER_PARTICIPANT, DELETED
    if row.owner_id == user_id:
        row.owner_id = others[0].user_id
    if row.status in OPEN_STATUSES:
        row.status, row.step, row.updated_at = Status.ENDED.value, "", now
        s.add(
            DialogueEvent(
                dialogue_id=dialogue_id,
                seq=await DialogueRepository.next_seq(s, dialogue_id),
                kind="note",
                text=ENDED_NOTE,
                meta_json="{}",
                created_at=now,
            )
        )
    await s.flush()
    return True


def _their_words(events: Any, user_id: int, names: set[str]) -> tuple[set[str], list[str]]:
    """(texts replaced where they stand alone, texts replaced wherever they appear)."""
    exact: set[str] = set()
    for event in events:
        if event.user_id != user_id:
            continue
        exact.add(event.text.strip())
        value = json.loads(event.meta_json or "{}").get("value")
        if isinstance(value, str):
            exact.add(value.strip())
    exact.discard("")
    # Whole answers, and each line of them: listed items are quoted one by one later.
    pieces = exact | {line.strip(" -*•\t") for text in exact for line in text.splitlines()}
    quoted = [text for text in pieces if len(text) >= MIN_QUOTED_CHARS]
    quoted += [name for name in names if len(name) >= 3 and name != DELETED]
    return exact, sorted(set(quoted), key=len, reverse=True)


def _scrub(text: str, exact: set[str], quoted: list[str]) -> str:
    if text.strip() in exact:
        return DELETED
    for needle in quoted:
        text = text.replace(needle, DELETED)
    return text


def _scrub_tree(value: Any, seats: set[str], quoted: list[str]) -> Any:
    """The protocol state: whatever sits under the leaving person's seat key is erased,
    and quotes of their longer answers elsewhere are replaced."""
    if isinstance(value, str):
        return _scrub(value, set(), quoted)
    if isinstance(value, list):
        return [_scrub_tree(item, seats, quoted) for item in value]
    if isinstance(value, dict):
        return {
            key: _erase(item) if key in seats else _scrub_tree(item, seats, quoted)
            for key, item in value.items()
        }
    return value


def _erase(value: Any) -> Any:
    """Every string inside ``value`` becomes "[deleted]"; numbers and structure stay."""
    if isinstance(value, str):
        return DELETED
    if isinstance(value, list):
        return [_erase(item) for item in value]
    if isinstance(value, dict):
        return {key: _erase(item) for key, item in value.items()}
    return value
