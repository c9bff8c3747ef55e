"""The default world: a small practice server with every kind of user a bot meets.

Tests that don't care about the exact setup use it through the ``fake_discord``
fixture; tests that do can build their own with the ``add_*`` methods.
"""

from __future__ import annotations

from dataclasses import dataclass

from .server import FakeDiscord
from .state import Channel, ChannelType, ForumTag, Guild, Permission, Role, User


@dataclass(frozen=True)
class PracticeClub:
    """Handles on the default world's objects (ids via ``.id``)."""

    guild: Guild
    owner: User
    admin: User
    manager: User
    moderator: User
    member: User
    admin_role: Role
    manager_role: Role
    moderator_role: Role
    general: Channel
    help: Channel
    tag_just_started: ForumTag
    tag_details_welcome: ForumTag

    @property
    def users(self) -> tuple[User, ...]:
        """Every human in the guild, most to least privileged."""
        return (self.owner, self.admin, self.manager, self.moderator, self.member)


MODERATOR_PERMISSIONS = (
    Permission.KICK_MEMBERS
    | Permission.MANAGE_MESSAGES
    | Permission.MANAGE_THREADS
    | Permission.MODERATE_MEMBERS
)
"""What the "Moderator" role grants: moderation without server management."""


def build_practice_club(fake: FakeDiscord, *, shard: tuple[int, int] | None = None) -> PracticeClub:
    """Populate ``fake`` with "Practice Club": owner, admin, manager, moderator, member,
    ``#general`` and the forum ``#help`` tagged "just started" / "details welcome"."""
    owner = fake.add_user("club_owner", global_name="Club Owner")
    admin = fake.add_user("ada_admin", global_name="Ada Admin")
    manager = fake.add_user("manny_manager", global_name="Manny Manager")
    moderator = fake.add_user("mo_moderator", global_name="Mo Moderator")
    member = fake.add_user("pat_member", global_name="Pat Member")
    guild = fake.add_guild("Practice Club", owner, shard=shard)
    admin_role = fake.add_role(guild, "Admin", Permission.ADMINISTRATOR)
    manager_role = fake.add_role(guild, "Manager", Permission.MANAGE_GUILD)
    moderator_role = fake.add_role(guild, "Moderator", MODERATOR_PERMISSIONS)
    fake.add_member(guild, admin, [admin_role])
    fake.add_member(guild, manager, [manager_role])
    fake.add_member(guild, moderator, [moderator_role])
    fake.add_member(guild, member)
    general = fake.add_channel(guild, "general", ChannelType.GUILD_TEXT, topic="Say hello")
    help_forum = fake.add_channel(
        guild,
        "help",
        ChannelType.GUILD_FORUM,
        topic="Ask for help",
        tags=["just started", "details welcome"],
    )
    club = PracticeClub(
        guild=guild,
        owner=owner,
        admin=admin,
        manager=manager,
        moderator=moderator,
        member=member,
        admin_role=admin_role,
        manager_role=manager_role,
        moderator_role=moderator_role,
        general=general,
        help=help_forum,
        tag_just_started=help_forum.available_tags[0],
        tag_details_welcome=help_forum.available_tags[1],
    )
    fake.club = club
    return club
