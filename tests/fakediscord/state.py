"""The fake's world: users, guilds, roles, members, channels, messages, webhooks.

Plain dataclasses hold the state; :mod:`.payloads` turns them into the JSON
Discord would send. Keeping the two apart lets tests inspect what the bot did
(``fake.world.messages[...]``) without parsing JSON back.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any

from .snowflake import SnowflakeGenerator, shard_for, snowflake_time, utcnow

JSON = dict[str, Any]
"""A decoded JSON object as the fake sends and receives it."""


class ChannelType(IntEnum):
    """Discord channel types the fake models."""

    GUILD_TEXT = 0
    DM = 1
    GUILD_VOICE = 2
    GUILD_CATEGORY = 4
    GUILD_ANNOUNCEMENT = 5
    ANNOUNCEMENT_THREAD = 10
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    GUILD_FORUM = 15


THREAD_TYPES = frozenset(
    {ChannelType.ANNOUNCEMENT_THREAD, ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD}
)
MESSAGEABLE_TYPES = frozenset(
    {
        ChannelType.GUILD_TEXT,
        ChannelType.DM,
        ChannelType.GUILD_VOICE,
        ChannelType.GUILD_ANNOUNCEMENT,
        *THREAD_TYPES,
    }
)


class Permission(IntEnum):
    """Permission bits used by the default world and by permission checks."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38
    MODERATE_MEMBERS = 1 << 40
    USE_EXTERNAL_APPS = 1 << 50


ALL_PERMISSIONS = (1 << 51) - 1
"""Every permission bit Discord defines today (what owners and administrators get)."""

EVERYONE_PERMISSIONS = (
    Permission.CREATE_INSTANT_INVITE
    | Permission.ADD_REACTIONS
    | Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.CHANGE_NICKNAME
    | Permission.USE_APPLICATION_COMMANDS
    | Permission.CREATE_PUBLIC_THREADS
    | Permission.CREATE_PRIVATE_THREADS
    | Permission.SEND_MESSAGES_IN_THREADS
    | Permission.USE_EXTERNAL_APPS
)
"""Discord's default ``@everyone`` permissions for a new server."""

BOT_ROLE_PERMISSIONS = (
    EVERYONE_PERMISSIONS
    | Permission.MANAGE_MESSAGES
    | Permission.MANAGE_THREADS
    | Permission.MANAGE_WEBHOOKS
)
"""What the bot's managed role grants (an invite link asking for these)."""

MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_IS_COMPONENTS_V2 = 1 << 15


@dataclass
class User:
    """A Discord account. ``dms_closed`` makes DMs to it fail with 50007."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    system: bool = False
    avatar: str | None = None
    public_flags: int = 0
    dms_closed: bool = False
    locale: str = "en-US"

    @property
    def display_name(self) -> str:
        """What Discord shows: the global name when set, else the username."""
        return self.global_name or self.username


@dataclass
class Role:
    """A guild role. The ``@everyone`` role shares its id with the guild."""

    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None


@dataclass
class Member:
    """A user's membership in a guild."""

    user_id: int
    guild_id: int
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: datetime = field(default_factory=utcnow)


@dataclass
class ForumTag:
    """A tag a forum post (thread) can carry in ``applied_tags``."""

    id: int
    name: str
    moderated: bool = False
    emoji_name: str | None = None


@dataclass
class Channel:
    """Any channel: guild text/forum/category, DM, or thread.

    Thread-only fields (``owner_id``, ``archived``...) are ignored for other
    types; keeping one class keeps lookups (``world.channels[id]``) simple.
    """

    id: int
    type: ChannelType
    name: str | None = None
    guild_id: int | None = None
    parent_id: int | None = None
    position: int = 0
    topic: str | None = None
    nsfw: bool = False
    rate_limit_per_user: int = 0
    recipient_ids: list[int] = field(default_factory=list)
    available_tags: list[ForumTag] = field(default_factory=list)
    # Threads
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    applied_tags: list[int] = field(default_factory=list)
    thread_member_ids: dict[int, datetime] = field(default_factory=dict)
    message_count: int = 0
    created_at: datetime = field(default_factory=utcnow)

    @property
    def is_thread(self) -> bool:
        """Whether this channel is a thread (public, private or announcement)."""
        return self.type in THREAD_TYPES


