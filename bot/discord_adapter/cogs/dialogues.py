"""/impossible, /crux, /exercise and /dialogue: the dialogue engine in Discord.

The cog only translates: commands, buttons, forms and typed messages become engine
calls, and whatever the engine has left to send is sent by :meth:`Dialogues.deliver`,
which marks each event delivered right after sending, so a restart re-sends nothing
that went out and loses nothing that did not.
"""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.dialogues import (
    Delivery,
    DialogueError,
    DialogueInfo,
    DialogueKind,
    InvalidAnswer,
    NotAParticipant,
    Person,
    Place,
)
from bot.dialogues.exercise_lookup import describe_miss, find_exercise
from bot.discord_adapter.client import TouchstoneBot
from bot.discord_adapter.dialogue_views import (
    PREFIX,
    AnswerForm,
    DialogueButton,
    form_value,
    parse,
    prompt_card,
)
from bot.discord_adapter.interaction_facts import hosts_dialogues
from bot.discord_adapter.layouts import first_text
from bot.discord_adapter.messages import NO_MENTIONS, embeds_for, respond, split_text, truncate
from bot.discord_adapter.reach import everywhere
from bot.ops.coordination import exclusive
from bot.rendering.summaries import summary_png
from bot.services import Services

log = logging.getLogger(__name__)

#: Where Touchstone was reached only through someone's own install (see the README).
NO_PLACE_HERE = (
    "I can't hold a dialogue here: Touchstone isn't a member of this server or "
    "conversation, so it can't open a thread or write in it. Run the same command in "
    "your DM with Touchstone, or ask the moderators to add it to the server."
)
#: Seconds before retrying a dialogue whose send failed, by attempt (then every 5 min
#: by the sweep as well).
RETRY_DELAYS: tuple[float, ...] = (5.0, 15.0, 45.0, 120.0)


def display(user: discord.abc.User) -> str:
    return user.display_name[:100]


