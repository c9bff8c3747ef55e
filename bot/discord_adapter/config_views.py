"""Buttons and selects for /config: page turners, the reset confirmation, the settings panel.

The panel's items are dynamic (their state lives in the custom id), so a panel keeps
working after a restart. Every item that changes something checks the privilege ladder
in code: whoever sees a panel is not necessarily allowed to use it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from re import Match
from typing import Any

import discord

from bot.discord_adapter.client import touchstone
from bot.discord_adapter.errors import message_for
from bot.discord_adapter.interaction_facts import require_moderator
from bot.discord_adapter.messages import NO_MENTIONS, embeds_for, respond
from bot.guild_config import AdvicePolicy, ConfigError, GuildConfig
from bot.guild_config.render import false_alarm_lines, history_lines, paginate, show_lines
from bot.services import Services

log = logging.getLogger(__name__)

POLICY_ID = "ts:cfg:policy:{channel}"
SENSITIVITY_ID = "ts:cfg:sens"
MODEL_ID = "ts:cfg:model"
SENSITIVITY_PRESETS = (
    (0.3, "Low (0.3)", "Flag only clear cases of unrequested advice"),
    (0.5, "Medium (0.5)", "The default balance"),
    (0.7, "High (0.7)", "Flag readily"),
)
POLICY_HELP = {
    AdvicePolicy.OFF: "Off: the advice check ignores this channel",
    AdvicePolicy.NUDGE: "Nudge: suggest a gentler version of long advice",
    AdvicePolicy.HOLD: "Hold: ask the writer before the reply stays up",
}


def services_of(interaction: discord.Interaction) -> Services:
    services = touchstone(interaction).services
    return services


async def guarded(interaction: discord.Interaction, action: Callable[[], Awaitable[None]]) -> None:
    """Run a component callback; a refusal or failure becomes a private message.

    discord.py only logs exceptions from component callbacks, which would leave the
    person with "This interaction failed"; this answers them instead.
    """
    try:
        await action()
    except ConfigError as exc:
        await respond(interaction, "Nothing changed: " + str(exc), ephemeral=True)
    except Exception as exc:
        text, worth_logging = message_for(exc)
        if worth_logging:
            log.error("config component failed", exc_info=exc)
        try:
            await respond(interaction, text, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not report a config component failure")


# ------------------------------------------------------- pages and the reset confirmation
#
# Both are DynamicItems: what they act on is in the custom id, so a page button or a
# confirmation shown before a restart still works after it.

PAGE_TITLES = {
    "show": "Touchstone settings",
    "history": "Settings history",
    "alarms": "Reported false alarms",
    "feedback": "Feedback on /ask answers",
}
#: How long a "reset everything" confirmation stays valid.
RESET_VALID = timedelta(minutes=15)


async def config_pages(services: Services, guild_id: int, kind: str, section: str) -> list[str]:
    """The pages of ``/config show`` (of one section, or all), history, false alarms
    or the feedback on /ask answers."""
    if kind == "feedback":
        return paginate((await services.asking.summary(guild_id)).lines())
    if kind == "history":
        entries = await services.guild_config.history(guild_id)
        return paginate(history_lines(entries) or ["No setting has been changed yet."])
    if kind == "alarms":
        alarms = await services.advice_flow.false_alarms(guild_id)
        calibration = await services.advice_flow.calibration(guild_id)
        lines = [*calibration.lines(), ""]
        lines += false_alarm_lines(list(alarms)) or ["Nobody has reported a false alarm yet."]
        return paginate(lines)
    config = await services.guild_config.get(guild_id)
    lines = show_lines(config, section or None)
    lines += ["", "Change one with /config set, or use /config panel for the common ones."]
    return paginate(lines)


def page_embeds(kind: str, pages: list[str], page: int) -> list[discord.Embed]:
    footer = f"Page {page + 1} of {len(pages)}" if len(pages) > 1 else None
    return embeds_for(PAGE_TITLES[kind], pages[page], footer)


def page_view(kind: str, section: str, page: int, count: int) -> discord.ui.View | None:
    if count <= 1:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(PageButton(kind, section, page - 1, "p", disabled=page == 0))
    view.add_item(PageButton(kind, section, page + 1, "n", disabled=page >= count - 1))
    return view


async def send_pages(
    interaction: discord.Interaction, services: Services, guild_id: int, kind: str, section: str
) -> None:
    pages = await config_pages(services, guild_id, kind, section)
    await respond(
        interaction,
        embeds=page_embeds(kind, pages, 0),
        view=page_view(kind, section, 0, len(pages)),
        ephemeral=True,
    )


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"ts:cfg:page:(?P<kind>show|history|alarms|feedback):(?P<section>[a-z_]*):"
    r"(?P<page>-?\d+):(?P<dir>[pn])",
):
    """Previous / next: re-reads the pages, so they are current and survive a restart."""

    def __init__(
        self, kind: str, section: str, page: int, direction: str, *, disabled: bool = False
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label="◀ Previous" if direction == "p" else "Next ▶",
                style=discord.ButtonStyle.secondary,
                custom_id=f"ts:cfg:page:{kind}:{section}:{page}:{direction}",
                disabled=disabled,
            )
        )
        self.kind, self.section, self.page = kind, section, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str], /
    ) -> PageButton:
        return cls(match["kind"], match["section"], int(match["page"]), match["dir"])

    async def callback(self, interaction: discord.Interaction) -> None:
        async def turn() -> None:
            services = services_of(interaction)
            await require_moderator(interaction, services)
            assert interaction.guild_id is not None
            pages = await config_pages(services, interaction.guild_id, self.kind, self.section)
            page = max(0, min(len(pages) - 1, self.page))
            await interaction.response.edit_message(
                embeds=page_embeds(self.kind, pages, page),
                view=page_view(self.kind, self.section, page, len(pages)),
                allowed_mentions=NO_MENTIONS,
            )

        await guarded(interaction, turn)


def reset_view(owner_id: int, asked_at: datetime) -> discord.ui.View:
    """Resetting everything is one click away from losing a server's setup: confirm it."""
    view = discord.ui.View(timeout=None)
    stamp = int(asked_at.timestamp())
    view.add_item(ResetButton(owner_id, stamp, "yes"))
    view.add_item(ResetButton(owner_id, stamp, "no"))
    return view


class ResetButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"ts:cfg:reset:(?P<owner>\d+):(?P<at>\d+):(?P<action>yes|no)",
):
    def __init__(self, owner_id: int, asked_at: int, action: str) -> None:
        confirm = action == "yes"
        super().__init__(
            discord.ui.Button(
                label="Reset every setting" if confirm else "Cancel",
                style=discord.ButtonStyle.danger if confirm else discord.ButtonStyle.secondary,
                custom_id=f"ts:cfg:reset:{owner_id}:{asked_at}:{action}",
            )
        )
        self.owner_id, self.asked_at, self.action = owner_id, asked_at, action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str], /
    ) -> ResetButton:
        return cls(int(match["owner"]), int(match["at"]), match["action"])

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await respond(
                interaction, "Only the person who asked can confirm this.", ephemeral=True
            )
            return False
        return True

    async def callback(self, interaction: discord.Interaction) -> None:
        if self.action == "no":
            await interaction.response.edit_message(
                content="Nothing was reset.", view=None, allowed_mentions=NO_MENTIONS
            )
            return

        async def act() -> None:
            services = services_of(interaction)
            asked = datetime.fromtimestamp(self.asked_at, UTC)
            if services.clock.now() - asked > RESET_VALID:
                await interaction.response.edit_message(
                    content="This confirmation expired; nothing was reset. "
                    "Run /config reset again if you still want to.",
                    view=None,
                    allowed_mentions=NO_MENTIONS,
                )
                return
            await require_moderator(interaction, services)
            assert interaction.guild_id is not None
            update = await services.guild_config.reset(
                interaction.guild_id, None, interaction.user.id
            )
            count = len(update.changes)
            text = (
                f"Every setting is back to its default ({count} change{'s' * (count != 1)}, "
                "recorded in /config history)."
                if count
                else "Every setting already was at its default."
            )
            await interaction.response.edit_message(
                content=text, view=None, allowed_mentions=NO_MENTIONS
            )

        await guarded(interaction, act)


