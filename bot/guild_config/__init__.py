"""Per-server configuration: one validated model, cached, audited.

Features read their section with ``await services.guild_config.get(guild_id)``
(``.advice``, ``.dialogues``, ``.coaching``, ``.model``, ``.care``, ``.moderator_role_ids``,
``.report_channel_id``); moderators change it through ``/config`` or the console.
"""

from bot.guild_config.keys import KEYS, ConfigError, KeySpec, Problem, resolve
from bot.guild_config.model import (
    AdviceConfig,
    AdvicePolicy,
    CareConfig,
    ClubConfig,
    CoachingConfig,
    DialogueName,
    DialoguesConfig,
    GuildConfig,
    ModelConfig,
    Tone,
    Weekday,
)
from bot.guild_config.render import HistoryEntry, facilitator_instructions
from bot.guild_config.service import Change, GuildConfigService, Update

__all__ = [
    "KEYS",
    "AdviceConfig",
    "AdvicePolicy",
    "CareConfig",
    "Change",
    "ClubConfig",
    "CoachingConfig",
    "ConfigError",
    "DialogueName",
    "DialoguesConfig",
    "GuildConfig",
    "GuildConfigService",
    "HistoryEntry",
    "KeySpec",
    "ModelConfig",
    "Problem",
    "Tone",
    "Update",
    "Weekday",
    "facilitator_instructions",
    "resolve",
]