@dataclass
class Attachment:
    """A file uploaded with a message; the bytes are kept for assertions."""

    id: int
    filename: str
    content_type: str | None
    size: int
    data: bytes
    description: str | None = None
    ephemeral: bool = False


@dataclass
class Message:
    """A stored message, whoever sent it (users via helpers, the bot via REST).

    ``request`` keeps the raw JSON body that created the message, so tests can
    look at fields the fake does not model (``allowed_mentions``, ``nonce``...).
    """

    id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    content: str = ""
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    tts: bool = False
    allowed_mentions: JSON | None = None
    mentions: list[int] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    reference_message_id: int | None = None
    webhook_id: int | None = None
    webhook_name: str | None = None
    webhook_avatar_url: str | None = None
    application_id: int | None = None
    interaction_id: int | None = None
    interaction_metadata: JSON | None = None
    thread_id: int | None = None
    edited_at: datetime | None = None
    deleted: bool = False
    pinned: bool = False
    reactions: dict[str, set[int]] = field(default_factory=dict)
    request: JSON = field(default_factory=dict)

    @property
    def created_at(self) -> datetime:
        """Creation time, from the id like Discord does."""
        return snowflake_time(self.id)

    @property
    def ephemeral(self) -> bool:
        """Whether only the invoking user can see the message (flag 64)."""
        return bool(self.flags & MESSAGE_FLAG_EPHEMERAL)


@dataclass
class Webhook:
    """A channel webhook created by the bot (or by a test)."""

    id: int
    token: str
    channel_id: int
    guild_id: int | None
    name: str
    creator_id: int
    avatar: str | None = None


@dataclass
class Guild:
    """A server. ``members`` maps user id to membership."""

    id: int
    name: str
    owner_id: int
    role_ids: list[int] = field(default_factory=list)
    channel_ids: list[int] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)
    features: list[str] = field(default_factory=list)
    preferred_locale: str = "en-US"
    description: str | None = None
    icon: str | None = None


