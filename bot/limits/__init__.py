"""Cooldowns and caps: per-person limits on expensive commands, per-server model budgets.

Pure domain code (no Discord imports): adapters ask :class:`UsageLimits` before running
an expensive command, and the model gateway asks it before each model call.
"""

from bot.limits.limiter import Decision, Rate, SlidingWindowLimiter
from bot.limits.policy import LIMITED_ACTIONS, LimitExceeded, UsageLimits, limits_from_settings

__all__ = [
    "LIMITED_ACTIONS",
    "Decision",
    "LimitExceeded",
    "Rate",
    "SlidingWindowLimiter",
    "UsageLimits",
    "limits_from_settings",
]
