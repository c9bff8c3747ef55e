"""A deliverer that records what would have been sent, with closed-DM users."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.scheduling import Delivery, DeliveryOutcome


@dataclass
class RecordingDeliverer:
    closed_users: set[int] = field(default_factory=set)
    failing_users: set[int] = field(default_factory=set)
    sent: list[Delivery] = field(default_factory=list)
    attempts: list[Delivery] = field(default_factory=list)

    async def deliver(self, delivery: Delivery) -> DeliveryOutcome:
        self.attempts.append(delivery)
        if delivery.user_id in self.closed_users:
            return DeliveryOutcome.closed()
        if delivery.user_id in self.failing_users:
            return DeliveryOutcome.failed("HTTP 503", retry=True)
        self.sent.append(delivery)
        return DeliveryOutcome.sent()

    def keys(self) -> list[str]:
        return [d.key for d in self.sent]
