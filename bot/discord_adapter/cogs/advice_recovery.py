"""Recovery: what a stopped process left unfinished (checks that never ran, replies
left posting), finished by the Advice cog's ``recovery`` loop."""

from __future__ import annotations

import logging

import discord

from bot.advice_flow import Draft, ReceivedDraft
from bot.advice_flow.text import quote
from bot.discord_adapter.advice_views import posted_layout, report_layout
from bot.discord_adapter.client import TouchstoneBot
from bot.discord_adapter.cogs.advice_support import context_for, fetch_message, find_user, send_dm
from bot.discord_adapter.messages import embeds_for
from bot.services import Services
from bot.storage import StorageUnavailable

#: The cog's logger, so the lines read as they did before the cog was split.
log = logging.getLogger("bot.discord_adapter.cogs.advice")


class DraftRecovery:
    def __init__(self, bot: TouchstoneBot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self.flow = services.advice_flow

    async def run(self) -> None:
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

    async def _finish_received(self, received: ReceivedDraft) -> None:
        context = received.context
        if context.channel_id is None or context.post_message_id is None:
            return
        if not context.bot_present:  # nothing to fetch: the stored post is all there is
            draft = await self.flow.finish(received.id, context)
            await send_dm(
                self.services,
                await find_user(self.bot, received.author_id),
                view=report_layout(
                    draft,
                    "Touchstone restarted while checking your reply, so here is its report. "
                    "To post it, use Reply with care on the post again.",
                ),
            )
            return
        try:
            post = await fetch_message(self.bot, context.channel_id, context.post_message_id)
        except (discord.NotFound, discord.Forbidden, LookupError):
            post = None
        except discord.HTTPException as exc:
            log.info("draft %s: post not fetched (HTTP %s); later", received.id, exc.status)
            return
        writer = await find_user(self.bot, received.author_id)
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
        writer = await find_user(self.bot, draft.author_id)
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
            await find_user(self.bot, draft.author_id),
            view=report_layout(fresh, note),
        )
