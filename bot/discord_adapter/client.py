"""The Discord client: loads cogs and background work in ``setup_hook``."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.discord_adapter.acknowledging import FirstResponsesFirst
from bot.discord_adapter.cogs import EXTENSIONS
from bot.discord_adapter.dm_delivery import DiscordDeliverer
from bot.discord_adapter.errors import on_tree_error
from bot.discord_adapter.health import DiscordHealth
from bot.discord_adapter.limits_check import LimitedTree
from bot.discord_adapter.messages import NO_MENTIONS
from bot.discord_adapter.reach import guild_only_install
from bot.services import Services

if TYPE_CHECKING:
    from bot.discord_adapter.advice_views import AdvicePress
    from bot.discord_adapter.dialogue_views import DialoguePress

log = logging.getLogger(__name__)
COMMANDS_HASH_KEY = "discord.commands_hash"


def intents_for(services: Services) -> discord.Intents:
    intents = discord.Intents.default()
    intents.message_content = services.settings.message_content_intent
    intents.members = False
    intents.presences = False
    return intents


class TouchstoneBot(commands.AutoShardedBot):
    """Slash commands only: the prefix is unusable by design (no text commands)."""

    def __init__(self, services: Services, *, serving: bool = True) -> None:
        """``serving=False`` is a REST-only login (``touchstone sync-commands``): commands
        are loaded, but nothing runs in the background (no index, scheduler or endpoint)."""
        # Touchstone never joins voice; don't warn about voice libraries at every start.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        settings = services.settings
        super().__init__(
            command_prefix=commands.when_mentioned_or("\x00touchstone\x00"),
            help_command=None,
            intents=intents_for(services),
            allowed_mentions=NO_MENTIONS,
            shard_count=settings.shard_count,
            shard_ids=settings.shard_ids,  # type: ignore[arg-type]  # None means all
            chunk_guilds_at_startup=False,
            guild_ready_timeout=settings.guild_ready_timeout,
            member_cache_flags=discord.MemberCacheFlags.none(),
            tree_cls=LimitedTree,
            # Every command not declared user-installable (bot.discord_adapter.reach).
            allowed_installs=guild_only_install(),
        )
        self.services = services
        self.serving = serving
        self.tree.on_error = on_tree_error  # type: ignore[method-assign]
        if isinstance(self.tree, LimitedTree):  # cooldowns on /ask, dialogues, reply checks
            self.tree.limits = services.limits
        self.health = DiscordHealth(self)  # /healthz, /metrics and command timings
        #: What the persistent report and dialogue buttons call; set while their cog
        #: is loaded, so a press before (or after) that does nothing.
        self.advice_press: AdvicePress | None = None
        self.dialogue_press: DialoguePress | None = None
        #: Interactions still owed a first response (``acknowledging.acknowledge``).
        self.first_responses = FirstResponsesFirst()

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """Count each interaction the moment its event is parsed, before any handler
        (the tree's included) has run, so work after an acknowledgement can wait."""
        if event_name == "interaction" and args and isinstance(args[0], discord.Interaction):
            self.first_responses.received(args[0])
        super().dispatch(event_name, *args, **kwargs)

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if not self.serving:
            return
        await self.health.start()
        # Index in the background: the gateway connects meanwhile, and commands that
        # need the library defer and wait for this same task.
        self.services.knowledge_ready()
        await self.sync_commands_if_changed()
        self.services.scheduler_start(DiscordDeliverer(self))

    async def close(self) -> None:
        await self.health.stop()
        await super().close()

    def commands_fingerprint(self) -> str:
        """A hash of the command payloads: changes exactly when Discord needs a re-sync."""
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands()]
        encoded = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()

    async def sync_commands(self, guild_id: int | None = None) -> int:
        guild = discord.Object(id=guild_id) if guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        if guild is None:
            await self.services.state.set(COMMANDS_HASH_KEY, self.commands_fingerprint())
        return len(synced)

    async def sync_commands_if_changed(self) -> None:
        """Sync only when the command set changed since the last sync, never on every start."""
        fingerprint = self.commands_fingerprint()
        if await self.services.state.get(COMMANDS_HASH_KEY) == fingerprint:
            log.info("slash commands unchanged; not syncing")
            return
        count = await self.sync_commands()
        log.info("slash commands changed; synced %d commands", count)

    async def on_ready(self) -> None:
        log.info(
            "Touchstone ready as %s (shards %s) in %d servers",
            self.user,
            sorted(self.shards),
            len(self.guilds),
        )


def touchstone(interaction: discord.Interaction[Any]) -> TouchstoneBot:
    """The bot behind an interaction, typed: how views reach the services and handlers."""
    client = interaction.client
    if not isinstance(client, TouchstoneBot):
        raise TypeError(f"not a Touchstone interaction: {type(client).__name__}")
    return client
