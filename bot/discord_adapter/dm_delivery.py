"""The Discord side of the outbox: turns an :class:`OutgoingMessage` into a DM.

A DM refused because the person closed their DMs (403, code 50007) is reported as
``closed`` so the scheduler marks them and never retries; rate limits and server
errors are reported as retryable failures.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import discord

from bot.discord_adapter.layouts import TEXT_BUDGET, Block, Card, card_view, first_text
from bot.discord_adapter.messages import NO_MENTIONS, embeds_for, split_text, truncate
from bot.scheduling import Action, Delivery, DeliveryOutcome, OutgoingMessage

log = logging.getLogger(__name__)

CANNOT_DM = 50007
ACTION_PREFIX = "ts:act"


def action_custom_id(action: Action) -> str:
    """``ts:act:<name>:<ref>``: the coaching cog's DynamicItems match these."""
    return f"{ACTION_PREFIX}:{action.name}:{action.ref}"[:100]


def action_buttons(actions: tuple[Action, ...]) -> list[discord.ui.Item[Any]]:
    """Up to five buttons whose custom ids the cogs' DynamicItems match."""
    return [
        discord.ui.Button(
            label=action.label[:80],
            custom_id=action_custom_id(action),
            style=discord.ButtonStyle.secondary,
        )
        for action in actions[:5]
    ]


def action_view(actions: tuple[Action, ...]) -> discord.ui.View | None:
    if not actions:
        return None
    view = discord.ui.View(timeout=None)
    for button in action_buttons(actions):
        view.add_item(button)
    return view


def _heading(message: OutgoingMessage) -> str:
    return truncate(message.title or "", 200)


def as_card(message: OutgoingMessage) -> bool:
    """Whether the message goes out as a V2 card: asked for, and short enough that the
    card need not cut it (4,000 characters across its texts; longer goes in embeds,
    which hold 6,000 across ten)."""
    used = len(_heading(message)) + len(message.text) + 10
    return message.card and bool(message.title) and used <= TEXT_BUDGET


def outgoing_card(message: OutgoingMessage) -> discord.ui.LayoutView:
    """Title, text, the attached images in a media gallery and the buttons, in one box."""
    card = Card(
        title=_heading(message),
        blocks=[Block(message.text)],
        buttons=action_buttons(message.actions),
        images=[a.filename for a in message.attachments],
    )
    return card_view(card)


async def send_outgoing(channel: discord.abc.Messageable, message: OutgoingMessage) -> None:
    """Send text (split within Discord's limits), an optional titled embed, files and
    buttons; the buttons and files ride on the last piece. A card carries it all in
    one V2 message."""
    files = [discord.File(io.BytesIO(a.data), filename=a.filename) for a in message.attachments]
    if as_card(message):
        card = outgoing_card(message)
        await channel.send(view=card, files=files, allowed_mentions=NO_MENTIONS)
        card.stop()  # the cogs' persistent DynamicItems handle the clicks
        return
    view = action_view(message.actions)
    if message.title:
        embeds = embeds_for(message.title, message.text)
        pieces: list[str] = [""]
    else:
        embeds = []
        pieces = split_text(message.text)
    last = len(pieces) - 1
    for index, piece in enumerate(pieces):
        kwargs: dict[str, object] = {"allowed_mentions": NO_MENTIONS}
        if piece:
            kwargs["content"] = piece
        if index == 0 and embeds:
            kwargs["embeds"] = embeds[:10]
        if index == last:
            if files:
                kwargs["files"] = files
            if view is not None:
                kwargs["view"] = view
        await channel.send(**kwargs)  # type: ignore[call-overload]
    if view is not None:
        # The coaching cog's persistent DynamicItems handle the clicks; drop this copy.
        view.stop()


