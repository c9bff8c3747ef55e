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
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.advice_flow import (
    BadLink,
    Draft,
    FlowRefused,
    PostContext,
    PostPlan,
    ReceivedDraft,
    Version,
    WatchAction,
    WatchedReply,
    WatchPlan,
    parse_message_link,
)
from bot.advice_flow.links import stated_intent
from bot.advice_flow.reach import needs_pasted_post, post_link
from bot.advice_flow.text import quote
from bot.discord_adapter.advice_views import (
    INTENT_FIELD,
    MODAL_ID,
    MODAL_PREFIX,
    POST_FIELD,
    Action,
    AdviceButton,
    DraftForm,
    attributed_embed,
    cancelled_layout,
    edit_modal_id,
    new_modal_id,
    posted_layout,
    report_layout,
    submitted_reply,
)
from bot.discord_adapter.client import TouchstoneBot
from bot.discord_adapter.forms import form_choices
from bot.discord_adapter.interaction_facts import bot_present
from bot.discord_adapter.messages import (
    MAX_EMBED_DESCRIPTION,
    NO_MENTIONS,
    embeds_for,
    respond,
    split_text,
    truncate,
)
from bot.discord_adapter.reach import everywhere, everywhere_contexts, everywhere_installs
from bot.guild_config.model import AdvicePolicy
from bot.services import Services
from bot.storage import StorageUnavailable

log = logging.getLogger(__name__)

CANNOT_DM = 50007
#: Seconds /advise may spend looking up the linked message before opening the form anyway.
LINK_LOOKUP_BUDGET = 1.5
FORM_TITLE = "Reply with care"
MAX_REMEMBERED_POSTS = 500
#: The attachment a long refused draft comes back in (see ``Advice._give_back``).
GIVE_BACK_FILE = "your-reply.txt"


async def send_dm(services: Services, user: discord.User | discord.Member, **kwargs: Any) -> bool:
    """Send a DM now and say whether it arrived. Closed DMs are remembered, never retried."""
    if await services.users.dms_closed(user.id):
        return False
    try:
        await user.send(allowed_mentions=NO_MENTIONS, **kwargs)
    except discord.Forbidden as exc:
        if exc.code == CANNOT_DM:
            await services.users.mark_dms_closed(user.id)
        log.info("could not DM user %s (code %s)", user.id, exc.code)
        return False
    except discord.HTTPException as exc:
        log.warning("DM to user %s failed: HTTP %s", user.id, exc.status)
        return False
    return True


async def show_card(interaction: discord.Interaction, card: discord.ui.LayoutView) -> None:
    """Replace the interaction's message with a V2 card. A message can opt into
    Components V2 on edit only with its content and embeds cleared, which matters for
    reports sent as embeds before V2:
    https://docs.discord.com/developers/components/reference"""
    await interaction.edit_original_response(
        content=None, embeds=[], view=card, allowed_mentions=NO_MENTIONS
    )


def thread_facts(channel: object) -> tuple[int | None, tuple[str, ...]]:
    """(parent id, forum tag names) for a thread; (None, ()) elsewhere."""
    if isinstance(channel, discord.Thread):
        return channel.parent_id, tuple(tag.name for tag in channel.applied_tags)
    return None, ()


def context_for(message: discord.Message, text: str | None = None) -> PostContext:
    parent_id, tags = thread_facts(message.channel)
    return PostContext(
        post_text=message.content if text is None else text,
        guild_id=message.guild.id if message.guild else None,
        channel_id=message.channel.id,
        parent_id=parent_id,
        post_message_id=message.id,
        post_author_id=message.author.id,
        tags=tags,
    )


