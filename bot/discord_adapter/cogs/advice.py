"""Reply with care (context menu), /advise, the report buttons, and watch mode.

Thin on purpose: it turns Discord objects into :mod:`bot.advice_flow` values, calls the
service, and renders what comes back. Posting is a bot reply to the original post that
names the writer (see the README's "Advice check" section for why not a webhook); in a
server the bot is not a member of (a user install), the post button's own interaction
response, by the rules in :mod:`bot.advice_flow.reach`.
"""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import replace

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import catalog
from bot.advice_flow import (
    Draft,
    FlowRefused,
    PostContext,
    PostPlan,
    Version,
    parse_message_link,
)
from bot.advice_flow.links import stated_intent
from bot.advice_flow.reach import needs_pasted_post
from bot.advice_flow.text import quote
from bot.discord_adapter.acknowledging import acknowledge
from bot.discord_adapter.advice_views import (
    INTENT_FIELD,
    MODAL_ID,
    MODAL_PREFIX,
    POST_FIELD,
    Action,
    AdviceButton,
    DraftForm,
    cancelled_layout,
    edit_modal_id,
    new_modal_id,
    posted_layout,
    report_layout,
    submitted_reply,
)
from bot.discord_adapter.client import TouchstoneBot
from bot.discord_adapter.cogs.advice_recovery import DraftRecovery
from bot.discord_adapter.cogs.advice_support import (
    context_for,
    fetch_message,
    publish,
    respond_in_channel,
    show_card,
)
from bot.discord_adapter.cogs.advice_watch import WatchMode
from bot.discord_adapter.forms import form_choices
from bot.discord_adapter.interaction_facts import bot_present
from bot.discord_adapter.messages import (
    MAX_EMBED_DESCRIPTION,
    embeds_for,
    respond,
)
from bot.discord_adapter.reach import everywhere, everywhere_contexts, everywhere_installs
from bot.services import Services
from bot.storage import StorageUnavailable

log = logging.getLogger(__name__)

#: Seconds /advise may spend looking up the linked message before opening the form anyway.
LINK_LOOKUP_BUDGET = 1.5
FORM_TITLE = "Reply with care"
MAX_REMEMBERED_POSTS = 500
#: The attachment a long refused draft comes back in (see ``Advice._give_back``).
GIVE_BACK_FILE = "your-reply.txt"


