"""Sending a dialogue's events: in order per dialogue, each marked delivered right
after it is sent, retried soon when a send fails (see :class:`DialogueDelivery`)."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any

import discord

from bot.dialogues import Delivery, DialogueInfo
from bot.discord_adapter.client import TouchstoneBot
from bot.discord_adapter.dialogue_views import prompt_card
from bot.discord_adapter.layouts import first_text
from bot.discord_adapter.messages import NO_MENTIONS, embeds_for, split_text, truncate
from bot.ops.coordination import exclusive
from bot.rendering.summaries import summary_png
from bot.services import Services

#: The cog's logger, so the lines read as they did before the cog was split.
log = logging.getLogger("bot.discord_adapter.cogs.dialogues")

#: Seconds before retrying a dialogue whose send failed, by attempt (then every 5 min
#: by the sweep as well).
RETRY_DELAYS: tuple[float, ...] = (5.0, 15.0, 45.0, 120.0)


class DialogueDelivery:
    """What the Dialogues cog sends, and how: :meth:`deliver` is ``Dialogues.deliver``."""

    def __init__(self, bot: TouchstoneBot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self.svc = services.dialogues
        #: One lock per dialogue: each dialogue is one channel's ordered stream of
        #: messages, so a slow or rate-limited channel holds back only its own dialogue.
        self._delivering: dict[int, asyncio.Lock] = {}
        #: Dialogues whose last send failed, with their pending retry.
        self._retries: dict[int, asyncio.Task[None]] = {}
        #: Dialogues one sweep delivers at once (each in its own channel).
        self._sweep_parallel = asyncio.Semaphore(16)
        self._checked: set[int] = set()

    def cancel_retries(self) -> None:
        for task in self._retries.values():
            task.cancel()
        self._retries.clear()

    async def _channel(self, info: DialogueInfo) -> discord.abc.Messageable | None:
        channel_id = info.channel_id or info.origin_channel_id
        if channel_id is None:
            return None
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.HTTPException:
                if info.in_dm:
                    user = await self.bot.fetch_user(info.owner_id)
                    return await user.create_dm()
                return None
        return channel if isinstance(channel, discord.abc.Messageable) else None

    async def _ensure_thread(self, info: DialogueInfo) -> DialogueInfo:
        """An accepted invitation gets its private thread (created once, even after a crash)."""
        if info.channel_id is not None or info.in_dm or info.origin_channel_id is None:
            return info
        if info.status != "active" or info.step in ("", "invite"):
            return info
        parent = self.bot.get_channel(info.origin_channel_id) or await self.bot.fetch_channel(
            info.origin_channel_id
        )
        if not isinstance(parent, discord.TextChannel):
            return info
        thread = await parent.create_thread(
            name=truncate(info.title, 90),
            type=discord.ChannelType.private_thread,
            invitable=False,
        )
        for user_id in sorted(info.user_ids):
            await thread.add_user(discord.Object(id=user_id))
        await self.svc.attach_channel(info.id, thread.id)
        return await self.svc.get(info.id)

    async def deliver(self, dialogue_id: int | None = None) -> None:
        """Send every undelivered event (of one dialogue, or all), in order.

        Order is kept per dialogue (its channel) and nothing is serialised across
        dialogues: a 429 in one thread delays only that thread. Each dialogue is
        delivered under its own lock in this process and a cluster-wide lock across
        processes, re-reading what is still pending inside them, so two shard processes
        (one answering, one sweeping) never send the same event twice.
        """
        if dialogue_id is not None:
            await self._deliver_locked(dialogue_id)
            return
        dialogue_ids = list(
            dict.fromkeys(d.dialogue.id for d in await self.svc.pending_deliveries(None))
        )

        async def one(dialogue: int) -> None:
            async with self._sweep_parallel:
                await self._deliver_locked(dialogue)

        await asyncio.gather(*(one(d) for d in dialogue_ids))

    async def _deliver_locked(self, dialogue_id: int, attempt: int = 0) -> None:
        lock = self._delivering.setdefault(dialogue_id, asyncio.Lock())
        try:
            async with lock, exclusive(self.services.db, f"dialogue-delivery:{dialogue_id}"):
                delivered = await self._deliver_one(dialogue_id)
        except Exception:
            # One broken dialogue must not hold back every other one.
            log.exception("dialogue %d: delivery skipped", dialogue_id)
            delivered = False
        if not delivered:
            self._retry_soon(dialogue_id, attempt)

    def _retry_soon(self, dialogue_id: int, attempt: int) -> None:
        """Try a dialogue whose send failed again soon, backing off, instead of leaving
        its member waiting for the five-minute sweep (a long 429 on their thread)."""
        pending = self._retries.get(dialogue_id)
        if pending is not None and not pending.done():
            return
        delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]

        async def later() -> None:
            await asyncio.sleep(delay)
            self._retries.pop(dialogue_id, None)
            await self._deliver_locked(dialogue_id, attempt + 1)

        self._retries[dialogue_id] = asyncio.create_task(later())

    async def _deliver_one(self, dialogue_id: int) -> bool:
        """Send the dialogue's pending events in order; False when a send failed."""
        threads: dict[int, DialogueInfo] = {}
        for delivery in await self.svc.pending_deliveries(dialogue_id):
            info = threads.get(delivery.dialogue.id) or await self._ensure_thread(delivery.dialogue)
            threads[info.id] = info
            try:
                delivery = await self.svc.prepare(delivery)
                message_id = None
                if info.id not in self._checked:
                    # A process killed between sending and recording may have sent
                    # this already: look before sending it a second time.
                    self._checked.add(info.id)
                    message_id = await self._already_sent(info, delivery)
                if message_id is None:
                    message_id = await self._send(info, delivery)
            except discord.HTTPException as exc:
                log.warning("dialogue %d: could not send event %d: %s", info.id, delivery.seq, exc)
                return False  # keep order: retried soon, or by the sweep
            await self.svc.mark_delivered(delivery.event_id, message_id)
        return True

    async def _already_sent(self, info: DialogueInfo, delivery: Delivery) -> int | None:
        channel = await self._channel(info)
        me = self.bot.user
        if channel is None or me is None:
            return None
        first = split_text(self._text(info, delivery))[0]
        async for message in channel.history(limit=20):
            if message.author.id != me.id:
                continue
            if delivery.kind == "summary":
                if message.embeds and (message.embeds[0].description or "").startswith(
                    delivery.text[:200]
                ):
                    return message.id
            elif first_text(message) == first:
                return message.id
        return None

    @staticmethod
    def _text(info: DialogueInfo, delivery: Delivery) -> str:
        text = delivery.text
        if delivery.kind == "answer":
            seat = delivery.meta.get("seat")
            who = info.seats[seat].name if seat in info.seats else "?"
            text = f"**{who}:** {text}"
        if delivery.prompt is not None and delivery.prompt.seats and not info.in_dm:
            waiting = info.waiting_for(delivery.prompt)
            text += f"\n-# Waiting for {waiting}."
        return text

    async def _send(self, info: DialogueInfo, delivery: Delivery) -> int | None:
        channel = await self._channel(info)
        if channel is None:
            log.warning(
                "dialogue %d has no reachable channel; event %d kept", info.id, delivery.seq
            )
            return None
        text = self._text(info, delivery)
        if delivery.kind == "summary":
            return await self._send_summary(info, delivery, channel)
        pieces = split_text(text)
        message = None
        for index, piece in enumerate(pieces):
            if index == len(pieces) - 1 and delivery.prompt is not None:
                # The question (its last piece, if long) is a V2 card with its buttons.
                card = prompt_card(info.id, delivery.prompt, piece)
                message = await channel.send(view=card, allowed_mentions=NO_MENTIONS)
            else:
                message = await channel.send(piece, allowed_mentions=NO_MENTIONS)
        return message.id if message else None

    async def _send_summary(
        self, info: DialogueInfo, delivery: Delivery, channel: discord.abc.Messageable
    ) -> int | None:
        summary = await self.svc.summary(info.id)
        title = str(delivery.meta.get("title") or info.title)
        png = await summary_png(summary) if summary is not None else None

        def file() -> discord.File | Any:
            if png is None:
                return discord.utils.MISSING
            return discord.File(io.BytesIO(png), filename=f"dialogue-{info.id}.png")

        message = await channel.send(
            embeds=embeds_for(truncate(title, 250), delivery.text, f"dialogue #{info.id}"),
            file=file(),
            allowed_mentions=NO_MENTIONS,
        )
        if (
            delivery.meta.get("share")
            and info.origin_channel_id
            and info.channel_id
            and await self.svc.may_share_publicly(info)
        ):
            origin = self.bot.get_channel(info.origin_channel_id)
            if isinstance(origin, discord.abc.Messageable):
                await origin.send(
                    embeds=embeds_for(truncate(title, 250), delivery.text, f"dialogue #{info.id}"),
                    file=file(),
                    allowed_mentions=NO_MENTIONS,
                )
        return message.id
