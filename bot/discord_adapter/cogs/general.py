"""/about and /help."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import catalog
from bot.about import ABOUT_TEXT, ABOUT_TITLE, help_text
from bot.discord_adapter.client import TouchstoneBot
from bot.discord_adapter.messages import embeds_for, respond
from bot.discord_adapter.reach import everywhere


class General(commands.Cog):
    @everywhere()
    @app_commands.command(name="about", description=catalog.description("about"))
    async def about(self, interaction: discord.Interaction) -> None:
        await respond(interaction, embeds=embeds_for(ABOUT_TITLE, ABOUT_TEXT), ephemeral=True)

    @app_commands.command(name="help", description=catalog.description("help"))
    async def help(self, interaction: discord.Interaction) -> None:
        await respond(
            interaction, embeds=embeds_for("Touchstone help", help_text()), ephemeral=True
        )


async def setup(bot: TouchstoneBot) -> None:
    await bot.add_cog(General())
