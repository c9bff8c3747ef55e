"""Point discord.py at another REST base and gateway: a REST proxy, or the tests' fake."""

from __future__ import annotations

import discord
import yarl
from discord.gateway import DiscordWebSocket

from bot.settings import Settings


def apply_endpoint_overrides(settings: Settings) -> None:
    """discord.py reads these class attributes when it builds requests and connects."""
    if settings.discord_api_base is not None:
        discord.http.Route.BASE = str(settings.discord_api_base).rstrip("/")
    if settings.discord_gateway_url is not None:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)