class NotFoundError(LookupError):
    """Raised by world lookups; the server maps it to Discord's 404 codes."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class World:
    """Every object the fake knows, with the builder API tests use.

    Builders accept either objects or ids (``add_channel(guild, ...)`` or
    ``add_channel(guild.id, ...)``), and fill sensible defaults so a test only
    names what it cares about.
    """

    def __init__(self, ids: SnowflakeGenerator, bot_user: User) -> None:
        self.ids = ids
        self.bot_user = bot_user
        self.users: dict[int, User] = {bot_user.id: bot_user}
        self.guilds: dict[int, Guild] = {}
        self.roles: dict[int, Role] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.channel_messages: dict[int, list[int]] = {}
        self.webhooks: dict[int, Webhook] = {}
        self.dm_channel_ids: dict[int, int] = {}

    # ----------------------------------------------------------------- builders

    def add_user(
        self,
        name: str,
        *,
        global_name: str | None = None,
        bot: bool = False,
        dms_closed: bool = False,
        user_id: int | None = None,
        locale: str = "en-US",
    ) -> User:
        """Create a user. ``name`` becomes the (unique, lowercase-style) username."""
        user = User(
            id=user_id if user_id is not None else self.ids.next(),
            username=name,
            global_name=global_name if global_name is not None else name.title(),
            bot=bot,
            dms_closed=dms_closed,
            locale=locale,
        )
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str,
        owner: User | int | None = None,
        *,
        guild_id: int | None = None,
        shard: tuple[int, int] | None = None,
        features: Iterable[str] = (),
        everyone_permissions: int = EVERYONE_PERMISSIONS,
        add_bot: bool = True,
    ) -> Guild:
        """Create a guild with its ``@everyone`` role, an owner and (by default) the bot.

        ``shard=(shard_id, shard_count)`` picks an id that lands on that shard,
        for multi-shard tests. Without an owner a user "<name> owner" is made.
        """
        if guild_id is None:
            guild_id = self.ids.next_for_shard(*shard) if shard else self.ids.next()
        elif shard and shard_for(guild_id, shard[1]) != shard[0]:
            raise ValueError(f"guild id {guild_id} is not on shard {shard}")
        if owner is None:
            owner = self.add_user(f"{name.lower().replace(' ', '_')}_owner")
        owner_id = _id(owner)
        guild = Guild(id=guild_id, name=name, owner_id=owner_id, features=list(features))
        self.guilds[guild.id] = guild
        everyone = Role(
            id=guild.id, guild_id=guild.id, name="@everyone", permissions=everyone_permissions
        )
        self.roles[everyone.id] = everyone
        guild.role_ids.append(everyone.id)
        self.add_member(guild, owner_id)
        if add_bot:
            bot_role = self.add_role(
                guild,
                self.bot_user.username,
                BOT_ROLE_PERMISSIONS,
                managed=True,
                bot_id=self.bot_user.id,
            )
            self.add_member(guild, self.bot_user, roles=[bot_role])
        return guild

    def add_role(
        self,
        guild: Guild | int,
        name: str,
        permissions: int = 0,
        *,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
        managed: bool = False,
        bot_id: int | None = None,
    ) -> Role:
        """Create a role at the top of the guild's hierarchy."""
        g = self.guild(guild)
        role = Role(
            id=self.ids.next(),
            guild_id=g.id,
            name=name,
            permissions=int(permissions),
            position=len(g.role_ids),
            color=color,
            hoist=hoist,
            mentionable=mentionable,
            managed=managed,
            bot_id=bot_id,
        )
        self.roles[role.id] = role
        g.role_ids.append(role.id)
        return role

    def add_member(
        self,
        guild: Guild | int,
        user: User | int,
        roles: Iterable[Role | int] = (),
        *,
        nick: str | None = None,
    ) -> Member:
        """Add a user to a guild (idempotent: re-adding merges the roles)."""
        g = self.guild(guild)
        u = self.user(user)
        role_ids = [_id(r) for r in roles]
        for role_id in role_ids:
            if role_id not in g.role_ids:
                raise ValueError(f"role {role_id} does not belong to guild {g.id}")
        existing = g.members.get(u.id)
        if existing is not None:
            existing.role_ids.extend(r for r in role_ids if r not in existing.role_ids)
            if nick is not None:
                existing.nick = nick
            return existing
        member = Member(user_id=u.id, guild_id=g.id, role_ids=role_ids, nick=nick)
        g.members[u.id] = member
        return member

    def add_channel(
        self,
        guild: Guild | int,
        name: str,
        type: ChannelType | int = ChannelType.GUILD_TEXT,
        *,
        parent: Channel | int | None = None,
        topic: str | None = None,
        tags: Iterable[str] = (),
    ) -> Channel:
        """Create a guild channel; ``tags`` become a forum's ``available_tags``."""
        g = self.guild(guild)
        channel = Channel(
            id=self.ids.next(),
            type=ChannelType(type),
            name=name,
            guild_id=g.id,
            parent_id=_id(parent) if parent is not None else None,
            position=len(g.channel_ids),
            topic=topic,
            available_tags=[ForumTag(id=self.ids.next(), name=t) for t in tags],
        )
        self.channels[channel.id] = channel
        self.channel_messages[channel.id] = []
        g.channel_ids.append(channel.id)
        return channel

    def add_thread(
        self,
        parent: Channel | int,
        name: str,
        owner: User | int,
        *,
        type: ChannelType | int = ChannelType.PUBLIC_THREAD,
        thread_id: int | None = None,
        applied_tags: Iterable[int] = (),
        auto_archive_duration: int = 1440,
        invitable: bool = True,
    ) -> Channel:
        """Create a thread under a text or forum channel; the owner joins it."""
        p = self.channel(parent)
        if p.guild_id is None:
            raise ValueError("threads live in guild channels")
        thread = Channel(
            id=thread_id if thread_id is not None else self.ids.next(),
            type=ChannelType(type),
            name=name,
            guild_id=p.guild_id,
            parent_id=p.id,
            owner_id=_id(owner),
            applied_tags=list(applied_tags),
            auto_archive_duration=auto_archive_duration,
            invitable=invitable,
        )
        thread.thread_member_ids[thread.owner_id or 0] = utcnow()
        self.channels[thread.id] = thread
        self.channel_messages[thread.id] = []
        return thread

    def dm_channel(self, user: User | int) -> Channel:
        """The bot's DM channel with a user, created on first use like Discord does."""
        u = self.user(user)
        existing = self.dm_channel_ids.get(u.id)
        if existing is not None:
            return self.channels[existing]
        channel = Channel(id=self.ids.next(), type=ChannelType.DM, recipient_ids=[u.id])
        self.channels[channel.id] = channel
        self.channel_messages[channel.id] = []
        self.dm_channel_ids[u.id] = channel.id
        return channel

    def add_webhook(
        self, channel: Channel | int, name: str, *, creator: User | int | None = None
    ) -> Webhook:
        """Create an incoming webhook on a channel."""
        c = self.channel(channel)
        hook = Webhook(
            id=self.ids.next(),
            token=secrets.token_urlsafe(48),
            channel_id=c.id,
            guild_id=c.guild_id,
            name=name,
            creator_id=_id(creator) if creator is not None else self.bot_user.id,
        )
        self.webhooks[hook.id] = hook
        return hook

    def store_message(self, message: Message) -> Message:
        """Keep a message in its channel's history (and bump thread counters)."""
        self.messages[message.id] = message
        self.channel_messages.setdefault(message.channel_id, []).append(message.id)
        channel = self.channels.get(message.channel_id)
        if channel is not None and channel.is_thread:
            channel.message_count += 1
        return message

    # ------------------------------------------------------------------ lookups

    def user(self, user: User | int) -> User:
        """Look a user up; 404 10013 when unknown."""
        found = self.users.get(_id(user))
        if found is None:
            raise NotFoundError(10013, "Unknown User")
        return found

    def guild(self, guild: Guild | int) -> Guild:
        """Look a guild up; 404 10004 when unknown."""
        found = self.guilds.get(_id(guild))
        if found is None:
            raise NotFoundError(10004, "Unknown Guild")
        return found

    def channel(self, channel: Channel | int) -> Channel:
        """Look a channel (or thread, or DM) up; 404 10003 when unknown."""
        found = self.channels.get(_id(channel))
        if found is None:
            raise NotFoundError(10003, "Unknown Channel")
        return found

    def role(self, role: Role | int) -> Role:
        """Look a role up; 404 10011 when unknown."""
        found = self.roles.get(_id(role))
        if found is None:
            raise NotFoundError(10011, "Unknown Role")
        return found

    def member(self, guild: Guild | int, user: User | int) -> Member:
        """Look a membership up; 404 10007 when the user is not in the guild."""
        found = self.guild(guild).members.get(_id(user))
        if found is None:
            raise NotFoundError(10007, "Unknown Member")
        return found

    def message(self, message_id: int, channel_id: int | None = None) -> Message:
        """Look a live message up (optionally checking its channel); 404 10008."""
        found = self.messages.get(message_id)
        if (
            found is None
            or found.deleted
            or (channel_id is not None and found.channel_id != channel_id)
        ):
            raise NotFoundError(10008, "Unknown Message")
        return found

    def messages_in(
        self, channel: Channel | int, *, include_deleted: bool = False
    ) -> list[Message]:
        """A channel's messages, oldest first."""
        ids = self.channel_messages.get(_id(channel), [])
        found = [self.messages[i] for i in ids]
        return found if include_deleted else [m for m in found if not m.deleted]

    def guild_channels(self, guild: Guild | int) -> list[Channel]:
        """A guild's non-thread channels, in position order."""
        return [self.channels[c] for c in self.guild(guild).channel_ids]

    def guild_threads(self, guild: Guild | int) -> list[Channel]:
        """A guild's threads (the ones GUILD_CREATE lists as active)."""
        gid = _id(guild)
        return [c for c in self.channels.values() if c.guild_id == gid and c.is_thread]

    def guild_roles(self, guild: Guild | int) -> list[Role]:
        """A guild's roles, ``@everyone`` first."""
        return [self.roles[r] for r in self.guild(guild).role_ids]

    def bot_is_member(self, guild: Guild | int | None) -> bool:
        """Whether the bot was added to the guild (a user install reaches guilds it isn't in)."""
        if guild is None:
            return True
        return self.bot_user.id in self.guild(guild).members

    def permissions(self, guild: Guild | int, user: User | int) -> int:
        """Guild-level permissions: owner and administrators get everything.

        Channel overwrites are not modelled, so this is also the permission set
        in every channel of the guild.
        """
        g = self.guild(guild)
        uid = _id(user)
        if uid == g.owner_id:
            return ALL_PERMISSIONS
        member = g.members.get(uid)
        if member is None:
            return 0
        value = self.roles[g.id].permissions
        for role_id in member.role_ids:
            value |= self.roles[role_id].permissions
        if value & Permission.ADMINISTRATOR:
            return ALL_PERMISSIONS
        return value


def _id(obj: Any) -> int:
    """Accept an object with an ``id`` or an id itself."""
    if isinstance(obj, int):
        return obj
    return int(obj.id)
