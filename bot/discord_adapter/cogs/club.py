"""/club, the check-in button and form, and replies in check-in threads.

Thin on purpose: every rule (who may run the club, what the digest may show) lives in
:mod:`bot.club`; this cog turns options into calls and results into private replies.
Forms carry the check-in id in their custom id, so one opened before a restart still
saves after it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import catalog
from bot.club import CheckInForm
from bot.coaching import InputProblem
from bot.discord_adapter.acknowledging import acknowledge
from bot.discord_adapter.client import TouchstoneBot, touchstone
from bot.discord_adapter.cogs.coaching import attempt
from bot.discord_adapter.errors import message_for
from bot.discord_adapter.forms import FORM_PREFIX, form_custom_id, form_values
from bot.discord_adapter.interaction_facts import member_facts
from bot.discord_adapter.messages import respond
from bot.services import Services

log = logging.getLogger(__name__)
CHECK_IN_FORM = re.compile(r"ts:form:club:(?P<check_in>\d+)")
QUESTIONS_FORM = "ts:form:club-questions"
YES = ("yes", "y", "ja", "oui", "si", "true", "on", "1")


def check_in_modal(form: CheckInForm) -> discord.ui.Modal:
    """The private check-in form, starting from the member's own log (only they see it)."""
    modal = discord.ui.Modal(
        title="Practice club check-in", custom_id=f"{FORM_PREFIX}club:{form.check_in_id}"
    )
    fields = (
        ("answers", "Your answers", discord.TextStyle.paragraph, form.answers, True, 3500),
        ("change", "One change for next month", discord.TextStyle.short, form.change, False, 300),
        ("share_hours", "Share my hours in the digest? (yes/no)", discord.TextStyle.short,
         "yes" if form.share_hours else "no", True, 5),
        ("quote_change", "Quote my change, without my name? (yes/no)", discord.TextStyle.short,
         "yes" if form.quote_change else "no", True, 5),
    )  # fmt: skip
    for custom_id, label, style, default, required, limit in fields:
        modal.add_item(
            discord.ui.TextInput(
                label=label,
                style=style,
                default=default or None,
                required=required,
                max_length=limit,
                custom_id=custom_id,
            )
        )
    return modal


async def open_form(interaction: discord.Interaction, services: Services, check_in_id: int) -> None:
    form = await attempt(interaction, services.club.form(interaction.user.id, check_in_id))
    if form is not None:
        await interaction.response.send_modal(check_in_modal(form))


class CheckInButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"ts:act:club\.checkin:(?P<ref>\d+)",
):
    """Persistent: the check-in id is in the custom id, so it works after restarts."""

    def __init__(self, check_in_id: int) -> None:
        super().__init__(
            discord.ui.Button(label="Check in", custom_id=f"ts:act:club.checkin:{check_in_id}")
        )
        self.check_in_id = check_in_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CheckInButton:
        return cls(int(match["ref"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        services = touchstone(interaction).services
        await open_form(interaction, services, self.check_in_id)


class Club(commands.Cog):
    club = app_commands.Group(name="club", description=catalog.description("club"))

    pair = app_commands.Group(
        name="pair", description=catalog.description("club pair"), parent=club
    )
    push = app_commands.Group(
        name="push", description=catalog.description("club push"), parent=club
    )

    def __init__(self, services: Services) -> None:
        self.services = services

    async def _reply(self, interaction: discord.Interaction, call: Awaitable[str]) -> None:
        """Defer privately, run the domain call, answer with its text (or its problem)."""
        await acknowledge(interaction)
        text = await attempt(interaction, call)
        if text is not None:
            await respond(interaction, text, ephemeral=True)

    @club.command(name="start", description=catalog.description("club start"))
    @app_commands.guild_only()
    @app_commands.describe(
        timezone="The server's time zone, e.g. Europe/Berlin",
        channel="Forum or channel for the check-in threads (default: here)",
        cadence="monthly (default) or weekly",
        day="Day of the month (1-28) or, weekly, a weekday (mon...)",
        time="Local time the check-in opens, e.g. 19:00",
        open_days="How many days each check-in stays open",
    )
    @app_commands.choices(
        cadence=[app_commands.Choice(name=c, value=c) for c in ("monthly", "weekly")]
    )
    async def start(
        self,
        interaction: discord.Interaction,
        timezone: str,
        channel: discord.ForumChannel | discord.TextChannel | None = None,
        cadence: str = "monthly",
        day: str | None = None,
        time: str = "19:00",
        open_days: app_commands.Range[int, 1, 14] | None = None,
    ) -> None:
        await acknowledge(interaction)
        where = channel or interaction.channel
        if not isinstance(where, discord.ForumChannel | discord.TextChannel):
            await respond(interaction, "Pick a forum or a text channel.", ephemeral=True)
            return
        text = await attempt(
            interaction,
            self.services.club.start(
                member_facts(interaction),
                channel_id=where.id,
                in_forum=isinstance(where, discord.ForumChannel),
                timezone=timezone,
                cadence=cadence,
                day=day,
                local_time=time,
                open_days=open_days,
            ),
        )
        if text is not None:
            await respond(interaction, text, ephemeral=True)

    @club.command(name="pause", description=catalog.description("club pause"))
    @app_commands.guild_only()
    async def pause(self, interaction: discord.Interaction) -> None:
        await acknowledge(interaction)
        text = await attempt(interaction, self.services.club.pause(member_facts(interaction)))
        if text is not None:
            await respond(interaction, text, ephemeral=True)

    @club.command(name="end", description=catalog.description("club end"))
    @app_commands.guild_only()
    async def end(self, interaction: discord.Interaction) -> None:
        await acknowledge(interaction)
        text = await attempt(interaction, self.services.club.end(member_facts(interaction)))
        if text is not None:
            await respond(interaction, text, ephemeral=True)

    @club.command(name="status", description=catalog.description("club status"))
    @app_commands.guild_only()
    async def status(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await acknowledge(interaction)
        text = await self.services.club.status(interaction.guild_id)
        await respond(interaction, text, ephemeral=True)

    @club.command(name="checkin", description=catalog.description("club checkin"))
    @app_commands.guild_only()
    async def checkin(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        check_in = await attempt(
            interaction, self.services.club.open_check_in(interaction.guild_id)
        )
        if check_in is not None:
            await open_form(interaction, self.services, check_in.id)

    @club.command(name="remind", description=catalog.description("club remind"))
    @app_commands.guild_only()
    async def remind(self, interaction: discord.Interaction, on: bool) -> None:
        assert interaction.guild_id is not None
        await acknowledge(interaction)
        text = await attempt(
            interaction,
            self.services.club.set_reminder(interaction.guild_id, interaction.user.id, on),
        )
        if text is not None:
            await respond(interaction, text, ephemeral=True)

    @club.command(name="questions", description=catalog.description("club questions"))
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def questions(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        current = await self.services.club.questions(interaction.guild_id)
        modal = discord.ui.Modal(title="Club check-in questions", custom_id=QUESTIONS_FORM)
        modal.add_item(
            discord.ui.TextInput(
                label="One question per line (empty = the note's)",
                style=discord.TextStyle.paragraph,
                default="\n".join(current),
                required=False,
                max_length=4000,
                custom_id="questions",
            )
        )
        await interaction.response.send_modal(modal)

    # --- pairs, pushes, streaks ---------------------------------------------------------

    @pair.command(name="find", description=catalog.description("club pair find"))
    @app_commands.guild_only()
    @app_commands.describe(
        skill="What you practise (a partner with the same skill is preferred)",
        timezone="Your time zone, if not the one from /coach start",
    )
    async def pair_find(
        self, interaction: discord.Interaction, skill: str = "", timezone: str | None = None
    ) -> None:
        assert interaction.guild_id is not None
        if not isinstance(interaction.channel, discord.TextChannel):
            await interaction.response.send_message(
                "Run this in a text channel: your pair's private thread opens there.",
                ephemeral=True,
            )
            return
        await self._reply(
            interaction,
            self.services.social.pairs.request(
                interaction.guild_id,
                interaction.user.id,
                channel_id=interaction.channel.id,
                skill=skill,
                timezone=timezone,
            ),
        )

    @pair.command(name="leave", description=catalog.description("club pair leave"))
    @app_commands.guild_only()
    async def pair_leave(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await self._reply(
            interaction,
            self.services.social.pairs.leave(interaction.guild_id, interaction.user.id),
        )

    @push.command(name="start", description=catalog.description("club push start"))
    @app_commands.guild_only()
    @app_commands.describe(hours="The shared goal (default 20)", ends="e.g. 14 days or 2026-05-01")
    async def push_start(
        self,
        interaction: discord.Interaction,
        hours: app_commands.Range[int, 1, 200] = 20,
        ends: str = "14 days",
    ) -> None:
        await self._reply(
            interaction,
            self.services.social.push.start(member_facts(interaction), hours=hours, ends=ends),
        )

    @push.command(name="join", description=catalog.description("club push join"))
    @app_commands.guild_only()
    async def push_join(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await self._reply(
            interaction,
            self.services.social.push.join(interaction.guild_id, interaction.user.id),
        )

    @push.command(name="status", description=catalog.description("club push status"))
    @app_commands.guild_only()
    async def push_status(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await self._reply(interaction, self.services.social.push.status(interaction.guild_id))

    @push.command(name="stop", description=catalog.description("club push stop"))
    @app_commands.guild_only()
    async def push_stop(self, interaction: discord.Interaction) -> None:
        await self._reply(interaction, self.services.social.push.stop(member_facts(interaction)))

    @club.command(name="streak", description=catalog.description("club streak"))
    @app_commands.guild_only()
    @app_commands.describe(
        freezes="Freeze days a month that keep a streak through a missed day (0-3)",
        remind="A DM when your streak is at risk (once a day, opt-in)",
        time="When that DM may come, e.g. 20:30",
    )
    async def streak(
        self,
        interaction: discord.Interaction,
        freezes: app_commands.Range[int, 0, 3] | None = None,
        remind: bool | None = None,
        time: str | None = None,
    ) -> None:
        await self._reply(
            interaction,
            self.services.social.streaks.settings(
                interaction.user.id, freezes=freezes, remind=remind, remind_time=time
            ),
        )

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A check-in or questions form submitted, also one opened before a restart."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        custom_id = form_custom_id(interaction.data)
        match = CHECK_IN_FORM.fullmatch(custom_id)
        if match is None and custom_id != QUESTIONS_FORM:
            return
        values = form_values(interaction.data)
        try:
            await acknowledge(interaction)
            if match is not None:
                text = await self.services.club.submit(
                    interaction.user.id,
                    int(match["check_in"]),
                    answers=values.get("answers", ""),
                    change=values.get("change"),
                    share_hours=values.get("share_hours", "").strip().lower() in YES,
                    quote_change=values.get("quote_change", "").strip().lower() in YES,
                )
            else:
                saved = await self.services.club.set_questions(
                    member_facts(interaction), values.get("questions", "").splitlines()
                )
                text = "Check-in questions saved:\n" + "\n".join(
                    f"{n}. {q}" for n, q in enumerate(saved, 1)
                )
        except InputProblem as problem:
            text = str(problem)
        except Exception as exc:
            text, worth_logging = message_for(exc)
            if worth_logging:
                log.error("club form failed", exc_info=exc)
        await respond(interaction, text, ephemeral=True)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A reply in a check-in thread counts as checking in (never answered publicly)."""
        if message.guild is None or message.author.bot:
            return
        if not isinstance(message.channel, discord.Thread) or not message.content.strip():
            return
        await self.services.club.thread_reply(
            message.channel.id, message.author.id, message.content
        )


async def setup(bot: TouchstoneBot) -> None:
    services = bot.services
    bot.add_dynamic_items(CheckInButton)
    await bot.add_cog(Club(services))