# ------------------------------------------------------------------ the settings panel


def panel_embeds(config: GuildConfig, channel_id: int) -> list[discord.Embed]:
    policy = config.advice.channel_policies.get(channel_id, AdvicePolicy.OFF)
    lines = [
        f"**Advice check in <#{channel_id}>**: {POLICY_HELP[policy]}",
        f"**Sensitivity**: {config.advice.sensitivity:g}",
        f"**Language model**: {'on' if config.model.enabled else 'off'} in this server",
        "",
        "Every change is recorded in /config history. Everything else: /config set.",
    ]
    return embeds_for("Touchstone settings", "\n".join(lines))


def panel_view(config: GuildConfig, channel_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PolicySelect(channel_id, config.advice.channel_policies.get(channel_id)))
    view.add_item(SensitivitySelect(config.advice.sensitivity))
    view.add_item(ModelToggle(config.model.enabled))
    return view


async def apply_from_panel(
    interaction: discord.Interaction, key: str, raw: str, channel_id: int | None = None
) -> None:
    """Check the ladder, change one key, and redraw the panel with the new values."""
    services = services_of(interaction)
    await require_moderator(interaction, services)
    assert interaction.guild_id is not None
    update = await services.guild_config.set_value(
        interaction.guild_id, key, raw, interaction.user.id
    )
    channel = channel_id if channel_id is not None else interaction.channel_id or 0
    await interaction.response.edit_message(
        embeds=panel_embeds(update.new, channel),
        view=panel_view(update.new, channel),
        allowed_mentions=NO_MENTIONS,
    )


class PolicySelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"ts:cfg:policy:(?P<channel>\d+)"
):
    def __init__(self, channel_id: int, current: AdvicePolicy | None = None) -> None:
        self.channel_id = channel_id
        current = current or AdvicePolicy.OFF
        super().__init__(
            discord.ui.Select(
                custom_id=POLICY_ID.format(channel=channel_id),
                placeholder="Advice check in this channel…",
                options=[
                    discord.SelectOption(
                        label=text.split(":")[0],
                        value=policy.value,
                        description=text.split(": ", 1)[1],
                        default=policy is current,
                    )
                    for policy, text in POLICY_HELP.items()
                ],
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str], /
    ) -> PolicySelect:
        return cls(int(match["channel"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        value = self.item.values[0]
        key = f"advice.channel_policies.{self.channel_id}"
        await guarded(
            interaction, lambda: apply_from_panel(interaction, key, value, self.channel_id)
        )


class SensitivitySelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=SENSITIVITY_ID):
    def __init__(self, current: float = 0.5) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=SENSITIVITY_ID,
                placeholder="Sensitivity…",
                options=[
                    discord.SelectOption(
                        label=label, value=str(value), description=text, default=value == current
                    )
                    for value, label, text in SENSITIVITY_PRESETS
                ],
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str], /
    ) -> SensitivitySelect:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        value = self.item.values[0]
        await guarded(
            interaction, lambda: apply_from_panel(interaction, "advice.sensitivity", value)
        )


class ModelToggle(discord.ui.DynamicItem[discord.ui.Button[Any]], template=MODEL_ID):
    def __init__(self, enabled: bool = True) -> None:
        super().__init__(
            discord.ui.Button(
                custom_id=MODEL_ID,
                label="Turn the language model off" if enabled else "Turn the language model on",
                style=discord.ButtonStyle.secondary if enabled else discord.ButtonStyle.primary,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str], /
    ) -> ModelToggle:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        async def toggle() -> None:
            services = services_of(interaction)
            current = (
                await services.guild_config.get(interaction.guild_id)
                if interaction.guild_id is not None
                else GuildConfig()
            )
            await apply_from_panel(
                interaction, "model.enabled", "off" if current.model.enabled else "on"
            )

        await guarded(interaction, toggle)


PANEL_ITEMS = (PolicySelect, SensitivitySelect, ModelToggle, PageButton, ResetButton)
