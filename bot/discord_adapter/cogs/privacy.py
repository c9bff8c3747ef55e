"""/mydata export and /mydata delete (with a confirmation button).

Both answers are private (ephemeral). Deleting takes a second click; the confirmation
message then turns into the result (its buttons removed, so nothing is clicked twice),
and an unanswered confirmation expires into "Nothing was deleted".
"""

from __future__ import annotations

import io
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot import catalog
from bot.discord_adapter.acknowledging import acknowledge
from bot.discord_adapter.client import TouchstoneBot
from bot.discord_adapter.messages import NO_MENTIONS, respond
from bot.discord_adapter.reach import everywhere_contexts, everywhere_installs
from bot.services import Services

log = logging.getLogger(__name__)

#: How long the "Delete everything" button stays usable (within the 15-minute token).
CONFIRM_SECONDS = 120.0
ASK = (
    "This deletes your coaching schedule, prompts and answers, practice log, pushes, "
    "drafts, dialogues, scheduled DMs, the questions you asked with /ask and the feedback "
    "you gave on answers, for good. Server notes and settings changes "
    "you made as a moderator stay with the server, unlinked from you. /mydata export "
    "first if you want a copy. Continue?"
)
KEPT = "Nothing was deleted."
EXPIRED = "Nothing was deleted: the confirmation expired. Run /mydata delete again if you want."


class ConfirmDelete(discord.ui.View):
    """Private, short-lived confirmation: nothing is erased without a second click."""

    def __init__(
        self, services: Services, user_id: int, origin: discord.Interaction | None = None
    ) -> None:
        super().__init__(timeout=CONFIRM_SECONDS)
        self.services = services
        self.user_id = user_id
        self.origin = origin

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.user_id:
            await respond(interaction, "This button isn't yours.", ephemeral=True)
            return False
        return True

    @discord.ui.button(label="Delete everything", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmDelete]
    ) -> None:
        self.stop()
        # Acknowledge at once (erasing may take a moment), then show the result in place.
        await acknowledge(interaction, ephemeral=False, thinking=False)
        report = await self.services.privacy.delete_everything(self.user_id)
        await interaction.edit_original_response(
            content=report.describe(), view=None, allowed_mentions=NO_MENTIONS
        )
        # Shared dialogues may have ended with a note for the other person: send it now.
        interaction.client.dispatch("touchstone_erasure", self.user_id)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmDelete]
    ) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=KEPT, view=None, allowed_mentions=NO_MENTIONS
        )

    async def on_timeout(self) -> None:
        if self.origin is None:
            return
        try:
            await self.origin.edit_original_response(
                content=EXPIRED, view=None, allowed_mentions=NO_MENTIONS
            )
        except discord.HTTPException:
            log.info("could not mark an expired /mydata delete confirmation")


class Privacy(commands.Cog):
    mydata = app_commands.Group(
        name="mydata",
        description=catalog.description("mydata"),
        allowed_installs=everywhere_installs(),
        allowed_contexts=everywhere_contexts(),
    )

    def __init__(self, services: Services) -> None:
        self.services = services

    @mydata.command(name="export", description=catalog.description("mydata export"))
    async def export(self, interaction: discord.Interaction) -> None:
        await acknowledge(interaction)
        data = await self.services.privacy.export_json(interaction.user.id)
        file = discord.File(io.BytesIO(data), filename=f"touchstone-{interaction.user.id}.json")
        await respond(
            interaction,
            "Everything Touchstone stores about you, as JSON (only you can see this).",
            file=file,
            ephemeral=True,
        )

    @mydata.command(name="delete", description=catalog.description("mydata delete"))
    async def delete(self, interaction: discord.Interaction) -> None:
        await respond(
            interaction,
            ASK,
            view=ConfirmDelete(self.services, interaction.user.id, interaction),
            ephemeral=True,
        )


async def setup(bot: TouchstoneBot) -> None:
    services = bot.services
    await bot.add_cog(Privacy(services))
