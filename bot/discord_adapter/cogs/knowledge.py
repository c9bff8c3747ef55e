"""/ask, /note, /techniques and the moderators' /knowledge commands.

The buttons under an /ask answer live in :mod:`bot.discord_adapter.ask_views`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot import catalog
from bot.discord_adapter.acknowledging import acknowledge
from bot.discord_adapter.ask_views import (
    AskButton,
    OpenNoteButton,
    answer_layout,
    note_embeds,
    reply_buttons,
    where_of,
)
from bot.discord_adapter.client import TouchstoneBot
from bot.discord_adapter.errors import message_for
from bot.discord_adapter.forms import FORM_PREFIX, form_custom_id, form_values, uploaded_file
from bot.discord_adapter.interaction_facts import require_moderator
from bot.discord_adapter.messages import embeds_for, respond, truncate
from bot.discord_adapter.reach import everywhere, server_only_contexts
from bot.guild_knowledge import note_from_form
from bot.note_text import note_line
from bot.services import Services
from knowledge.note import MAX_NOTE_BYTES, NOTE_KINDS, Note

log = logging.getLogger(__name__)
NOTE_PICKER_ID = "ts:note:open"
MAX_QUESTION = 500


def note_choices(notes: list[Note], current: str) -> list[app_commands.Choice[str]]:
    needle = current.strip().lower()
    matches = [n for n in notes if needle in n.title.lower() or needle in n.id]
    return [app_commands.Choice(name=truncate(n.title, 100), value=n.id) for n in matches[:25]]


async def library_ready(interaction: discord.Interaction, services: Services) -> None:
    """Wait for the index, deferring first when it isn't ready (Discord's 3 s deadline)."""
    task = services.knowledge_ready()
    if not task.done() and not interaction.response.is_done():
        await acknowledge(interaction)
    await task


async def withdraw_public_placeholder(interaction: discord.Interaction) -> None:
    """Take back a public "thinking…" so that a kind reply goes to the asker alone.

    A question that shows distress gets its reply privately, whatever was chosen; it is
    read only after acknowledging, so the public placeholder is deleted and the reply
    follows as an ephemeral message.
    """
    try:
        await interaction.delete_original_response()
    except discord.HTTPException as exc:
        log.warning("/ask: the public placeholder could not be withdrawn: %s", exc)


class NotePicker(discord.ui.View):
    """A select of notes; persistent (fixed custom id, no timeout) so it works after restarts."""

    def __init__(self, services: Services, notes: list[Note] | None = None) -> None:
        super().__init__(timeout=None)
        self.services = services
        options = [
            discord.SelectOption(
                label=truncate(n.title, 100), value=n.id, description=truncate(n.summary, 100)
            )
            for n in (notes or [])[:25]
        ] or [discord.SelectOption(label="(no notes)", value="-")]
        self.picker.options = options  # type: ignore[assignment]

    @discord.ui.select(
        custom_id=NOTE_PICKER_ID, placeholder="Open a note…", min_values=1, max_values=1
    )
    async def picker(
        self, interaction: discord.Interaction, select: discord.ui.Select[NotePicker]
    ) -> None:
        note = self.services.knowledge.get_note(select.values[0], guild_id=interaction.guild_id)
        if note is None:
            await respond(interaction, "That note is no longer available.", ephemeral=True)
            return
        await respond(interaction, embeds=note_embeds(note), ephemeral=True)


class NoteForm(discord.ui.Modal, title="Add a note to this server's library"):
    note_title: discord.ui.TextInput[NoteForm] = discord.ui.TextInput(
        custom_id="note_title", label="Title", max_length=100
    )
    summary: discord.ui.TextInput[NoteForm] = discord.ui.TextInput(
        custom_id="summary",
        label="Summary: the idea in a sentence or two",
        style=discord.TextStyle.paragraph,
        max_length=600,
    )
    five_minute: discord.ui.TextInput[NoteForm] = discord.ui.TextInput(
        custom_id="five_minute",
        label="Five-minute version",
        style=discord.TextStyle.paragraph,
        max_length=600,
    )
    steps: discord.ui.TextInput[NoteForm] = discord.ui.TextInput(
        custom_id="steps",
        label="Steps, one per line (optional)",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=1500,
    )
    body: discord.ui.TextInput[NoteForm] = discord.ui.TextInput(
        custom_id="body", label="Explanation", style=discord.TextStyle.paragraph, max_length=4000
    )

    def __init__(self) -> None:
        super().__init__(custom_id=NOTE_FORM_ID, timeout=None)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        return  # handled by Knowledge.on_interaction, which also works after a restart


#: The note form's custom id: its submission is handled by id, even after a restart.
NOTE_FORM_ID = f"{FORM_PREFIX}note"
#: The upload form: a Markdown note picked inside the form (Discord's file upload input).
NOTE_UPLOAD_FORM_ID = f"{FORM_PREFIX}noteupload"
NOTE_FILE_FIELD = "note_file"


class NoteUploadForm(discord.ui.Modal):
    """One file upload in a label: the .md note, checked like an attached one."""

    def __init__(self) -> None:
        super().__init__(
            title="Upload a note to this server's library",
            custom_id=NOTE_UPLOAD_FORM_ID,
            timeout=None,
        )
        upload: discord.ui.FileUpload[NoteUploadForm] = discord.ui.FileUpload(
            custom_id=NOTE_FILE_FIELD, min_values=1, max_values=1
        )
        self.add_item(
            discord.ui.Label(
                text="Your note (.md)",
                description="A Markdown note with front matter, as in the notes library",
                component=upload,
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        return  # handled by Knowledge.on_interaction, which also works after a restart


NOTE_FIELDS = ("note_title", "summary", "five_minute", "steps", "body")
NOTE_LABELS = ("Title", "Summary", "Five-minute version", "Steps", "Explanation")


async def save_note_form(
    services: Services, interaction: discord.Interaction, values: dict[str, str]
) -> None:
    await require_moderator(interaction, services)
    await acknowledge(interaction)
    text = note_from_form(
        title=values.get("note_title", ""),
        summary=values.get("summary", ""),
        five_minute_version=values.get("five_minute", ""),
        steps=values.get("steps", ""),
        body=values.get("body", ""),
        author=interaction.user.display_name,
        server_name=interaction.guild.name if interaction.guild else "This server",
        date=datetime.now(UTC).date().isoformat(),
    )
    await add_note(services, interaction, text, "form")


def written_back(values: dict[str, str]) -> str:
    return "\n\n".join(
        f"{label}:\n{values[field]}"
        for field, label in zip(NOTE_FIELDS, NOTE_LABELS, strict=True)
        if values.get(field)
    )


async def add_note(
    services: Services, interaction: discord.Interaction, text: str, origin: str
) -> None:
    assert interaction.guild_id is not None
    result = await services.guild_knowledge.add(
        interaction.guild_id, text, interaction.user.id, origin
    )
    if result.note is None:
        problems = "\n".join(f"- {p}" for p in result.problems)
        await respond(interaction, f"The note was not added:\n{problems}", ephemeral=True)
        return
    verb = "updated" if result.replaced else "added"
    await respond(
        interaction,
        f"Note **{result.note.title}** (`{result.note.id}`) {verb}. It is only used in this server.",
        ephemeral=True,
    )


class Knowledge(commands.Cog):
    knowledge = app_commands.Group(
        name="knowledge",
        description=catalog.description("knowledge"),
        guild_only=True,
        allowed_contexts=server_only_contexts(),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, services: Services) -> None:
        self.services = services

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """The note form submitted, also one opened before a restart."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        if form_custom_id(interaction.data) == NOTE_UPLOAD_FORM_ID:
            try:
                await self._add_uploaded(interaction)
            except Exception as exc:
                problem, worth_logging = message_for(exc)
                if worth_logging:
                    log.error("note upload form failed", exc_info=exc)
                await respond(interaction, problem, ephemeral=True)
            return
        if form_custom_id(interaction.data) != NOTE_FORM_ID:
            return
        values = form_values(interaction.data)
        try:
            await save_note_form(self.services, interaction, values)
        except Exception as exc:
            problem, worth_logging = message_for(exc)
            if worth_logging:
                log.error("note form failed", exc_info=exc)
            written = written_back(values)
            keep = f"\n\nHere is what you wrote, so you can retry:\n\n{written}" if written else ""
            try:
                await respond(interaction, problem + keep, ephemeral=True)
            except discord.HTTPException:
                log.warning("could not give the note back to user %s", interaction.user.id)

    @everywhere()
    @app_commands.command(name="ask", description=catalog.description("ask"))
    @app_commands.describe(
        question="What you're stuck on, in your own words", private="Only you see the answer"
    )
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION],
        private: bool = False,
    ) -> None:
        # Acknowledged before the question is read: judging it takes CPU that a burst
        # of interactions shares, and Discord's 3 seconds must not depend on it.
        await acknowledge(interaction, ephemeral=private)
        await self.services.knowledge_ready()
        reply = await self.services.asking.ask(
            question,
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            where=where_of(interaction),
        )
        if reply.care.distress and not private:
            await withdraw_public_placeholder(interaction)
            private = True
        card = answer_layout(
            reply.title, reply.text, reply.used_model, reply.citations, reply_buttons(reply)
        )
        await respond(interaction, view=card, ephemeral=private)

    @everywhere()
    @app_commands.command(name="note", description=catalog.description("note"))
    @app_commands.describe(name="The note's title")
    async def note(self, interaction: discord.Interaction, name: str) -> None:
        await library_ready(interaction, self.services)
        note = self.services.knowledge.get_note(name, guild_id=interaction.guild_id)
        if note is None:
            matches = note_choices(
                self.services.knowledge.list_notes(guild_id=interaction.guild_id), name
            )
            note = (
                self.services.knowledge.get_note(matches[0].value, interaction.guild_id)
                if matches
                else None
            )
        if note is None:
            await respond(
                interaction,
                f"No note matches {truncate(name, 100)!r}. Try /techniques.",
                ephemeral=True,
            )
            return
        await respond(interaction, embeds=note_embeds(note), ephemeral=True)

    @note.autocomplete("name")
    async def note_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if not self.services.knowledge_ready().done():
            return []
        return note_choices(
            self.services.knowledge.list_notes(guild_id=interaction.guild_id), current
        )

    @everywhere()
    @app_commands.command(name="techniques", description=catalog.description("techniques"))
    @app_commands.choices(kind=[app_commands.Choice(name=k, value=k) for k in NOTE_KINDS])
    async def techniques(
        self, interaction: discord.Interaction, kind: str | None = None, tag: str | None = None
    ) -> None:
        # Acknowledge first: on a first start the library can take longer than Discord's
        # three seconds to load (another process may hold the indexing lock).
        await library_ready(interaction, self.services)
        notes = self.services.knowledge.list_notes(
            kind=kind, tag=tag, guild_id=interaction.guild_id
        )
        if not notes:
            await respond(interaction, "No notes match that kind and tag.", ephemeral=True)
            return
        heading = " · ".join(x for x in (kind, tag) if x) or "all notes"
        text = "\n".join(note_line(n) for n in notes)
        more = f"\n\nShowing the first 25 of {len(notes)} in the menu." if len(notes) > 25 else ""
        await respond(
            interaction,
            embeds=embeds_for(f"Library: {heading}", text + more),
            view=NotePicker(self.services, notes),
            ephemeral=True,
        )

    @techniques.autocomplete("tag")
    async def tag_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if not self.services.knowledge_ready().done():
            return []
        tags = sorted(
            {
                t
                for n in self.services.knowledge.list_notes(guild_id=interaction.guild_id)
                for t in n.tags
            }
        )
        return [app_commands.Choice(name=t, value=t) for t in tags if current.lower() in t][:25]

    @knowledge.command(name="add", description=catalog.description("knowledge add"))
    @app_commands.describe(
        file="A Markdown (.md) note", upload="Pick the .md file in a form instead of typing a note"
    )
    async def knowledge_add(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment | None = None,
        upload: bool = False,
    ) -> None:
        await require_moderator(interaction, self.services)
        if file is None:
            form = NoteUploadForm() if upload else NoteForm()
            await interaction.response.send_modal(form)
            return
        await acknowledge(interaction)
        await self._add_file(interaction, file.filename, file.size, file.read)

    async def _add_file(
        self,
        interaction: discord.Interaction,
        filename: str,
        size: int,
        read: Callable[[], Awaitable[bytes]],
    ) -> None:
        """A Markdown note file, attached to the command or uploaded in the form."""
        if not filename.lower().endswith(".md"):
            await respond(interaction, f"{filename}: attach a Markdown (.md) note.", ephemeral=True)
            return
        if size > MAX_NOTE_BYTES:
            await respond(
                interaction, f"{filename}: larger than {MAX_NOTE_BYTES} bytes.", ephemeral=True
            )
            return
        raw = await read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            await respond(interaction, f"{filename}: not UTF-8 text.", ephemeral=True)
            return
        await self.services.knowledge_ready()
        await add_note(self.services, interaction, text, filename)

    async def _add_uploaded(self, interaction: discord.Interaction) -> None:
        await require_moderator(interaction, self.services)
        await acknowledge(interaction)
        found = uploaded_file(interaction.data, NOTE_FILE_FIELD)
        if found is None:
            await respond(interaction, "No file arrived with the form; try again.", ephemeral=True)
            return
        filename, size, url = found
        http = interaction.client.http
        await self._add_file(interaction, filename, size, lambda: http.get_from_cdn(url))

    @knowledge.command(name="list", description=catalog.description("knowledge list"))
    async def knowledge_list(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await library_ready(interaction, self.services)
        notes = await self.services.guild_knowledge.list(interaction.guild_id)
        text = "\n".join(note_line(n) for n in notes) or "This server has no notes of its own yet."
        await respond(interaction, embeds=embeds_for("This server's notes", text), ephemeral=True)

    @knowledge.command(name="remove", description=catalog.description("knowledge remove"))
    async def knowledge_remove(self, interaction: discord.Interaction, note_id: str) -> None:
        await require_moderator(interaction, self.services)
        assert interaction.guild_id is not None
        await acknowledge(interaction)
        removed = await self.services.guild_knowledge.remove(interaction.guild_id, note_id)
        text = (
            f"Removed `{note_id}`."
            if removed
            else f"This server has no note `{truncate(note_id, 100)}`."
        )
        await respond(interaction, text, ephemeral=True)

    @knowledge_remove.autocomplete("note_id")
    async def guild_note_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not self.services.knowledge_ready().done():
            return []
        return note_choices(await self.services.guild_knowledge.list(interaction.guild_id), current)


async def setup(bot: TouchstoneBot) -> None:
    services = bot.services
    bot.add_view(NotePicker(services))
    bot.add_dynamic_items(AskButton, OpenNoteButton)
    await bot.add_cog(Knowledge(services))
