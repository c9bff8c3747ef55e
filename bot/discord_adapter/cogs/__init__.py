"""Cogs, one per area. ``EXTENSIONS`` is the single list loaded by ``setup_hook``."""

EXTENSIONS: tuple[str, ...] = (
    "bot.discord_adapter.cogs.general",
    "bot.discord_adapter.cogs.knowledge",
    "bot.discord_adapter.cogs.advice",
    "bot.discord_adapter.cogs.dialogues",
    "bot.discord_adapter.cogs.coaching",
    "bot.discord_adapter.cogs.club",
    "bot.discord_adapter.cogs.privacy",
    "bot.discord_adapter.cogs.config",
)
