"""Pause, resume and end: the status changes people make outside the protocol's steps.

Each takes the locked dialogue row and who asked, changes the row, and returns the note
the transcript shows (the engine's ``_steer`` does the locking and the telling).
"""

from __future__ import annotations

from bot.dialogues.model import OPEN_STATUSES, DialogueClosed, Status
from bot.storage.dialogue_models import DialogueRow


def pause(row: DialogueRow, who: str) -> str | None:
    if row.status != Status.ACTIVE.value:
        raise DialogueClosed(f"This dialogue is {row.status}, not active.")
    row.status = Status.PAUSED.value
    return f"Paused by {who}. Resume when you're ready; nothing is lost."


def resume(row: DialogueRow, who: str) -> str | None:
    if row.status != Status.PAUSED.value:
        raise DialogueClosed(f"This dialogue is {row.status}, not paused.")
    row.status = Status.ACTIVE.value
    return f"Resumed by {who}. Where we were:"


def end(row: DialogueRow, who: str) -> str | None:
    if row.status not in OPEN_STATUSES:
        raise DialogueClosed(f"This dialogue has already {row.status}.")
    row.status = Status.ENDED.value
    row.step = ""
    return f"Ended by {who}. The transcript stays available: export it any time."
