"""Who may do what in a server: the privilege ladder, computed in code.

Discord's ``default_permissions`` is only a default that server admins can change,
so every command that changes something checks this ladder itself.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import IntEnum

from bot.errors import Refusal

ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5


class Privilege(IntEnum):
    NONE = 0  # not in a server (a DM): nothing to moderate
    MEMBER = 1
    MODERATOR = 2
    ADMINISTRATOR = 3
    OWNER = 4


@dataclass(frozen=True)
class MemberFacts:
    """What the adapter knows about the person acting, independent of any Discord type."""

    user_id: int
    guild_id: int | None
    guild_owner_id: int | None
    permissions: int
    role_ids: frozenset[int]


def privilege_of(facts: MemberFacts, moderator_role_ids: Collection[int] = ()) -> Privilege:
    if facts.guild_id is None:
        return Privilege.NONE
    if facts.guild_owner_id is not None and facts.user_id == facts.guild_owner_id:
        return Privilege.OWNER
    if facts.permissions & ADMINISTRATOR:
        return Privilege.ADMINISTRATOR
    if facts.permissions & MANAGE_GUILD or facts.role_ids & frozenset(moderator_role_ids):
        return Privilege.MODERATOR
    return Privilege.MEMBER


class NotAllowed(Refusal):
    """The person lacks the privilege; the message is safe to show them."""


def require(
    facts: MemberFacts, needed: Privilege, moderator_role_ids: Collection[int] = ()
) -> Privilege:
    have = privilege_of(facts, moderator_role_ids)
    if facts.guild_id is None:
        raise NotAllowed("This only works inside a server.")
    if have < needed:
        raise NotAllowed(
            "Only this server's moderators can do that (Manage Server permission or a "
            "moderator role)."
        )
    return have