class Dialogues(commands.Cog):
    dialogue = app_commands.Group(name="dialogue", description="Steer or export a dialogue.")

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
        self._recovered = False
        self._checked: set[int] = set()

    async def cog_load(self) -> None:
        self.bot.dialogue_press = self.on_button
        self.sweeper.start()

    async def cog_unload(self) -> None:
        self.bot.dialogue_press = None
        self.sweeper.cancel()
        for task in self._retries.values():
            task.cancel()
        self._retries.clear()

    # -- sending -----------------------------------------------------------------

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

    @tasks.loop(minutes=5)
    async def sweeper(self) -> None:
        try:
            await self.svc.sweep()
            await self.deliver()
        except Exception:
            log.exception("dialogue sweep failed")

    @commands.Cog.listener()
    async def on_touchstone_erasure(self, user_id: int) -> None:
        """A member erased their data: notes for their former partners go out now."""
        await self.deliver()

    @sweeper.before_loop
    async def _before_sweep(self) -> None:
        await self.bot.wait_until_ready()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if not self._recovered:
            self._recovered = True
            await self.deliver()  # whatever a killed process had not sent yet

    # -- answering ---------------------------------------------------------------

    async def _answer(
        self,
        interaction: discord.Interaction,
        dialogue_id: int,
        text: str,
        step: str,
        *,
        form: bool,
    ) -> None:
        """Store, then acknowledge, then call out: the answer is recorded (and its echo
        queued) before "thinking…" is shown, so a kill after the acknowledgement loses
        nothing; whatever is left to send goes out at start-up."""
        try:
            turn = await self.svc.answer(
                dialogue_id, interaction.user.id, text, expected_step=step, echo=True
            )
        except DialogueError as exc:
            keep = f"\n\nYour text, so it isn't lost:\n{text}" if form else ""
            await respond(interaction, str(exc) + keep, ephemeral=True)
            return
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        await self.deliver(dialogue_id)
        prompt = await self.svc.current_prompt(dialogue_id)
        if prompt is not None and prompt.private and turn.seat and form:
            done = "Saved. They stay hidden until both of you have submitted."
        else:
            done = f"Recorded: {truncate(turn.answer, 200)}"
        await respond(interaction, done, ephemeral=True)

    async def on_button(
        self, interaction: discord.Interaction, dialogue_id: int, action: str, step: str, value: str
    ) -> None:
        if action == "write":
            prompt = await self.svc.current_prompt(dialogue_id)
            try:
                info = await self.svc.get(dialogue_id)
            except DialogueError as exc:
                await respond(interaction, str(exc), ephemeral=True)
                return
            if interaction.user.id not in info.user_ids:
                await respond(
                    interaction, "Only the people in this dialogue can answer.", ephemeral=True
                )
                return
            if prompt is None or prompt.key != step:
                await respond(
                    interaction, "That question has already been answered.", ephemeral=True
                )
                return
            await interaction.response.send_modal(
                AnswerForm(dialogue_id, step, prompt.text, prompt.private)
            )
            return
        await self._answer(interaction, dialogue_id, value, step, form=False)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom = str(data.get("custom_id", ""))
        parsed = parse(custom) if custom.startswith(PREFIX) else None
        if parsed is None or parsed[1] != "form":
            return
        await self._answer(interaction, parsed[0], form_value(data), parsed[2], form=True)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not message.content:
            return
        in_dm = message.guild is None
        if not in_dm and not isinstance(message.channel, discord.Thread):
            return
        dialogues = await self.svc.in_channel(message.channel.id)
        if not dialogues:
            return
        author = message.author.id
        if not any(author in d.user_ids for d in dialogues):
            names = dialogues[0].names(list(dialogues[0].seats))
            await message.reply(
                f"This thread is a dialogue between {names}; only they can answer here.",
                allowed_mentions=NO_MENTIONS,
                mention_author=False,
            )
            return
        info = await self.svc.awaiting(author, dialogues)
        if info is None:
            return  # chatting between turns is fine
        prompt = await self.svc.current_prompt(info.id)
        if prompt is not None and prompt.private:
            await message.reply(
                "Use the button “Write my cruxes privately” so the other person can't see "
                "them yet. (This message was not recorded as your cruxes.)",
                allowed_mentions=NO_MENTIONS,
                mention_author=False,
            )
            return
        try:
            await self.svc.answer(info.id, author, message.content)
        except (InvalidAnswer, NotAParticipant, DialogueError) as exc:
            await message.reply(str(exc), allowed_mentions=NO_MENTIONS, mention_author=False)
            return
        await self.deliver(info.id)

    # -- commands ----------------------------------------------------------------

    async def _allowed(self, interaction: discord.Interaction, kind: DialogueKind) -> bool:
        """Tell the user privately, before any thread is opened, when moderators said no
        or when the bot can't hold a dialogue here."""
        if not hosts_dialogues(interaction):
            await respond(interaction, NO_PLACE_HERE, ephemeral=True)
            return False
        try:
            await self.svc.ensure_allowed(kind, interaction.guild_id)
        except DialogueError as exc:
            await respond(interaction, str(exc), ephemeral=True)
            return False
        return True

    async def _place(self, interaction: discord.Interaction, title: str) -> Place | None:
        """A private thread for the user in a server; the DM channel in DMs."""
        if interaction.guild is None:
            return Place(channel_id=interaction.channel_id, in_dm=True)
        rules = await self.svc.server_rules(interaction.guild_id)
        configured = (
            interaction.guild.get_channel(rules.thread_channel_id)
            if rules.thread_channel_id
            else None
        )
        channel = configured if isinstance(configured, discord.TextChannel) else interaction.channel
        if not isinstance(channel, discord.TextChannel):
            await respond(
                interaction, "Start this in a text channel (or in DMs with me).", ephemeral=True
            )
            return None
        thread = await channel.create_thread(
            name=truncate(title, 90), type=discord.ChannelType.private_thread, invitable=False
        )
        await thread.add_user(interaction.user)
        return Place(interaction.guild_id, thread.id, channel.id)

    async def _started(self, interaction: discord.Interaction, info: DialogueInfo) -> None:
        await self.deliver(info.id)
        where = f"<#{info.channel_id}>" if info.channel_id and not info.in_dm else "here"
        await respond(interaction, f"Dialogue #{info.id} started {where}.", ephemeral=True)

    @everywhere()
    @app_commands.command(
        name="impossible", description="Very specifically, why is this impossible?"
    )
    @app_commands.describe(goal="The goal that feels impossible", depth="How deep to dig (1-6)")
    async def impossible(
        self,
        interaction: discord.Interaction,
        goal: app_commands.Range[str, 1, 500],
        depth: app_commands.Range[int, 1, 6] | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        if not await self._allowed(interaction, DialogueKind.IMPOSSIBLE):
            return
        place = await self._place(interaction, f"Impossible? {goal}")
        if place is None:
            return
        person = Person(interaction.user.id, display(interaction.user))
        info = await self.svc.start_impossible(person, goal, place, max_depth=depth)
        await self._started(interaction, info)

    @everywhere()
    @app_commands.command(
        name="crux", description="Double crux with someone (or, in DMs, with yourself)."
    )
    @app_commands.describe(
        claim="What you disagree about",
        partner="Who you disagree with (leave out in DMs for an internal double crux)",
        side_a="Solo mode: a neutral name for one side of you",
        side_b="Solo mode: a neutral name for the other side",
    )
    async def crux(
        self,
        interaction: discord.Interaction,
        claim: app_commands.Range[str, 1, 500],
        partner: discord.User | None = None,
        side_a: app_commands.Range[str, 1, 60] | None = None,
        side_b: app_commands.Range[str, 1, 60] | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        if not await self._allowed(interaction, DialogueKind.CRUX):
            return
        me = Person(interaction.user.id, display(interaction.user))
        try:
            if interaction.guild is None or partner is None:
                if interaction.guild is not None:
                    await respond(
                        interaction,
                        "Pick a partner, or run /crux in a DM with me for an internal double crux.",
                        ephemeral=True,
                    )
                    return
                # Sides left out are named neutrally as the dialogue's first questions.
                sides = (side_a or "", side_b or "")
                info = await self.svc.start_crux(
                    me,
                    None,
                    claim,
                    Place(channel_id=interaction.channel_id, in_dm=True),
                    sides=sides,
                )
            else:
                if partner.bot:
                    await respond(interaction, "Pick a person, not a bot.", ephemeral=True)
                    return
                info = await self.svc.start_crux(
                    me,
                    Person(partner.id, display(partner)),
                    claim,
                    Place(interaction.guild_id, None, interaction.channel_id),
                )
        except DialogueError as exc:
            await respond(interaction, str(exc), ephemeral=True)
            return
        await self.deliver(info.id)
        text = (
            f"Invitation sent to {display(partner)}."
            if partner is not None and interaction.guild is not None
            else f"Dialogue #{info.id} started here."
        )
        await respond(interaction, text, ephemeral=True)

    @everywhere()
    @app_commands.command(name="exercise", description="Run a guided exercise from the notes.")
    @app_commands.describe(name="The exercise")
    async def exercise(self, interaction: discord.Interaction, name: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.services.knowledge_ready()
        notes = self.services.knowledge.list_notes(guild_id=interaction.guild_id)
        lookup = find_exercise(notes, name)
        note = lookup.note
        if note is None:
            await respond(
                interaction,
                truncate(describe_miss(name, lookup) + " Pick one from the list.", 300),
                ephemeral=True,
            )
            return
        if not await self._allowed(interaction, DialogueKind.EXERCISE):
            return
        place = await self._place(interaction, note.title)
        if place is None:
            return
        try:
            info = await self.svc.start_exercise(
                Person(interaction.user.id, display(interaction.user)), note, place
            )
        except DialogueError as exc:
            await respond(interaction, str(exc), ephemeral=True)
            return
        await self._started(interaction, info)

    @exercise.autocomplete("name")
    async def exercise_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if not self.services.knowledge_ready().done():
            return []
        needle = current.lower()
        notes = [
            n
            for n in self.services.knowledge.list_notes(guild_id=interaction.guild_id)
            if n.steps and (needle in n.title.lower() or needle in n.id)
        ]
        return [app_commands.Choice(name=truncate(n.title, 100), value=n.id) for n in notes[:25]]

    async def _target(self, interaction: discord.Interaction) -> DialogueInfo | None:
        here = [
            d
            for d in await self.svc.in_channel(interaction.channel_id or 0)
            if interaction.user.id in d.user_ids
        ]
        mine = here or await self.svc.open_for_user(interaction.user.id)
        if not mine:
            mine = await self.svc.open_for_user(interaction.user.id, include_closed=True)
        if not mine:
            await respond(interaction, "You have no dialogue to do that with.", ephemeral=True)
            return None
        return mine[0]

    async def _steer(self, interaction: discord.Interaction, action: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        info = await self._target(interaction)
        if info is None:
            return
        try:
            await getattr(self.svc, action)(info.id, interaction.user.id)
        except DialogueError as exc:
            await respond(interaction, str(exc), ephemeral=True)
            return
        await self.deliver(info.id)
        await respond(interaction, f"Dialogue #{info.id}: {action} done.", ephemeral=True)

    @dialogue.command(name="pause", description="Pause the dialogue (anyone in it).")
    async def pause(self, interaction: discord.Interaction) -> None:
        await self._steer(interaction, "pause")

    @dialogue.command(name="resume", description="Resume a paused dialogue.")
    async def resume(self, interaction: discord.Interaction) -> None:
        await self._steer(interaction, "resume")

    @dialogue.command(name="end", description="End the dialogue; the transcript is kept.")
    async def end(self, interaction: discord.Interaction) -> None:
        await self._steer(interaction, "end")

    @dialogue.command(name="export", description="The whole dialogue as a Markdown file.")
    async def export(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        info = await self._target(interaction)
        if info is None:
            return
        try:
            text = await self.svc.export_markdown(info.id, interaction.user.id)
        except DialogueError as exc:
            await respond(interaction, str(exc), ephemeral=True)
            return
        file = discord.File(io.BytesIO(text.encode()), filename=f"dialogue-{info.id}.md")
        await respond(interaction, f"Dialogue #{info.id}, exported.", file=file, ephemeral=True)


async def setup(bot: TouchstoneBot) -> None:
    services = bot.services
    bot.add_dynamic_items(DialogueButton)
    await bot.add_cog(Dialogues(bot, services))
