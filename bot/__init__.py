"""Touchstone: a Discord coaching bot for research and practice communities.

The package is split in two rooms: the domain (everything but ``bot.discord_adapter``
and ``bot.console``) knows nothing about Discord, and the adapters drive it.
"""

__version__ = "0.1.0"
