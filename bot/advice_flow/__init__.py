"""Everything around the advice check: drafts before posting, watch mode, false alarms.

Domain code only (no Discord imports): the Discord cog and the console drive
:class:`AdviceFlowService` and render the plain values it returns.
"""

from bot.advice_flow.links import BadLink, MessageLink, intent_from_tags, parse_message_link
from bot.advice_flow.model import (
    MAX_DRAFT_CHARS,
    Draft,
    DraftStatus,
    FalseAlarm,
    FlowRefused,
    PostContext,
    PostPlan,
    ReceivedDraft,
    Version,
    WatchAction,
    WatchedReply,
    WatchPlan,
)
from bot.advice_flow.service import AdviceFlowService
from bot.advice_flow.store import DraftStore

__all__ = [
    "MAX_DRAFT_CHARS",
    "AdviceFlowService",
    "BadLink",
    "Draft",
    "DraftStatus",
    "DraftStore",
    "FalseAlarm",
    "FlowRefused",
    "MessageLink",
    "PostContext",
    "PostPlan",
    "ReceivedDraft",
    "Version",
    "WatchAction",
    "WatchPlan",
    "WatchedReply",
    "intent_from_tags",
    "parse_message_link",
]
