"""/impossible, /crux, /exercise and /dialogue: the dialogue engine in Discord.

The cog only translates: commands, buttons, forms and typed messages become engine
calls, and whatever the engine has left to send is sent by :meth:`Dialogues.deliver`,
which marks each event delivered right after sending, so a restart re-sends nothing
that went out and loses nothing that did not.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import catalog
from bot.dialogues import (
    DialogueError,
    DialogueInfo,
    DialogueKind,
    InvalidAnswer,
    NotAParticipant,
    Person,
    Place,
)
from bot.dialogues.exercise_lookup import describe_miss, find_exercise
from bot.discord_adapter.acknowledging import acknowledge
from bot.discord_adapter.client import TouchstoneBot
from bot.discord_adapter.cogs.dialogue_delivery import DialogueDelivery
from bot.discord_adapter.dialogue_views import (
    PREFIX,
    AnswerForm,
    DialogueButton,
    form_value,
    parse,
)
from bot.discord_adapter.interaction_facts import hosts_dialogues
from bot.discord_adapter.messages import NO_MENTIONS, respond, truncate
from bot.discord_adapter.reach import everywhere
from bot.services import Services

log = logging.getLogger(__name__)

#: Where Touchstone was reached only through someone's own install (see the README).
NO_PLACE_HERE = (
    "I can't hold a dialogue here: Touchstone isn't a member of this server or "
    "conversation, so it can't open a thread or write in it. Run the same command in "
    "your DM with Touchstone, or ask the moderators to add it to the server."
)


def display(user: discord.abc.User) -> str:
    return user.display_name[:100]


class Dialogues(commands.Cog):
    dialogue = app_commands.Group(name="dialogue", description=catalog.description("dialogue"))

    def __init__(self, bot: TouchstoneBot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self.svc = services.dialogues
        self.delivery = DialogueDelivery(bot, services)
        self._recovered = False

    async def cog_load(self) -> None:
        self.bot.dialogue_press = self.on_button
        self.sweeper.start()

    async def cog_unload(self) -> None:
        self.bot.dialogue_press = None
        self.sweeper.cancel()
        self.delivery.cancel_retries()

    async def deliver(self, dialogue_id: int | None = None) -> None:
        """Send every undelivered event (of one dialogue, or all), in order."""
        await self.delivery.deliver(dialogue_id)

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
            await acknowledge(interaction)
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
            info = await self.svc.get(dialogue_id)
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
    @app_commands.command(name="impossible", description=catalog.description("impossible"))
    @app_commands.describe(goal="The goal that feels impossible", depth="How deep to dig (1-6)")
    async def impossible(
        self,
        interaction: discord.Interaction,
        goal: app_commands.Range[str, 1, 500],
        depth: app_commands.Range[int, 1, 6] | None = None,
    ) -> None:
        await acknowledge(interaction)
        if not await self._allowed(interaction, DialogueKind.IMPOSSIBLE):
            return
        place = await self._place(interaction, f"Impossible? {goal}")
        if place is None:
            return
        person = Person(interaction.user.id, display(interaction.user))
        info = await self.svc.start_impossible(person, goal, place, max_depth=depth)
        await self._started(interaction, info)

    @everywhere()
    @app_commands.command(name="crux", description=catalog.description("crux"))
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
        await acknowledge(interaction)
        if not await self._allowed(interaction, DialogueKind.CRUX):
            return
        me = Person(interaction.user.id, display(interaction.user))
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
        await self.deliver(info.id)
        text = (
            f"Invitation sent to {display(partner)}."
            if partner is not None and interaction.guild is not None
            else f"Dialogue #{info.id} started here."
        )
        await respond(interaction, text, ephemeral=True)

    @everywhere()
    @app_commands.command(name="exercise", description=catalog.description("exercise"))
    @app_commands.describe(name="The exercise")
    async def exercise(self, interaction: discord.Interaction, name: str) -> None:
        await acknowledge(interaction)
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
        info = await self.svc.start_exercise(
            Person(interaction.user.id, display(interaction.user)), note, place
        )
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
        info = await self.svc.target_for(interaction.user.id, interaction.channel_id)
        if info is None:
            await respond(interaction, "You have no dialogue to do that with.", ephemeral=True)
        return info

    async def _steer(self, interaction: discord.Interaction, action: str) -> None:
        await acknowledge(interaction)
        info = await self._target(interaction)
        if info is None:
            return
        await getattr(self.svc, action)(info.id, interaction.user.id)
        await self.deliver(info.id)
        await respond(interaction, f"Dialogue #{info.id}: {action} done.", ephemeral=True)

    @dialogue.command(name="pause", description=catalog.description("dialogue pause"))
    async def pause(self, interaction: discord.Interaction) -> None:
        await self._steer(interaction, "pause")

    @dialogue.command(name="resume", description=catalog.description("dialogue resume"))
    async def resume(self, interaction: discord.Interaction) -> None:
        await self._steer(interaction, "resume")

    @dialogue.command(name="end", description=catalog.description("dialogue end"))
    async def end(self, interaction: discord.Interaction) -> None:
        await self._steer(interaction, "end")

    @dialogue.command(name="export", description=catalog.description("dialogue export"))
    async def export(self, interaction: discord.Interaction) -> None:
        await acknowledge(interaction)
        info = await self._target(interaction)
        if info is None:
            return
        text = await self.svc.export_markdown(info.id, interaction.user.id)
        file = discord.File(io.BytesIO(text.encode()), filename=f"dialogue-{info.id}.md")
        await respond(interaction, f"Dialogue #{info.id}, exported.", file=file, ephemeral=True)


async def setup(bot: TouchstoneBot) -> None:
    services = bot.services
    bot.add_dynamic_items(DialogueButton)
    await bot.add_cog(Dialogues(bot, services))
