"""/ask as a whole: the answer (or the kind reply), its buttons, and what they record."""

from bot.asking.service import (
    AnotherReply,
    AskRefused,
    AskReply,
    AskService,
    FeedbackSummary,
    SharePlan,
)
from bot.asking.store import AskStore, FeedbackAction

__all__ = [
    "AnotherReply",
    "AskRefused",
    "AskReply",
    "AskService",
    "AskStore",
    "FeedbackAction",
    "FeedbackSummary",
    "SharePlan",
]
