"""Per-server configuration: one validated model, cached, audited."""

from bot.guild_config.model import AdvicePolicy, GuildConfig
from bot.guild_config.service import GuildConfigService

__all__ = ["AdvicePolicy", "GuildConfig", "GuildConfigService"]
