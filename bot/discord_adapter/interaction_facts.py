"""Translate an interaction into the plain facts the domain decides on."""

from __future__ import annotations

import discord

from bot.permissions import MemberFacts, NotAllowed, Privilege, require
from bot.services import Services


def member_facts(interaction: discord.Interaction) -> MemberFacts:
    user = interaction.user
    role_ids = frozenset(
        role.id for role in getattr(user, "roles", []) if role.id != interaction.guild_id
    )
    guild = interaction.guild
    return MemberFacts(
        user_id=user.id,
        guild_id=interaction.guild_id,
        guild_owner_id=guild.owner_id if guild is not None else None,
        permissions=interaction.permissions.value if interaction.guild_id else 0,
        role_ids=role_ids,
    )


def bot_present(interaction: discord.Interaction) -> bool:
    """Whether the bot is a member where the interaction happened: always in DMs, and in
    a server only when the server installed the app (``authorizing_integration_owners``
    names it). Otherwise only the user's own install reached there."""
    return interaction.guild_id is None or interaction.is_guild_integration()


def hosts_dialogues(interaction: discord.Interaction) -> bool:
    """Whether a dialogue can be held where this interaction happened: in a server that
    added the bot (a private thread) or in the person's DM with the bot. Not in a server
    or group DM reached only through the person's own install: the bot can't write there."""
    return bot_present(interaction) and not interaction.context.private_channel


async def require_moderator(interaction: discord.Interaction, services: Services) -> Privilege:
    """Raise NotAllowed (shown privately by the error handler) unless on the ladder."""
    facts = member_facts(interaction)
    roles = await services.moderator_role_ids(facts.guild_id) if facts.guild_id else ()
    return require(facts, Privilege.MODERATOR, roles)


__all__ = ["NotAllowed", "bot_present", "hosts_dialogues", "member_facts", "require_moderator"]
