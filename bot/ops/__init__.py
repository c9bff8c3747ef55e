"""Operations: the health and metrics HTTP endpoint and the metrics registry.

Domain-neutral on purpose: nothing here imports discord. The Discord adapter adds its
gateway check and command timings through :mod:`bot.discord_adapter.health`.
"""

from bot.ops.health import CheckResult, HealthChecks, HealthReport
from bot.ops.metrics import Metrics
from bot.ops.server import OpsServer

__all__ = ["CheckResult", "HealthChecks", "HealthReport", "Metrics", "OpsServer"]
