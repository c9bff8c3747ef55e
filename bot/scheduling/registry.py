"""Kinds of outbox items: each kind may render its own message and react afterwards.

A feature registers its kind once (``registry.register("dialogue.followup", render)``);
items of unregistered kinds are sent as their payload's ``text``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.scheduling.model import DeliveryResult, OutboxItem, OutgoingMessage, default_message

#: Builds the message at send time; None means "nothing to send any more" (skipped).
Renderer = Callable[[OutboxItem], Awaitable[OutgoingMessage | None]]
#: Runs after the item is finished, whatever happened (e.g. schedule the next occurrence).
AfterHook = Callable[[OutboxItem, DeliveryResult | None], Awaitable[None]]
#: Runs when a sent message opened a thread, with the thread's id (before ``after``).
PostedHook = Callable[[OutboxItem, int], Awaitable[None]]


@dataclass(frozen=True)
class Kind:
    render: Renderer | None = None
    after: AfterHook | None = None
    posted: PostedHook | None = None


async def _render_default(item: OutboxItem) -> OutgoingMessage | None:
    return default_message(item.payload)


@dataclass
class KindRegistry:
    kinds: dict[str, Kind] = field(default_factory=dict)

    def register(
        self,
        kind: str,
        render: Renderer | None = None,
        after: AfterHook | None = None,
        posted: PostedHook | None = None,
    ) -> None:
        self.kinds[kind] = Kind(render=render, after=after, posted=posted)

    async def render(self, item: OutboxItem) -> OutgoingMessage | None:
        kind = self.kinds.get(item.kind)
        renderer = kind.render if kind and kind.render else _render_default
        return await renderer(item)

    async def posted(self, item: OutboxItem, where: int) -> None:
        kind = self.kinds.get(item.kind)
        if kind and kind.posted:
            await kind.posted(item, where)

    async def after(self, item: OutboxItem, result: DeliveryResult | None) -> None:
        kind = self.kinds.get(item.kind)
        if kind and kind.after:
            await kind.after(item, result)