class Advice(commands.Cog):
    def __init__(self, bot: TouchstoneBot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self.flow = services.advice_flow
        #: Post text seen when the form was opened, for when a later fetch can't read it
        #: (no Message Content intent): (user id, message id) -> text.
        self._seen_posts: dict[tuple[int, int], str] = {}
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
    @app_commands.command(
        name="advise", description="Draft a reply to a message; it is checked before it is posted."
    )
    @app_commands.describe(message_link="The link of the message you are answering")
    async def advise(
        self, interaction: discord.Interaction, message_link: app_commands.Range[str, 1, 200]
    ) -> None:
        try:
            link = parse_message_link(message_link, interaction.guild_id)
        except BadLink as exc:
            await respond(interaction, str(exc), ephemeral=True)
            return
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
                message = await self._fetch_message(link.channel_id, link.message_id)
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

    async def _fetch_message(self, channel_id: int, message_id: int) -> discord.Message:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            channel = await self.bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise LookupError(f"channel {channel_id} holds no messages")
        return await channel.fetch_message(message_id)

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
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            post = await self._fetch_message(channel_id, message_id)
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
        await interaction.response.defer(ephemeral=True, thinking=True)
        draft = await self.flow.finish(draft_id, context)
        self._seen_posts.pop((interaction.user.id, message_id), None)
        await show_card(interaction, report_layout(draft))
        await self._improve_in_place(interaction, draft)

    async def _submit_edit(
        self, interaction: discord.Interaction, draft_id: int, text: str
    ) -> None:
        in_place = interaction.message is not None
        if in_place:
            await interaction.response.defer()
        else:
            await interaction.response.defer(ephemeral=True, thinking=True)
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
        """At start-up and then regularly: finish stored texts whose check never ran, and
        reconcile drafts left ``posting`` with their channel, when the process that was
        handling them stopped. One bad draft is logged and skipped, never stops the rest."""
        try:
            received = await self.flow.unfinished_checks()
            stuck = await self.flow.stuck_posting()
        except StorageUnavailable:
            log.warning("draft recovery skipped: database unavailable")
            return
        except Exception:
            log.exception("draft recovery failed")
            return
        for one in received:
            try:
                await self._finish_received(one)
            except Exception:
                log.exception("draft %s: finishing its check failed", one.id)
            finally:
                self.flow.later(one.id)  # a no-op once finished
        for draft in stuck:
            try:
                await self._reconcile(draft)
            except Exception:
                log.exception("draft %s: reconciling its post failed", draft.id)
            finally:
                self.flow.later(draft.id)

    @recovery.before_loop
    async def _before_recovery(self) -> None:
        await self.bot.wait_until_ready()

    async def _writer(self, user_id: int) -> discord.User:
        return self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)

    async def _finish_received(self, received: ReceivedDraft) -> None:
        context = received.context
        if context.channel_id is None or context.post_message_id is None:
            return
        if not context.bot_present:  # nothing to fetch: the stored post is all there is
            draft = await self.flow.finish(received.id, context)
            await send_dm(
                self.services,
                await self._writer(received.author_id),
                view=report_layout(
                    draft,
                    "Touchstone restarted while checking your reply, so here is its report. "
                    "To post it, use Reply with care on the post again.",
                ),
            )
            return
        try:
            post = await self._fetch_message(context.channel_id, context.post_message_id)
        except (discord.NotFound, discord.Forbidden, LookupError):
            post = None
        except discord.HTTPException as exc:
            log.info("draft %s: post not fetched (HTTP %s); later", received.id, exc.status)
            return
        writer = await self._writer(received.author_id)
        if post is None:
            await self.flow.abandon(received.id)
            await send_dm(
                self.services,
                writer,
                embeds=embeds_for(
                    "Not posted",
                    "The message you were answering is gone, so I can't post your reply. "
                    "Here is what you wrote, so nothing is lost:\n" + quote(received.text),
                ),
            )
            return
        draft = await self.flow.finish(
            received.id, context_for(post, post.content or context.post_text)
        )
        log.info("draft %s: check finished after a restart", draft.id)
        note = (
            f"Touchstone restarted while checking your reply to {post.jump_url}, so here is "
            "its report. The buttons work as usual."
        )
        await send_dm(self.services, writer, view=report_layout(draft, note))

    async def _reconcile(self, draft: Draft) -> None:
        """Was the reply posted before the process stopped? Look, then settle the draft."""
        context = draft.context
        me = self.bot.user
        if context.channel_id is None or me is None:
            return
        if not context.bot_present:
            await self._reconcile_away(draft)
            return
        channel = self.bot.get_partial_messageable(context.channel_id, guild_id=context.guild_id)
        found: discord.Message | None = None
        try:
            async for message in channel.history(limit=100):
                if message.author.id != me.id or not message.embeds:
                    continue
                reference = message.reference.message_id if message.reference else None
                if draft.published_as(reference, message.embeds[0].description or ""):
                    found = message
                    break
        except discord.NotFound:
            found = None
        except discord.HTTPException as exc:
            log.info("draft %s: channel not read (HTTP %s); later", draft.id, exc.status)
            return
        fresh = await self.flow.reconcile(draft, found.id if found else None)
        log.info("draft %s: left posting, %s", draft.id, "was posted" if found else "open again")
        writer = await self._writer(draft.author_id)
        if found is not None:
            await send_dm(self.services, writer, view=posted_layout(draft.id, found.jump_url))
            return
        note = (
            "Touchstone restarted while posting this reply, and it did not reach the "
            "channel. Nothing was posted; the buttons work again."
        )
        await send_dm(self.services, writer, view=report_layout(fresh, note))

    async def _reconcile_away(self, draft: Draft) -> None:
        """The bot can't read a channel of a server it isn't in: open the draft again and
        ask the writer to look before posting twice."""
        fresh = await self.flow.reconcile(draft, None)
        note = (
            "Touchstone restarted while posting this reply and can't read that channel to "
            "see whether it arrived: look there before posting it again."
        )
        await send_dm(
            self.services,
            await self._writer(draft.author_id),
            view=report_layout(fresh, note),
        )

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
                await interaction.response.defer(ephemeral=True, thinking=True)
                first = await self.flow.mistake(draft_id, interaction.user.id)
                await respond(
                    interaction,
                    "Thanks: recorded as a false alarm, so moderators can tune the check."
                    if first
                    else "You already marked this one; thanks.",
                    ephemeral=True,
                )
            elif action is Action.CANCEL:
                await interaction.response.defer()
                draft = await self.flow.cancel(draft_id, interaction.user.id)
                await show_card(interaction, cancelled_layout(draft))
            else:
                await interaction.response.defer()
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
        plan = await self.flow.claim_post(
            draft_id, interaction.user.id, version, from_channel_id=interaction.channel_id
        )
        try:
            if plan.bot_present:
                sent: discord.Message = await self._publish(plan, interaction.user)
            else:
                sent = await self._respond_in_channel(interaction, plan)
        except discord.HTTPException as exc:
            await self.flow.post_failed(plan)
            log.info("posting draft %s failed: HTTP %s", draft_id, exc.status)
            raise FlowRefused(
                "I couldn't post in that channel (missing permissions, or it was closed). "
                "Your draft is kept; here it is:\n" + quote(plan.text)
            ) from None
        except BaseException:
            await self.flow.post_failed(plan)
            raise
        await self.flow.posted(plan, sent.id)
        await show_card(interaction, posted_layout(draft_id, sent.jump_url))

    async def _respond_in_channel(
        self, interaction: discord.Interaction, plan: PostPlan
    ) -> discord.Message:
        """Where the bot isn't a member: the post button's own response, public, in the
        post's channel, naming its writer and linking the post. One follow-up, well
        within the five a user install gets per interaction."""
        link = post_link(plan.guild_id, plan.channel_id, plan.post_message_id)
        return await interaction.followup.send(
            embed=attributed_embed(interaction.user, plan.text, link),
            allowed_mentions=NO_MENTIONS,
            wait=True,
        )

    async def _publish(self, plan: PostPlan, author: discord.abc.User) -> discord.Message:
        """A bot reply to the original post, naming and picturing its writer."""
        assert plan.channel_id is not None
        channel = self.bot.get_partial_messageable(plan.channel_id, guild_id=plan.guild_id)
        reference = (
            discord.MessageReference(
                message_id=plan.post_message_id,
                channel_id=plan.channel_id,
                guild_id=plan.guild_id,
                fail_if_not_exists=False,
            )
            if plan.post_message_id is not None
            else None
        )
        return await channel.send(
            embed=attributed_embed(author, plan.text),
            reference=reference,  # type: ignore[arg-type]
            allowed_mentions=NO_MENTIONS,
        )

    # --- watch mode ----------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None or message.author.bot or message.webhook_id is not None:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        parent_id, _ = thread_facts(message.channel)
        try:
            policy = await self.flow.policy(message.guild.id, message.channel.id, parent_id)
            if policy is AdvicePolicy.OFF:
                return
            post = await self._answered_post(message)
            if post is None:
                return
            reply = WatchedReply(
                context_for(post),
                message_id=message.id,
                author_id=message.author.id,
                text=message.content,
                author_is_bot=message.author.bot,
            )
            plan = await self.flow.plan_watch(reply)
            if plan.action is WatchAction.NUDGE:
                await self._nudge(message, plan)
            elif plan.action is WatchAction.HOLD:
                await self._hold(message, plan)
        except StorageUnavailable:
            log.warning("watch mode skipped message %s: database unavailable", message.id)
        except Exception:
            log.exception("watch mode failed on message %s", message.id)

    async def _answered_post(self, message: discord.Message) -> discord.Message | None:
        """The message this one answers: its reply target, or its forum post's opener."""
        reference = message.reference
        if reference is not None and reference.message_id is not None:
            if isinstance(reference.resolved, discord.Message):
                return reference.resolved
            try:
                return await message.channel.fetch_message(reference.message_id)
            except discord.HTTPException:
                return None
        channel = message.channel
        if not isinstance(channel, discord.Thread) or channel.id == message.id:
            return None
        if not isinstance(channel.parent, discord.ForumChannel):
            return None
        if channel.starter_message is not None:
            return channel.starter_message
        try:
            return await channel.fetch_message(channel.id)
        except discord.HTTPException:
            pass
        async for first in channel.history(limit=1, oldest_first=True):
            return first if first.id != message.id else None
        return None

    def _where(self, message: discord.Message) -> str:
        name = getattr(message.channel, "name", None)
        return f"#{name}" if name else "a channel"

    async def _nudge(self, message: discord.Message, plan: WatchPlan) -> None:
        assert plan.draft is not None
        draft = plan.draft
        intro = (
            f"About your reply in {self._where(message)} ({message.jump_url}): it might land as a "
            "pile of advice for someone who didn't ask for it. It's still posted, nothing "
            "happened to it; if you agree, you could edit it along these lines."
        )
        layout = report_layout(draft, intro=intro, title="A gentle nudge", watched=True)
        await send_dm(self.services, message.author, view=layout)

    async def _hold(self, message: discord.Message, plan: WatchPlan) -> None:
        """DM the full text first; remove the reply only if that DM arrived."""
        assert plan.draft is not None
        draft = plan.draft
        text_back = (
            f"Watch mode in {self._where(message)} holds replies that might bury someone in "
            "advice they didn't ask for, so I'm taking yours down for now. Here is exactly "
            "what you wrote, nothing is lost:\n\n" + draft.text
        )
        delivered = await self._dm_pieces(message.author, split_text(text_back))
        removed = False
        if plan.may_remove(delivered):
            try:
                await message.delete()
                removed = True
            except discord.HTTPException as exc:
                log.warning("could not remove held message %s: HTTP %s", message.id, exc.status)
        await self.flow.watch_outcome(plan, delivered, removed)
        if removed:
            fresh = await self.flow.get_for(draft.id, draft.author_id)
            explain = (
                "You can post it again as written, post the gentler version, or edit it "
                "first; it will appear as a reply to the same post, under your name.\n\n"
            )
            await send_dm(
                self.services,
                message.author,
                view=report_layout(fresh, intro=explain.strip(), title="What to do with it"),
            )
        elif delivered:
            await send_dm(
                self.services,
                message.author,
                content="I couldn't take it down after all, so your reply is still up.",
            )
        else:
            await self._tell_moderators(message)

    async def _dm_pieces(self, user: discord.User | discord.Member, pieces: list[str]) -> bool:
        for piece in pieces:
            if not await send_dm(self.services, user, content=piece):
                return False
        return True

    async def _tell_moderators(self, message: discord.Message) -> None:
        assert message.guild is not None
        config = await self.services.guild_config.get(message.guild.id)
        if config.report_channel_id is None:
            return
        channel = self.bot.get_partial_messageable(
            config.report_channel_id, guild_id=message.guild.id
        )
        note = (
            f"Watch mode (hold) flagged a reply by {truncate(message.author.display_name, 80)} "
            f"in {self._where(message)} ({message.jump_url}) but couldn't DM them the text, "
            "so the reply was left in place."
        )
        try:
            await channel.send(note, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.info("could not notify the report channel: HTTP %s", exc.status)


async def setup(bot: TouchstoneBot) -> None:
    services = bot.services
    bot.add_dynamic_items(AdviceButton)
    await bot.add_cog(Advice(bot, services))
