"""Cooldowns and caps: per-person limits on expensive commands, per-server model budgets.

Domain code (no Discord imports): adapters ask :class:`UsageLimits` before running an
expensive command, and the model gateway asks it before each model call. The uses are
counted in the database, so all processes sharing it enforce one allowance.
"""

from bot.limits.limiter import DatabaseLimiter, Decision, LimitKey, Rate
from bot.limits.policy import LIMITED_ACTIONS, LimitExceeded, UsageLimits, limits_from_settings

__all__ = [
    "LIMITED_ACTIONS",
    "DatabaseLimiter",
    "Decision",
    "LimitExceeded",
    "LimitKey",
    "Rate",
    "UsageLimits",
    "limits_from_settings",
]