class Advice(commands.Cog):
    def __init__(self, bot: TouchstoneBot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self.flow = services.advice_flow
        #: Post text seen when the form was opened, for when a later fetch can't read it
        #: (no Message Content intent): (user id, message id) -> text.
        self._seen_posts: dict[tuple[int, int], str] = {}
        self.watch = WatchMode(bot, services)
        self.recovering = DraftRecovery(bot, services)
        self.reply_with_care_menu = app_commands.ContextMenu(
            name="Reply with care",
            callback=self.reply_with_care,
            allowed_installs=everywhere_installs(),
            allowed_contexts=everywhere_contexts(),
        )

    async def cog_load(self) -> None:
        self.bot.advice_press = self.on_button
        self.bot.tree.add_command(self.reply_with_care_menu)
        self.recovery.change_interval(seconds=self.services.settings.recovery_interval_seconds)
        self.recovery.start()

    async def cog_unload(self) -> None:
        self.bot.advice_press = None
        self.recovery.cancel()
        self.bot.tree.remove_command(
            self.reply_with_care_menu.name, type=self.reply_with_care_menu.type
        )

    # --- opening the form ----------------------------------------------------------

    async def reply_with_care(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        self._remember_post(interaction.user.id, message)
        # The target arrives with its content even without the Message Content intent
        # (an exception on https://discord.com/developers/docs/events/gateway#message-content-intent;
        # discord.py builds it from ``data.resolved.messages``), so pasting is only
        # asked for where the bot can't fetch the post and it brought no text.
        ask = needs_pasted_post(bot_present(interaction), message.content)
        await interaction.response.send_modal(
            DraftForm(
                new_modal_id(message.channel.id, message.id),
                FORM_TITLE,
                ask_for_post=ask,
                ask_intent=True,
            )
        )

    @everywhere()
    @app_commands.command(name="advise", description=catalog.description("advise"))
    @app_commands.describe(message_link="The link of the message you are answering")
    async def advise(
        self, interaction: discord.Interaction, message_link: app_commands.Range[str, 1, 200]
    ) -> None:
        link = parse_message_link(message_link, interaction.guild_id)
        if not bot_present(interaction):  # the bot can't fetch it: the writer pastes it
            await interaction.response.send_modal(
                DraftForm(
                    new_modal_id(link.channel_id, link.message_id),
                    FORM_TITLE,
                    ask_for_post=needs_pasted_post(False, None),
                    ask_intent=True,
                )
            )
            return
        try:
            async with asyncio.timeout(LINK_LOOKUP_BUDGET):
                message = await fetch_message(self.bot, link.channel_id, link.message_id)
        except TimeoutError:
            message = None  # slow: open the form anyway, the submit looks it up again
        except (discord.NotFound, discord.Forbidden, LookupError):
            await respond(
                interaction,
                "I can't see that message (deleted, or in a channel I can't read).",
                ephemeral=True,
            )
            return
        if message is not None:
            self._remember_post(interaction.user.id, message)
        await interaction.response.send_modal(
            DraftForm(new_modal_id(link.channel_id, link.message_id), FORM_TITLE, ask_intent=True)
        )

    def _remember_post(self, user_id: int, message: discord.Message) -> None:
        if len(self._seen_posts) >= MAX_REMEMBERED_POSTS:
            self._seen_posts.pop(next(iter(self._seen_posts)))
        self._seen_posts[(user_id, message.id)] = message.content

    # --- the form's submission (by custom id, so it works after a restart) ---------

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        custom_id = str(dict(interaction.data or {}).get("custom_id", ""))
        if not custom_id.startswith(MODAL_PREFIX):
            return
        match = MODAL_ID.fullmatch(custom_id)
        text = submitted_reply(interaction.data) or ""
        pasted = submitted_reply(interaction.data, POST_FIELD)
        said = (form_choices(interaction.data).get(INTENT_FIELD) or [""])[0]
        if match is None:
            return
        try:
            if match["draft"] is not None:
                await self._submit_edit(interaction, int(match["draft"]), text)
            else:
                await self._submit_new(
                    interaction,
                    int(match["channel"]),
                    int(match["message"]),
                    text,
                    pasted,
                    stated_intent(said),
                )
        except FlowRefused as exc:
            await self._give_back(interaction, str(exc), text)
        except StorageUnavailable:
            await self._give_back(
                interaction, "Touchstone can't reach its database right now.", text
            )
        except Exception:
            log.exception("advice form failed")
            await self._give_back(interaction, "Something went wrong on Touchstone's side.", text)

    async def _give_back(self, interaction: discord.Interaction, problem: str, text: str) -> None:
        """Every failure hands the writer their words back, whole.

        Quoted inline when it fits one embed; otherwise (a long or many-line draft, which
        embed limits would cut short with "…") as a text file attachment, exactly as typed.
        """
        body = problem
        file: discord.File | None = None
        if text.strip():
            inline = quote(text)
            if len(body) + len(inline) + 100 <= MAX_EMBED_DESCRIPTION:
                body += "\n\nNothing was posted. Here is what you wrote, so nothing is lost:\n"
                body += inline
            else:
                body += (
                    f"\n\nNothing was posted. What you wrote is attached whole as "
                    f"{GIVE_BACK_FILE} ({len(text):,} characters), so nothing is lost."
                )
                file = discord.File(io.BytesIO(text.encode("utf-8")), filename=GIVE_BACK_FILE)
        try:
            await respond(
                interaction, embeds=embeds_for("Not posted", body), ephemeral=True, file=file
            )
        except discord.HTTPException:
            log.warning("could not give a draft back to user %s", interaction.user.id)

    async def _submit_new(
        self,
        interaction: discord.Interaction,
        channel_id: int,
        message_id: int,
        text: str,
        pasted: str | None = None,
        stated: str = "",
    ) -> None:
        # Store, then acknowledge, then call out: the typed text (and what is known of
        # the post) is saved before the acknowledgement and before the post is fetched,
        # so a process killed at any moment after "thinking…" loses nothing; the
        # recovery loop finishes the check and sends the report.
        seen = self._seen_posts.get((interaction.user.id, message_id))
        if not bot_present(interaction):
            await self._submit_away(
                interaction, channel_id, message_id, text, pasted or seen, stated
            )
            return
        known = PostContext(
            post_text=seen or "",
            guild_id=interaction.guild_id,
            channel_id=channel_id,
            post_message_id=message_id,
            stated_intent=stated,
        )
        draft_id = await self.flow.receive(interaction.user.id, known, text)
        await acknowledge(interaction)
        try:
            post = await fetch_message(self.bot, channel_id, message_id)
        except (discord.HTTPException, LookupError):
            post = None
        if post is None:
            await self.flow.abandon(draft_id)
            raise FlowRefused("The message you were answering is gone, so I can't post a reply.")
        context = replace(context_for(post, post.content or seen or ""), stated_intent=stated)
        draft = await self.flow.finish(draft_id, context)
        self._seen_posts.pop((interaction.user.id, message_id), None)
        await show_card(interaction, report_layout(draft))
        await self._improve_in_place(interaction, draft)

    async def _submit_away(
        self,
        interaction: discord.Interaction,
        channel_id: int,
        message_id: int,
        text: str,
        post_text: str | None,
        stated: str = "",
    ) -> None:
        """A server the bot isn't in: the post is what the interaction brought (or the
        writer pasted); nothing is fetched, and the report stays private."""
        if needs_pasted_post(False, post_text):
            raise FlowRefused(
                "Touchstone isn't in this server and can't read the post you are answering, "
                "so it can't check your reply. Use Reply with care on it again and paste it."
            )
        context = PostContext(
            post_text=post_text or "",
            guild_id=interaction.guild_id,
            channel_id=channel_id,
            post_message_id=message_id,
            bot_present=False,
            stated_intent=stated,
        )
        draft_id = await self.flow.receive(interaction.user.id, context, text)
        await acknowledge(interaction)
        draft = await self.flow.finish(draft_id, context)
        self._seen_posts.pop((interaction.user.id, message_id), None)
        await show_card(interaction, report_layout(draft))
        await self._improve_in_place(interaction, draft)

    async def _submit_edit(
        self, interaction: discord.Interaction, draft_id: int, text: str
    ) -> None:
        in_place = interaction.message is not None
        if in_place:
            await acknowledge(interaction, ephemeral=False, thinking=False)
        else:
            await acknowledge(interaction)
        draft = await self.flow.revise(draft_id, interaction.user.id, text)
        await show_card(interaction, report_layout(draft))
        await self._improve_in_place(interaction, draft)

    async def _improve_in_place(self, interaction: discord.Interaction, draft: Draft) -> None:
        """With a model: swap in its gentler version if it arrives within the budget."""
        improved = await self.flow.improve(draft)
        if improved is None:
            return
        try:
            await show_card(interaction, report_layout(improved))
        except discord.HTTPException:
            log.info("could not show the model's version of draft %s", draft.id)

    # --- recovery: what a stopped process left unfinished ---------------------------

    @tasks.loop(seconds=15)
    async def recovery(self) -> None:
        """At start-up and then regularly: finish what a stopped process left unfinished
        (see :meth:`DraftRecovery.run`)."""
        await self.recovering.run()

    @recovery.before_loop
    async def _before_recovery(self) -> None:
        await self.bot.wait_until_ready()

    # --- the buttons ---------------------------------------------------------------

    async def on_button(
        self, interaction: discord.Interaction, draft_id: int, action: Action
    ) -> None:
        try:
            if action is Action.EDIT:
                draft = await self.flow.get_for(draft_id, interaction.user.id)
                await interaction.response.send_modal(
                    DraftForm(edit_modal_id(draft_id), FORM_TITLE, draft.text)
                )
            elif action is Action.MISTAKE:
                await acknowledge(interaction)
                first = await self.flow.mistake(draft_id, interaction.user.id)
                await respond(
                    interaction,
                    "Thanks: recorded as a false alarm, so moderators can tune the check."
                    if first
                    else "You already marked this one; thanks.",
                    ephemeral=True,
                )
            elif action is Action.CANCEL:
                await acknowledge(interaction, ephemeral=False, thinking=False)
                draft = await self.flow.cancel(draft_id, interaction.user.id)
                await show_card(interaction, cancelled_layout(draft))
            else:
                await acknowledge(interaction, ephemeral=False, thinking=False)
                version = Version.GENTLER if action is Action.GENTLE else Version.AS_WRITTEN
                await self._post(interaction, draft_id, version)
        except FlowRefused as exc:
            await respond(interaction, str(exc), ephemeral=True)
        except StorageUnavailable:
            await respond(
                interaction, "Touchstone can't reach its database right now.", ephemeral=True
            )

    async def _post(
        self, interaction: discord.Interaction, draft_id: int, version: Version
    ) -> None:
        async def send(plan: PostPlan) -> discord.Message:
            try:
                if plan.bot_present:
                    return await publish(self.bot, plan, interaction.user)
                return await respond_in_channel(interaction, plan)
            except discord.HTTPException as exc:
                log.info("posting draft %s failed: HTTP %s", draft_id, exc.status)
                raise FlowRefused(
                    "I couldn't post in that channel (missing permissions, or it was closed). "
                    "Your draft is kept; here it is:\n" + quote(plan.text)
                ) from None

        _plan, sent = await self.flow.publish(
            draft_id,
            interaction.user.id,
            version,
            send,
            id_of=lambda message: message.id,
            from_channel_id=interaction.channel_id,
        )
        await show_card(interaction, posted_layout(draft_id, sent.jump_url))

    # --- watch mode ----------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        await self.watch.on_message(message)


async def setup(bot: TouchstoneBot) -> None:
    services = bot.services
    bot.add_dynamic_items(AdviceButton)
    await bot.add_cog(Advice(bot, services))
