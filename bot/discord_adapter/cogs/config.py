"""/config: moderators shape how Touchstone behaves in their server.

Every subcommand checks the privilege ladder in code (``default_permissions`` is only a
hint server admins can change), answers privately, and leaves the rules to
``bot.guild_config``.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot import catalog
from bot.discord_adapter.acknowledging import acknowledge
from bot.discord_adapter.client import TouchstoneBot
from bot.discord_adapter.config_views import (
    PANEL_ITEMS,
    panel_embeds,
    panel_view,
    reset_view,
    send_pages,
)
from bot.discord_adapter.errors import message_for
from bot.discord_adapter.forms import FORM_PREFIX, form_custom_id, uploaded_file
from bot.discord_adapter.interaction_facts import require_moderator
from bot.discord_adapter.messages import respond, truncate
from bot.discord_adapter.reach import server_only_contexts
from bot.guild_config import KEYS, ConfigError, Update, resolve
from bot.guild_config.keys import SECTIONS
from bot.guild_config.render import (
    MAX_IMPORT_BYTES,
    SECTION_TITLES,
    change_lines,
)
from bot.services import Services

log = logging.getLogger(__name__)
MAX_CHANGES_LISTED = 25
#: The import form's custom id: handled by id in ``on_interaction``, so a form opened
#: before a restart still imports after it.
IMPORT_FORM_ID = f"{FORM_PREFIX}configimport"
IMPORT_FILE_FIELD = "config_file"


class ImportForm(discord.ui.Modal):
    """/config import without an attachment: the JSON file is picked inside the form
    (Discord's file upload input), which is easier on a phone than attaching it."""

    def __init__(self) -> None:
        super().__init__(title="Import this server's settings", custom_id=IMPORT_FORM_ID)
        upload: discord.ui.FileUpload[ImportForm] = discord.ui.FileUpload(
            custom_id=IMPORT_FILE_FIELD, min_values=1, max_values=1
        )
        self.add_item(
            discord.ui.Label(
                text="Settings file (.json)",
                description="A file written by /config export; it replaces the settings",
                component=upload,
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        return  # handled by Config.on_interaction, which also works after a restart


def problems_text(error: ConfigError) -> str:
    return "Nothing was changed:\n" + "\n".join(f"- {p}" for p in error.problems)


def changes_text(update: Update, verb: str) -> str:
    if not update.changes:
        return f"Nothing to {verb}: every value already was as asked."
    lines = change_lines(update.changes)
    more = len(lines) - MAX_CHANGES_LISTED
    shown = lines[:MAX_CHANGES_LISTED] + ([f"…and {more} more"] if more > 0 else [])
    return "\n".join(shown)


class Config(commands.Cog):
    config = app_commands.Group(
        name="config",
        description=catalog.description("config"),
        guild_only=True,
        allowed_contexts=server_only_contexts(),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, services: Services) -> None:
        self.services = services

    async def _moderator(self, interaction: discord.Interaction) -> int:
        """The server id, once the ladder allows this person (NotAllowed otherwise)."""
        await require_moderator(interaction, self.services)
        assert interaction.guild_id is not None
        return interaction.guild_id

    @config.command(name="show", description=catalog.description("config show"))
    @app_commands.describe(section="Only this section")
    @app_commands.choices(
        section=[app_commands.Choice(name=SECTION_TITLES[s], value=s) for s in SECTIONS]
    )
    async def show(self, interaction: discord.Interaction, section: str | None = None) -> None:
        guild_id = await self._moderator(interaction)
        await send_pages(interaction, self.services, guild_id, "show", section or "")

    @config.command(name="set", description=catalog.description("config set"))
    @app_commands.describe(key="The setting, e.g. advice.sensitivity", value="The new value")
    async def set_(
        self,
        interaction: discord.Interaction,
        key: app_commands.Range[str, 1, 120],
        value: app_commands.Range[str, 0, 2000],
    ) -> None:
        guild_id = await self._moderator(interaction)
        await acknowledge(interaction)
        try:
            update = await self.services.guild_config.set_value(
                guild_id, key, value, interaction.user.id
            )
        except ConfigError as exc:
            await respond(interaction, problems_text(exc), ephemeral=True)
            return
        await respond(interaction, changes_text(update, "change"), ephemeral=True)

    @set_.autocomplete("key")
    async def key_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._key_choices(interaction, current)

    async def _key_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        config = self.services.guild_config.cached(interaction.guild_id)
        entries = {interaction.channel_id} if interaction.channel_id else set()
        if config is not None:
            entries |= set(config.advice.channel_policies)
        candidates: list[tuple[str, str]] = []
        for spec in KEYS:
            if spec.is_map:
                for channel_id in sorted(entries, key=lambda c: c != interaction.channel_id):
                    here = " (this channel)" if channel_id == interaction.channel_id else ""
                    candidates.append(
                        (f"{spec.path}.{channel_id}", f"{spec.path}.{channel_id}{here}")
                    )
            else:
                candidates.append((spec.path, f"{spec.path}: {spec.description}"))
        needle = current.strip().lower()
        return [
            app_commands.Choice(name=truncate(label, 100), value=path)
            for path, label in candidates
            if needle in label.lower()
        ][:25]

    @set_.autocomplete("value")
    async def value_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        key = str(getattr(interaction.namespace, "key", "") or "")
        try:
            spec, entry = resolve(key)
        except ConfigError:
            return (
                [app_commands.Choice(name=truncate(current, 100), value=current)] if current else []
            )
        options: list[tuple[str, str]] = []
        enum_type = spec.item if spec.kind in ("enum", "map") else None
        if entry is not None or spec.kind == "enum":
            options = [(str(m.value), str(m.value)) for m in enum_type or []]
        elif spec.kind == "bool":
            options = [("on", "on"), ("off", "off")]
        elif spec.optional:
            options = [("none (use the default)", "none")]
        typed = [(f"{current} ({spec.hint()})", current)] if current else []
        matching = [o for o in options if current.lower() in o[1]]
        return [
            app_commands.Choice(name=truncate(name, 100), value=truncate(value, 100))
            for name, value in (matching or typed)
        ][:25]

    @config.command(name="reset", description=catalog.description("config reset"))
    @app_commands.describe(key="The setting to reset; leave empty to reset everything")
    async def reset(
        self, interaction: discord.Interaction, key: app_commands.Range[str, 1, 120] | None = None
    ) -> None:
        guild_id = await self._moderator(interaction)
        if key is None:
            await respond(
                interaction,
                "Reset **every** setting of this server to its default? That includes the "
                "moderator roles and every channel's advice policy. Export first if unsure.",
                view=reset_view(interaction.user.id, self.services.clock.now()),
                ephemeral=True,
            )
            return
        await acknowledge(interaction)
        try:
            update = await self.services.guild_config.reset(guild_id, key, interaction.user.id)
        except ConfigError as exc:
            await respond(interaction, problems_text(exc), ephemeral=True)
            return
        await respond(interaction, changes_text(update, "reset"), ephemeral=True)

    @reset.autocomplete("key")
    async def reset_key_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._key_choices(interaction, current)

    @config.command(name="export", description=catalog.description("config export"))
    async def export(self, interaction: discord.Interaction) -> None:
        guild_id = await self._moderator(interaction)
        text = await self.services.guild_config.export_file(guild_id)
        file = discord.File(
            io.BytesIO(text.encode()), filename=f"touchstone-config-{guild_id}.json"
        )
        await respond(
            interaction,
            "This server's settings. Edit and bring them back with /config import.",
            file=file,
            ephemeral=True,
        )

    @config.command(name="import", description=catalog.description("config import"))
    @app_commands.describe(
        file="A file written by /config export (or leave out: pick it in a form)"
    )
    async def import_(
        self, interaction: discord.Interaction, file: discord.Attachment | None = None
    ) -> None:
        guild_id = await self._moderator(interaction)
        if file is None:
            await interaction.response.send_modal(ImportForm())
            return
        await acknowledge(interaction)
        await self._import(interaction, guild_id, file.filename, file.size, file.read)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """The import form submitted, also one opened before a restart."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        if form_custom_id(interaction.data) != IMPORT_FORM_ID:
            return
        try:
            guild_id = await self._moderator(interaction)
            await acknowledge(interaction)
            found = uploaded_file(interaction.data, IMPORT_FILE_FIELD)
            if found is None:
                await respond(
                    interaction, "No file arrived with the form; try again.", ephemeral=True
                )
                return
            filename, size, url = found
            http = interaction.client.http
            await self._import(
                interaction, guild_id, filename, size, lambda: http.get_from_cdn(url)
            )
        except Exception as exc:
            problem, worth_logging = message_for(exc)
            if worth_logging:
                log.error("config import form failed", exc_info=exc)
            await respond(interaction, problem, ephemeral=True)

    async def _import(
        self,
        interaction: discord.Interaction,
        guild_id: int,
        filename: str,
        size: int,
        read: Callable[[], Awaitable[bytes]],
    ) -> None:
        """A settings file, attached to the command or uploaded in the form."""
        if size > MAX_IMPORT_BYTES:
            await respond(
                interaction,
                f"{truncate(filename, 100)}: larger than {MAX_IMPORT_BYTES // 1024} KB; "
                "nothing was changed.",
                ephemeral=True,
            )
            return
        raw = await read()
        try:
            update = await self.services.guild_config.import_file(
                guild_id, raw, interaction.user.id
            )
        except ConfigError as exc:
            await respond(interaction, problems_text(exc), ephemeral=True)
            return
        await respond(interaction, "Imported.\n" + changes_text(update, "import"), ephemeral=True)

    @config.command(name="history", description=catalog.description("config history"))
    async def history(self, interaction: discord.Interaction) -> None:
        guild_id = await self._moderator(interaction)
        await send_pages(interaction, self.services, guild_id, "history", "")

    @config.command(name="false-alarms", description=catalog.description("config false-alarms"))
    async def false_alarms(self, interaction: discord.Interaction) -> None:
        guild_id = await self._moderator(interaction)
        await send_pages(interaction, self.services, guild_id, "alarms", "")

    @config.command(name="feedback", description=catalog.description("config feedback"))
    async def feedback(self, interaction: discord.Interaction) -> None:
        guild_id = await self._moderator(interaction)
        await send_pages(interaction, self.services, guild_id, "feedback", "")

    @config.command(
        name="feedback-export",
        description=catalog.description("config feedback-export"),
    )
    async def feedback_export(self, interaction: discord.Interaction) -> None:
        guild_id = await self._moderator(interaction)
        await acknowledge(interaction)
        data = await self.services.asking.evaluation_jsonl(guild_id)
        if not data:
            await respond(interaction, "There is no feedback to export yet.", ephemeral=True)
            return
        file = discord.File(io.BytesIO(data), filename=f"touchstone-feedback-{guild_id}.jsonl")
        await respond(
            interaction,
            "Feedback on /ask answers, one press per line (question, shown notes, action); "
            "no member is named. Use it to evaluate the notes and their ranking.",
            file=file,
            ephemeral=True,
        )

    @config.command(name="panel", description=catalog.description("config panel"))
    async def panel(self, interaction: discord.Interaction) -> None:
        guild_id = await self._moderator(interaction)
        config = await self.services.guild_config.get(guild_id)
        channel_id = interaction.channel_id or 0
        await respond(
            interaction,
            embeds=panel_embeds(config, channel_id),
            view=panel_view(config, channel_id),
            ephemeral=True,
        )


async def setup(bot: TouchstoneBot) -> None:
    services = bot.services
    bot.add_dynamic_items(*PANEL_ITEMS)
    await bot.add_cog(Config(services))
