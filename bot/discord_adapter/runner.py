"""Start the Discord bot and stop it cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal

import discord

from bot.bootstrap import bootstrap
from bot.discord_adapter.client import TouchstoneBot
from bot.discord_adapter.endpoints import apply_endpoint_overrides
from bot.ops.heap import settle_long_lived_objects
from bot.ops.worker_threads import use_background_workers
from bot.settings import Settings

log = logging.getLogger(__name__)


class DiscordStartError(Exception):
    """A start-up failure the operator can fix; shown as one line."""


async def run_discord(settings: Settings) -> None:
    assert settings.token is not None
    apply_endpoint_overrides(settings)
    loop = asyncio.get_running_loop()
    # Before anything starts a worker thread (the model loads in one).
    use_background_workers(loop)
    services = await bootstrap(settings, on_ready=settle_long_lived_objects)
    bot = TouchstoneBot(services)
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
    try:
        async with bot:
            await bot.start(settings.token.get_secret_value())
    except discord.LoginFailure:
        raise DiscordStartError("Discord rejected the token (TOUCHSTONE_TOKEN)") from None
    except discord.PrivilegedIntentsRequired:
        raise DiscordStartError(
            "Discord refused the Message Content intent: enable it for the bot in the "
            "Developer Portal, or set TOUCHSTONE_MESSAGE_CONTENT_INTENT=false"
        ) from None
    finally:
        await services.close()


async def sync_commands(settings: Settings, guild_id: int | None) -> int:
    """Log in over REST only (no gateway) and register the slash commands."""
    assert settings.token is not None
    apply_endpoint_overrides(settings)
    services = await bootstrap(settings)
    bot = TouchstoneBot(services, serving=False)
    try:
        async with bot:
            await bot.login(settings.token.get_secret_value())
            return await bot.sync_commands(guild_id)
    except discord.LoginFailure:
        raise DiscordStartError("Discord rejected the token (TOUCHSTONE_TOKEN)") from None
    finally:
        await services.close()
