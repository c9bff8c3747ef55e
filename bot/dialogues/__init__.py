"""Structured coaching dialogues: one engine, the protocols on it, and exercises from notes.

No Discord here: adapters call :class:`DialogueService` and render what it returns.
"""

from bot.dialogues.model import (
    Choice,
    DialogueClosed,
    DialogueError,
    DialogueKind,
    InvalidAnswer,
    NotAParticipant,
    NotYourTurn,
    Prompt,
    Seat,
    Status,
    Summary,
    UnknownDialogue,
)
from bot.dialogues.service import (
    Delivery,
    DialogueInfo,
    DialogueService,
    Person,
    Place,
    TurnResult,
)

__all__ = [
    "Choice",
    "Delivery",
    "DialogueClosed",
    "DialogueError",
    "DialogueInfo",
    "DialogueKind",
    "DialogueService",
    "InvalidAnswer",
    "NotAParticipant",
    "NotYourTurn",
    "Person",
    "Place",
    "Prompt",
    "Seat",
    "Status",
    "Summary",
    "TurnResult",
    "UnknownDialogue",
]
