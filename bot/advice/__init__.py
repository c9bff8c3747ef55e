"""The premature-advice check (seed 002): catch Bob's pile of warnings while it is a draft.

Domain code only: no Discord, no I/O, deterministic. Use :class:`AdviceChecker`.
"""

from bot.advice.checker import AdviceChecker, threshold_for
from bot.advice.intent import IntentReading, infer_intent, read_intent
from bot.advice.models import AdviceReport, Intent, Reason
from bot.advice.rules import RuleChecker

__all__ = [
    "AdviceChecker",
    "AdviceReport",
    "Intent",
    "IntentReading",
    "Reason",
    "RuleChecker",
    "infer_intent",
    "read_intent",
    "threshold_for",
]
