"""The stored scheduler and DM outbox shared by every feature that sends later.

Use ``services.outbox.schedule(user_id, kind, due_at, payload, key)`` to send a DM
later (idempotent on ``key``) and ``services.outbox.cancel(key)`` to take it back;
register a renderer for your kind with ``services.outbox_kinds.register(kind, render)``.
"""

from bot.scheduling.model import (
    Action,
    Attachment,
    Deliverer,
    Delivery,
    DeliveryOutcome,
    DeliveryResult,
    ItemStatus,
    OutboxItem,
    OutgoingMessage,
    RunReport,
)
from bot.scheduling.outbox import Outbox
from bot.scheduling.registry import KindRegistry
from bot.scheduling.scheduler import Scheduler, SchedulerPolicy

__all__ = [
    "Action",
    "Attachment",
    "Deliverer",
    "Delivery",
    "DeliveryOutcome",
    "DeliveryResult",
    "ItemStatus",
    "KindRegistry",
    "Outbox",
    "OutboxItem",
    "OutgoingMessage",
    "RunReport",
    "Scheduler",
    "SchedulerPolicy",
]
