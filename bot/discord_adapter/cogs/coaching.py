"""/coach and /practice, the orient "Quick version" button, and DM answers.

Thin on purpose: every rule lives in :mod:`bot.coaching`; this cog turns options into
calls and results into private replies.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot import catalog
from bot.coaching import InputProblem, match_timezones
from bot.coaching import text as words
from bot.dialogues import DialogueError
from bot.discord_adapter.acknowledging import acknowledge, wait_turn
from bot.discord_adapter.client import TouchstoneBot, touchstone
from bot.discord_adapter.coach_form import START_FORM_ID, CoachStartForm, start_answers
from bot.discord_adapter.errors import message_for, tell_failure
from bot.discord_adapter.forms import FORM_PREFIX, form_custom_id, form_values
from bot.discord_adapter.interaction_facts import require_moderator
from bot.discord_adapter.messages import NO_MENTIONS, embeds_for, respond, truncate
from bot.discord_adapter.reach import everywhere_contexts, everywhere_installs
from bot.errors import Refusal
from bot.services import Services

log = logging.getLogger(__name__)
T = TypeVar("T")

DMS_NOTICE = (
    "I couldn't send you a DM: your DMs are closed to me. To reopen them, right-click "
    "(or long-press) this server → Privacy Settings → turn on Direct Messages, then run "
    "/coach resume so coaching can reach you again."
)


async def attempt(interaction: discord.Interaction, call: Awaitable[T]) -> T | None:
    """Run a domain call; bad input becomes a clear private message."""
    try:
        return await call
    except InputProblem as problem:
        await respond(interaction, str(problem), ephemeral=True)
        return None


async def worded(call: Awaitable[T], wording: Callable[[T], str]) -> str:
    """A domain result in the words of :mod:`bot.coaching.text`."""
    return wording(await call)


class QuickVersionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"ts:act:orient\.quick:(?P<ref>\d+)",
):
    """Persistent: the session id is in the custom id, so it works after restarts."""

    def __init__(self, session_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Quick version",
                custom_id=f"ts:act:orient.quick:{session_id}",
                style=discord.ButtonStyle.secondary,
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> QuickVersionButton:
        return cls(int(match["ref"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        services = touchstone(interaction).services
        quick = await services.coaching.quick_version(self.session_id, interaction.user.id)
        await respond(interaction, words.quick_version(quick))


PROMPTS_FORM = re.compile(r"ts:form:prompts:(?P<guild>\d+)")
PROMPTS_FIELD = "prompts"


class PromptsForm(discord.ui.Modal):
    """The whole prompt list, one per line: add, edit, reorder and remove in one place.

    Submissions are handled by custom id in :meth:`Coaching.on_interaction`, so a form
    opened before a restart is still saved after it.
    """

    prompts: discord.ui.TextInput[PromptsForm] = discord.ui.TextInput(
        label="One prompt per line (empty = default)",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=4000,
        custom_id=PROMPTS_FIELD,
    )

    def __init__(self, current: list[str], guild_id: int | None) -> None:
        title = "Server default prompts" if guild_id is not None else "Your morning prompts"
        super().__init__(
            title=title, custom_id=f"{FORM_PREFIX}prompts:{guild_id or 0}", timeout=None
        )
        self.prompts.default = "\n".join(current)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        return  # handled by Coaching.on_interaction, which also works after a restart


class Coaching(commands.Cog):
    coach = app_commands.Group(
        name="coach",
        description=catalog.description("coach"),
        allowed_installs=everywhere_installs(),
        allowed_contexts=everywhere_contexts(),
    )
    practice = app_commands.Group(
        name="practice",
        description=catalog.description("practice"),
        allowed_installs=everywhere_installs(),
        allowed_contexts=everywhere_contexts(),
    )
    push = app_commands.Group(
        name="push", description=catalog.description("practice push"), parent=practice
    )

    def __init__(self, services: Services) -> None:
        self.services = services

    # --- /coach --------------------------------------------------------------------------

    @coach.command(name="start", description=catalog.description("coach start"))
    @app_commands.describe(
        timezone="Your time zone, e.g. Europe/Berlin (leave out to choose in a form)",
        time="Time of day for the morning prompts, e.g. 07:30 (default: the server's)",
        days="Which days: every day, weekdays, or e.g. mon,wed,fri (default: the server's)",
        nudge="A reminder in the evening if you haven't logged practice",
    )
    async def coach_start(
        self,
        interaction: discord.Interaction,
        timezone: str | None = None,
        time: str | None = None,
        days: str | None = None,
        nudge: bool = False,
    ) -> None:
        if timezone is None:
            await interaction.response.send_modal(CoachStartForm())
            return
        await self._start(interaction, timezone, time, days, nudge)

    async def _start(
        self,
        interaction: discord.Interaction,
        timezone: str,
        time: str | None,
        days: str | None,
        nudge: bool,
    ) -> None:
        """Start coaching from the command's options or the submitted form."""
        await acknowledge(interaction)
        await self.services.users.mark_dms_open(interaction.user.id)
        view = await attempt(
            interaction,
            self.services.coaching.start(
                interaction.user.id,
                timezone=timezone,
                local_time=time,
                days=days,
                guild_id=interaction.guild_id,
                nudge=nudge,
            ),
        )
        if view is not None:
            await respond(
                interaction, words.schedule(view) + "\n\nI'll DM you now.", ephemeral=True
            )

    @coach_start.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in match_timezones(current)]

    @coach.command(name="settings", description=catalog.description("coach settings"))
    @app_commands.describe(
        timezone="New time zone",
        time="New time for the morning prompts",
        days="New days",
        nudge="Evening practice reminder on or off",
        nudge_time="Time of the practice reminder",
    )
    async def coach_settings(
        self,
        interaction: discord.Interaction,
        timezone: str | None = None,
        time: str | None = None,
        days: str | None = None,
        nudge: bool | None = None,
        nudge_time: str | None = None,
    ) -> None:
        await acknowledge(interaction)
        view = await attempt(
            interaction,
            self.services.coaching.update_settings(
                interaction.user.id,
                timezone=timezone,
                local_time=time,
                days=days,
                nudge=nudge,
                nudge_time=nudge_time,
            ),
        )
        if view is not None:
            await respond(interaction, words.schedule(view), ephemeral=True)

    coach_settings.autocomplete("timezone")(timezone_autocomplete)

    @coach.command(name="pause", description=catalog.description("coach pause"))
    @app_commands.describe(until="Last day of the pause: 2026-04-12, 'tomorrow' or '10 days'")
    async def coach_pause(self, interaction: discord.Interaction, until: str) -> None:
        await acknowledge(interaction)
        view = await attempt(
            interaction, self.services.coaching.pause_until(interaction.user.id, until)
        )
        if view is not None:
            await respond(interaction, words.schedule(view), ephemeral=True)

    @coach.command(name="resume", description=catalog.description("coach resume"))
    async def coach_resume(self, interaction: discord.Interaction) -> None:
        await acknowledge(interaction)
        await self.services.users.mark_dms_open(interaction.user.id)
        view = await attempt(interaction, self.services.coaching.resume(interaction.user.id))
        if view is not None:
            await respond(interaction, words.schedule(view), ephemeral=True)

    @coach.command(name="stop", description=catalog.description("coach stop"))
    async def coach_stop(self, interaction: discord.Interaction) -> None:
        await acknowledge(interaction)
        stopped = await self.services.coaching.stop(interaction.user.id)
        await respond(interaction, words.coaching_stopped(stopped), ephemeral=True)

    @coach.command(name="prompts", description=catalog.description("coach prompts"))
    async def coach_prompts(self, interaction: discord.Interaction) -> None:
        prompts, _source = await self.services.coaching.prompts(interaction.user.id)
        await interaction.response.send_modal(PromptsForm(prompts, None))

    @coach.command(name="server-prompts", description=catalog.description("coach server-prompts"))
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def coach_server_prompts(self, interaction: discord.Interaction) -> None:
        await require_moderator(interaction, self.services)
        assert interaction.guild_id is not None
        current = await self.services.coaching.server_default_prompts(interaction.guild_id)
        await interaction.response.send_modal(PromptsForm(current, interaction.guild_id))

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A prompts form submitted, also one opened before a restart."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        if form_custom_id(interaction.data) == START_FORM_ID:
            await self._start_from_form(interaction)
            return
        match = PROMPTS_FORM.fullmatch(form_custom_id(interaction.data))
        if match is None:
            return
        text = form_values(interaction.data).get(PROMPTS_FIELD, "")
        guild_id = int(match["guild"]) or None
        try:
            await self._save_prompts(interaction, guild_id, text)
        except Exception as exc:
            problem, worth_logging = message_for(exc)
            if worth_logging:
                log.error("prompts form failed", exc_info=exc)
            keep = f"\n\nHere is what you wrote, so you can retry:\n\n{text}" if text else ""
            try:
                await respond(interaction, problem + keep, ephemeral=True)
            except discord.HTTPException:
                log.warning("could not give the prompts back to user %s", interaction.user.id)

    async def _start_from_form(self, interaction: discord.Interaction) -> None:
        answers = start_answers(interaction.data)
        try:  # a form is not a command: the tree's error handler never sees it
            timezone, days = answers.timezone(), answers.days_text()
        except Refusal as refusal:
            await tell_failure(interaction, refusal, "coach start form")
            return
        await self._start(interaction, timezone, answers.time or None, days, answers.nudge)

    async def _save_prompts(
        self, interaction: discord.Interaction, guild_id: int | None, text: str
    ) -> None:
        if guild_id is not None:
            # The form was opened by a moderator; the ladder is checked again on submit.
            await require_moderator(interaction, self.services)
        # Saving touches the database: acknowledge within Discord's 3 seconds first.
        await acknowledge(interaction)
        lines = text.splitlines()
        coaching = self.services.coaching
        if guild_id is not None:
            saved = await attempt(
                interaction,
                coaching.set_server_default_prompts(guild_id, lines, interaction.user.id),
            )
            lead = "Server default prompts saved."
        else:
            saved = await attempt(interaction, coaching.set_prompts(interaction.user.id, lines))
            lead = "Your prompts are saved."
        if saved is None:
            return
        listing = "\n".join(f"{n}. {p}" for n, p in enumerate(saved, 1)) or "(the default list)"
        await respond(interaction, f"{lead}\n{listing}", ephemeral=True)

    # --- /practice -----------------------------------------------------------------------

    @practice.command(name="log", description=catalog.description("practice log"))
    @app_commands.describe(
        minutes="How many minutes",
        skill="Which skill",
        practised="What you practised",
        noticed="What you noticed",
    )
    async def practice_log(
        self,
        interaction: discord.Interaction,
        minutes: app_commands.Range[int, 1, 720],
        skill: app_commands.Range[str, 1, 100],
        practised: app_commands.Range[str, 1, 1000] | None = None,
        noticed: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        await acknowledge(interaction)
        result = await attempt(
            interaction,
            self.services.coaching.log_practice(
                interaction.user.id, minutes, skill, practised, noticed
            ),
        )
        if result is not None:
            await respond(interaction, words.logged(result), ephemeral=True)

    @practice_log.autocomplete("skill")
    async def skill_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        skills = await self.services.coaching.skill_suggestions(interaction.user.id, current)
        return [app_commands.Choice(name=truncate(s, 100), value=s[:100]) for s in skills]

    @practice.command(name="stats", description=catalog.description("practice stats"))
    async def practice_stats(self, interaction: discord.Interaction) -> None:
        await acknowledge(interaction)
        stats = await self.services.coaching.stats(interaction.user.id)
        file = None
        embeds = embeds_for("Your practice, last 30 days", words.practice_summary(stats))
        if stats.chart_png:
            import io

            file = discord.File(io.BytesIO(stats.chart_png), filename="practice.png")
            embeds[0].set_image(url="attachment://practice.png")
        await respond(interaction, embeds=embeds, file=file, ephemeral=True)

    @push.command(name="start", description=catalog.description("practice push start"))
    @app_commands.describe(
        skill="Which skill",
        target_hours="Hours to aim for",
        test="The before/after test the push is judged by",
        before="Your result on that test today",
    )
    async def push_start(
        self,
        interaction: discord.Interaction,
        skill: app_commands.Range[str, 1, 100],
        target_hours: app_commands.Range[int, 1, 200] = 20,
        test: app_commands.Range[str, 1, 1000] | None = None,
        before: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        await acknowledge(interaction)
        started = self.services.coaching.start_push(
            interaction.user.id, skill, target_hours, test=test, before=before
        )
        text = await attempt(interaction, worded(started, words.push_started))
        if text is not None:
            await respond(interaction, text, ephemeral=True)

    @push.command(name="test", description=catalog.description("practice push test"))
    @app_commands.describe(test="What you'll do, and measure", before="Your result today")
    async def push_test(
        self,
        interaction: discord.Interaction,
        test: app_commands.Range[str, 1, 1000],
        before: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        await acknowledge(interaction)
        result = self.services.coaching.set_push_test(interaction.user.id, test, before)
        text = await attempt(interaction, worded(result, words.push_test_set))
        if text is not None:
            await respond(interaction, text, ephemeral=True)

    push_start.autocomplete("skill")(skill_autocomplete)

    @push.command(name="status", description=catalog.description("practice push status"))
    async def push_status(self, interaction: discord.Interaction) -> None:
        await acknowledge(interaction)
        await respond(
            interaction,
            words.push_status(await self.services.coaching.push_status(interaction.user.id)),
            ephemeral=True,
        )

    @push.command(name="stop", description=catalog.description("practice push stop"))
    async def push_stop(
        self, interaction: discord.Interaction, skill: app_commands.Range[str, 1, 100]
    ) -> None:
        await acknowledge(interaction)
        stopped = await self.services.coaching.stop_push(interaction.user.id, skill)
        await respond(interaction, words.push_stopped(stopped), ephemeral=True)

    @push.command(name="reflect", description=catalog.description("practice push reflect"))
    async def push_reflect(
        self, interaction: discord.Interaction, text: app_commands.Range[str, 1, 1000]
    ) -> None:
        await acknowledge(interaction)
        reflected = self.services.coaching.reflect_push(interaction.user.id, text)
        reply = await attempt(interaction, worded(reflected, words.push_reflected))
        if reply is not None:
            await respond(interaction, reply, ephemeral=True)

    # --- DMs and the closed-DMs notice ------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.guild is not None or message.author.bot or not message.content.strip():
            return
        user_id = message.author.id
        dialogues = getattr(self.services, "dialogues", None)
        if dialogues is not None and await dialogues.waiting_on_dm(user_id):
            return
        await self.services.users.mark_dms_open(user_id)
        if dialogues is not None:
            try:
                reply = await dialogues.file_dm(user_id, message.content)
            except DialogueError as exc:
                reply = str(exc)
            if reply is not None:
                await message.channel.send(reply, allowed_mentions=NO_MENTIONS)
                return
        filing = await self.services.coaching.record_dm(user_id, message.content)
        answer = words.dm_filed(filing)
        if answer:
            await message.channel.send(answer, allowed_mentions=NO_MENTIONS)

    @commands.Cog.listener()
    async def on_app_command_completion(
        self, interaction: discord.Interaction, command: object
    ) -> None:
        if interaction.guild_id is None:
            return
        # Follow-ups need a message response; after a modal the notice waits for the
        # next command instead of being used up on a send that cannot work.
        answered_with_message = interaction.response.type in (
            discord.InteractionResponseType.channel_message,
            discord.InteractionResponseType.deferred_channel_message,
        )
        if not answered_with_message:
            return
        await wait_turn(interaction)
        if await self.services.users.take_dms_notice(interaction.user.id):
            try:
                await interaction.followup.send(
                    DMS_NOTICE, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
            except discord.HTTPException:
                log.info("could not show the closed-DMs notice")


async def setup(bot: TouchstoneBot) -> None:
    services = bot.services
    bot.add_dynamic_items(QuickVersionButton)
    await bot.add_cog(Coaching(services))
