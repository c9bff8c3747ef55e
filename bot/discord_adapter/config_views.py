"""Buttons and selects for /config: page turners, the reset confirmation, the settings panel.

The panel's items are dynamic (their state lives in the custom id), so a panel keeps
working after a restart. Every item that changes something checks the privilege ladder
in code: whoever sees a panel is not necessarily allowed to use it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from re import Match
from typing import Any

import discord

from bot.discord_adapter.errors import message_for
from bot.discord_adapter.interaction_facts import require_moderator
from bot.discord_adapter.messages import NO_MENTIONS, embeds_for, respond
from bot.guild_config import AdvicePolicy, ConfigError, GuildConfig
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
    services: Services = interaction.client.services  # type: ignore[attr-defined]
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


class PageView(discord.ui.View):
    """Previous / next over pages of text already cut to fit one embed each."""

    def __init__(self, title: str, pages: list[str]) -> None:
        super().__init__(timeout=600)
        self.title = title
        self.pages = pages
        self.page = 0
        self._sync()

    def embeds(self) -> list[discord.Embed]:
        footer = f"Page {self.page + 1} of {len(self.pages)}" if len(self.pages) > 1 else None
        return embeds_for(self.title, self.pages[self.page], footer)

    def _sync(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.pages) - 1

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.page = max(0, min(len(self.pages) - 1, self.page + step))
        self._sync()
        await interaction.response.edit_message(
            embeds=self.embeds(), view=self, allowed_mentions=NO_MENTIONS
        )

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction, button: discord.ui.Button[PageView]
    ) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.secondary)
    async def next(
        self, interaction: discord.Interaction, button: discord.ui.Button[PageView]
    ) -> None:
        await self._turn(interaction, 1)


async def send_pages(interaction: discord.Interaction, title: str, pages: list[str]) -> None:
    if len(pages) == 1:
        await respond(interaction, embeds=embeds_for(title, pages[0]), ephemeral=True)
        return
    view = PageView(title, pages)
    await respond(interaction, embeds=view.embeds(), view=view, ephemeral=True)


class ResetConfirm(discord.ui.View):
    """Resetting everything is one click away from losing a server's setup: confirm it."""

    def __init__(self, services: Services, owner_id: int) -> None:
        super().__init__(timeout=120)
        self.services = services
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await respond(
                interaction, "Only the person who asked can confirm this.", ephemeral=True
            )
            return False
        return True

    @discord.ui.button(label="Reset every setting", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[ResetConfirm]
    ) -> None:
        async def act() -> None:
            await require_moderator(interaction, self.services)
            assert interaction.guild_id is not None
            update = await self.services.guild_config.reset(
                interaction.guild_id, None, interaction.user.id
            )
            self.stop()
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

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction, button: discord.ui.Button[ResetConfirm]
    ) -> None:
        self.stop()
        await interaction.response.edit_message(
            content="Nothing was reset.", view=None, allowed_mentions=NO_MENTIONS
        )


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


PANEL_ITEMS = (PolicySelect, SensitivitySelect, ModelToggle)
