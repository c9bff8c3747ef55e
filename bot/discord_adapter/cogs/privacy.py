"""/mydata export and /mydata delete (with a confirmation button)."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_adapter.messages import respond
from bot.services import Services


class ConfirmDelete(discord.ui.View):
    """Private, short-lived confirmation: nothing is erased without a second click."""

    def __init__(self, services: Services, user_id: int) -> None:
        super().__init__(timeout=120)
        self.services = services
        self.user_id = user_id

    @discord.ui.button(label="Delete everything", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmDelete]
    ) -> None:
        if interaction.user.id != self.user_id:
            await respond(interaction, "This button isn't yours.", ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.services.privacy.delete_everything(self.user_id)
        self.stop()
        await respond(interaction, report.describe(), ephemeral=True)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmDelete]
    ) -> None:
        self.stop()
        await respond(interaction, "Nothing was deleted.", ephemeral=True)


class Privacy(commands.Cog):
    mydata = app_commands.Group(name="mydata", description="What Touchstone stores about you.")

    def __init__(self, services: Services) -> None:
        self.services = services

    @mydata.command(name="export", description="Get a JSON file of everything stored about you.")
    async def export(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.services.privacy.export_json(interaction.user.id)
        file = discord.File(io.BytesIO(data), filename=f"touchstone-{interaction.user.id}.json")
        await respond(
            interaction,
            "Everything Touchstone stores about you, as JSON (only you can see this).",
            file=file,
            ephemeral=True,
        )

    @mydata.command(name="delete", description="Delete everything stored about you.")
    async def delete(self, interaction: discord.Interaction) -> None:
        await respond(
            interaction,
            "This deletes your coaching schedule, prompts and answers, practice log, pushes, "
            "drafts, dialogues and scheduled DMs, for good. Server notes you wrote as a "
            "moderator stay with the server, unlinked from you. Continue?",
            view=ConfirmDelete(self.services, interaction.user.id),
            ephemeral=True,
        )


async def setup(bot: commands.Bot) -> None:
    services: Services = bot.services  # type: ignore[attr-defined]
    await bot.add_cog(Privacy(services))
