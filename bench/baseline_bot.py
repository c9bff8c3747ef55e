"""The baseline for the interaction and start-up benchmarks: a bare discord.py bot.

It answers every interaction at once with a fixed message and loads nothing else, so
its figures show what the transport (discord.py + the fake Discord + loopback)
costs on this machine. Touchstone's figures above it are Touchstone's own cost.

    TOUCHSTONE_TOKEN=... TOUCHSTONE_DISCORD_API_BASE=... TOUCHSTONE_DISCORD_GATEWAY_URL=... \\
        python -m bench.baseline_bot
"""

from __future__ import annotations

import asyncio
import logging
import os

import discord
import yarl
from discord.gateway import DiscordWebSocket

log = logging.getLogger("baseline")


class BaselineBot(discord.AutoShardedClient):
    async def on_ready(self) -> None:
        log.warning("Touchstone ready as %s (baseline)", self.user)
        log.warning("knowledge ready: none (baseline)")

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            "ok", ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )


async def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    discord.http.Route.BASE = os.environ["TOUCHSTONE_DISCORD_API_BASE"]
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["TOUCHSTONE_DISCORD_GATEWAY_URL"])
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
    bot = BaselineBot(
        intents=discord.Intents.default(),
        chunk_guilds_at_startup=False,
        guild_ready_timeout=float(os.environ.get("TOUCHSTONE_GUILD_READY_TIMEOUT", "2")),
    )
    async with bot:
        await bot.start(os.environ["TOUCHSTONE_TOKEN"])


if __name__ == "__main__":
    asyncio.run(main())