class DiscordDeliverer:
    """Implements :class:`bot.scheduling.Deliverer` with a running bot."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def _arrived(self, channel: discord.abc.Messageable, message: OutgoingMessage) -> bool:
        """Whether a send cut off by a dead process got through: the bot's recent
        messages in the channel include this one (its first piece, or its titled embed)."""
        me = self.client.user
        if me is None:
            return False
        first = "" if message.title else split_text(message.text)[0]
        titled = embeds_for(message.title, message.text)[0] if message.title else None
        heading = f"### {_heading(message)}" if as_card(message) else None
        async for sent in channel.history(limit=25):
            if sent.author.id != me.id:
                continue
            if heading is not None:
                if first_text(sent) == heading:
                    return True
            elif titled is not None:
                if (
                    sent.embeds
                    and sent.embeds[0].title == titled.title
                    and sent.embeds[0].description == titled.description
                ):
                    return True
            elif sent.content == first:
                return True
        return False

    async def _open_thread(self, found: object, delivery: Delivery) -> DeliveryOutcome:
        """A forum post in a forum, or a message and its thread in a text channel."""
        message, uncertain = delivery.message, delivery.uncertain
        name = (message.thread_name or "Thread")[:100]
        if not isinstance(found, discord.ForumChannel | discord.TextChannel):
            return DeliveryOutcome.failed("not a forum or text channel")
        if message.private_members:
            return await self._open_private_thread(found, name, message, delivery)
        me = self.client.user
        if uncertain and me is not None:
            for thread in found.threads:  # opened before the cut-off: don't open another
                if thread.name == name and thread.owner_id == me.id:
                    return DeliveryOutcome.sent(posted_to=thread.id)
        files = [discord.File(io.BytesIO(a.data), filename=a.filename) for a in message.attachments]
        embeds = embeds_for(message.title, message.text) if message.title else []
        content = None if message.title else split_text(message.text)[0]
        view = action_view(message.actions) or discord.utils.MISSING
        if isinstance(found, discord.ForumChannel):
            created = await found.create_thread(
                name=name,
                content=content,
                embeds=embeds[:10],
                files=files,
                view=view,
                allowed_mentions=NO_MENTIONS,
            )
            thread_id = created.thread.id
        else:
            sent = await found.send(
                content=content,
                embeds=embeds[:10],
                files=files,
                view=view,
                allowed_mentions=NO_MENTIONS,
            )
            thread_id = (await sent.create_thread(name=name)).id
        if isinstance(view, discord.ui.View):
            view.stop()  # the cogs' persistent DynamicItems handle the clicks
        return DeliveryOutcome.sent(posted_to=thread_id)

    async def _open_private_thread(
        self,
        found: discord.ForumChannel | discord.TextChannel,
        name: str,
        message: OutgoingMessage,
        delivery: Delivery,
    ) -> DeliveryOutcome:
        """A private thread in a text channel with just these members, then the message.

        Opening it takes several calls, and a process may die between them. So the new
        thread's id goes to ``delivery.opened`` before anyone is added or anything is
        posted, and a retry gets it back as ``existing_thread_id``. If the process died
        before even that, the retry ("uncertain") looks for a thread of ours with this
        name, which the kind makes unique (the pair's id), so it is never another's.
        In a thread found either way, the message is posted only if it is not there yet.
        """
        if not isinstance(found, discord.TextChannel):
            return DeliveryOutcome.failed("private threads need a text channel")
        thread = await self._earlier_thread(found, name, message, delivery)
        reused = thread is not None
        if thread is None:
            thread = await found.create_thread(
                name=name, type=discord.ChannelType.private_thread, invitable=False
            )
        if thread.id != message.existing_thread_id and delivery.opened is not None:
            await delivery.opened(thread.id)
        for user_id in message.private_members:
            await thread.add_user(discord.Object(id=user_id))
        if reused and await self._arrived(thread, message):
            log.info("outbox item %s was already in its thread; not resent", delivery.key)
            return DeliveryOutcome.sent(posted_to=thread.id)
        await send_outgoing(thread, message)
        return DeliveryOutcome.sent(posted_to=thread.id)

    async def _earlier_thread(
        self, found: discord.TextChannel, name: str, message: OutgoingMessage, delivery: Delivery
    ) -> discord.Thread | None:
        """The thread an earlier attempt of this delivery opened, if any is left."""
        if message.existing_thread_id is not None:
            known = found.guild.get_thread(message.existing_thread_id)
            if known is not None:
                return known
            try:
                fetched = await self.client.fetch_channel(message.existing_thread_id)
            except discord.NotFound:
                return None  # deleted since (by a moderator): open a new one
            return fetched if isinstance(fetched, discord.Thread) else None
        me = self.client.user
        if not delivery.uncertain or me is None:
            return None

        def ours(thread: discord.Thread) -> bool:
            return thread.parent_id == found.id and thread.name == name and thread.owner_id == me.id

        for thread in found.threads:  # this process saw it open
            if ours(thread):
                return thread
        # A new process: the bot is in its own private threads, so Discord lists them.
        return next((t for t in await found.guild.active_threads() if ours(t)), None)

    async def _edit(self, found: object, message: OutgoingMessage, message_id: int) -> None:
        if not isinstance(found, discord.abc.Messageable) or not hasattr(
            found, "get_partial_message"
        ):
            raise discord.InvalidData("cannot edit messages there")
        partial = found.get_partial_message(message_id)
        if message.title:
            await partial.edit(content=None, embeds=embeds_for(message.title, message.text)[:10])
        else:
            await partial.edit(content=split_text(message.text)[0])

    async def deliver(self, delivery: Delivery) -> DeliveryOutcome:
        message = delivery.message
        try:
            channel: discord.abc.Messageable
            if message.channel_id is not None:
                found = self.client.get_channel(message.channel_id)
                if found is None:
                    found = await self.client.fetch_channel(message.channel_id)
                if message.thread_name:
                    return await self._open_thread(found, delivery)
                if message.edit_message_id is not None:
                    await self._edit(found, message, message.edit_message_id)
                    return DeliveryOutcome.sent()
                if not isinstance(found, discord.abc.Messageable):
                    return DeliveryOutcome.failed("not a text channel")
                channel = found
            else:
                channel = await self.client.create_dm(discord.Object(id=delivery.user_id))
            if delivery.uncertain and await self._arrived(channel, message):
                log.info("outbox item %s had arrived before the cut-off; not resent", delivery.key)
                return DeliveryOutcome.sent()
            await send_outgoing(channel, message)
        except discord.Forbidden as exc:
            if message.channel_id is None and exc.code in (CANNOT_DM, 0, 50278):
                return DeliveryOutcome.closed(f"DMs closed ({exc.code})")
            return DeliveryOutcome.failed(f"forbidden ({exc.code})")
        except discord.NotFound as exc:
            return DeliveryOutcome.failed(f"not found ({exc.code})")
        except discord.HTTPException as exc:
            retry = exc.status == 429 or exc.status >= 500
            return DeliveryOutcome.failed(f"HTTP {exc.status}", retry=retry)
        except (OSError, TimeoutError) as exc:
            return DeliveryOutcome.failed(type(exc).__name__, retry=True)
        return DeliveryOutcome.sent()
