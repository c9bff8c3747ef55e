"""JSON builders: the fake's state rendered exactly as Discord's API v10 sends it.

discord.py indexes many keys without ``.get`` (``member['flags']``,
``interaction['attachment_size_limit']``, ``app['verify_key']``...), so every
builder emits complete objects rather than the minimum a test needs.
"""

from __future__ import annotations

from typing import Any

from .snowflake import iso, snowflake_time
from .state import (
    JSON,
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    Role,
    User,
    Webhook,
    World,
)

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
"""Upload limit reported to interactions (10 MiB for unboosted servers)."""


def user(u: User) -> JSON:
    """A full user object."""
    return {
        "id": str(u.id),
        "username": u.username,
        "global_name": u.global_name,
        "discriminator": "0",
        "avatar": u.avatar,
        "avatar_decoration_data": None,
        "banner": None,
        "accent_color": None,
        "bot": u.bot,
        "system": u.system,
        "public_flags": u.public_flags,
        "flags": u.public_flags,
        "primary_guild": None,
        "collectibles": None,
    }


def current_user(u: User) -> JSON:
    """``GET /users/@me`` for the bot: a user plus account fields."""
    data = user(u)
    data.update(
        {"mfa_enabled": True, "locale": "en-US", "verified": True, "email": None, "bio": ""}
    )
    return data


def member(
    world: World, m: Member, *, with_user: bool = True, permissions: int | None = None
) -> JSON:
    """A guild member; ``permissions`` is added for interaction payloads."""
    data: JSON = {
        "roles": [str(r) for r in m.role_ids],
        "nick": m.nick,
        "avatar": None,
        "banner": None,
        "joined_at": iso(m.joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "communication_disabled_until": None,
        "avatar_decoration_data": None,
    }
    if with_user:
        data["user"] = user(world.users[m.user_id])
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def role(r: Role) -> JSON:
    """A role object (managed bot roles carry ``tags.bot_id``)."""
    data: JSON = {
        "id": str(r.id),
        "name": r.name,
        "color": r.color,
        "colors": {"primary_color": r.color, "secondary_color": None, "tertiary_color": None},
        "hoist": r.hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": r.position,
        "permissions": str(r.permissions),
        "managed": r.managed,
        "mentionable": r.mentionable,
        "flags": 0,
    }
    if r.bot_id is not None:
        data["tags"] = {"bot_id": str(r.bot_id)}
    return data


def channel(world: World, c: Channel) -> JSON:
    """A channel object of any type (guild channel, forum, thread or DM)."""
    data: JSON = {
        "id": str(c.id),
        "type": int(c.type),
        "flags": 0,
        "last_message_id": _last_message_id(world, c),
    }
    if c.type == ChannelType.DM:
        data["recipients"] = [user(world.users[r]) for r in c.recipient_ids]
        return data
    data.update(
        {
            "guild_id": str(c.guild_id),
            "name": c.name,
            "parent_id": str(c.parent_id) if c.parent_id is not None else None,
            "nsfw": c.nsfw,
            "rate_limit_per_user": c.rate_limit_per_user,
        }
    )
    if c.is_thread:
        data.update(
            {
                "owner_id": str(c.owner_id),
                "message_count": c.message_count,
                "total_message_sent": c.message_count,
                "member_count": len(c.thread_member_ids),
                "applied_tags": [str(t) for t in c.applied_tags],
                "thread_metadata": {
                    "archived": c.archived,
                    "locked": c.locked,
                    "auto_archive_duration": c.auto_archive_duration,
                    "archive_timestamp": iso(c.created_at),
                    "create_timestamp": iso(c.created_at),
                    "invitable": c.invitable,
                },
            }
        )
        return data
    data.update({"position": c.position, "topic": c.topic, "permission_overwrites": []})
    if c.type == ChannelType.GUILD_FORUM:
        data.update(
            {
                "available_tags": [
                    {
                        "id": str(t.id),
                        "name": t.name,
                        "moderated": t.moderated,
                        "emoji_id": None,
                        "emoji_name": t.emoji_name,
                    }
                    for t in c.available_tags
                ],
                "default_reaction_emoji": None,
                "default_sort_order": None,
                "default_forum_layout": 0,
                "default_thread_rate_limit_per_user": 0,
                "default_auto_archive_duration": 1440,
            }
        )
    return data


def thread_member(thread: Channel, user_id: int) -> JSON:
    """A thread member as ``GET /channels/{id}/thread-members`` lists it."""
    return {
        "id": str(thread.id),
        "user_id": str(user_id),
        "join_timestamp": iso(thread.thread_member_ids[user_id]),
        "flags": 0,
    }


def guild(world: World, g: Guild, *, with_counts: bool = False) -> JSON:
    """A REST guild object (``GET /guilds/{id}``): no channels or members."""
    data: JSON = {
        "id": str(g.id),
        "name": g.name,
        "icon": g.icon,
        "icon_hash": g.icon,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": g.description,
        "owner_id": str(g.owner_id),
        "region": None,
        "afk_channel_id": None,
        "afk_timeout": 300,
        "widget_enabled": False,
        "widget_channel_id": None,
        "verification_level": 1,
        "default_message_notifications": 1,
        "explicit_content_filter": 2,
        "roles": [role(r) for r in world.guild_roles(g)],
        "emojis": [],
        "stickers": [],
        "features": list(g.features),
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "max_presences": None,
        "max_members": 500000,
        "vanity_url_code": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": g.preferred_locale,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "incidents_data": None,
    }
    if with_counts:
        data["approximate_member_count"] = len(g.members)
        data["approximate_presence_count"] = 0
    return data


def guild_create(world: World, g: Guild) -> JSON:
    """A GUILD_CREATE payload: the guild plus channels, threads, members and friends."""
    data = guild(world, g)
    data.update(
        {
            "unavailable": False,
            "large": False,
            "lazy": True,
            "member_count": len(g.members),
            "joined_at": iso(g.members[world.bot_user.id].joined_at)
            if world.bot_user.id in g.members
            else iso(snowflake_time(g.id)),
            "channels": [_without_guild_id(channel(world, c)) for c in world.guild_channels(g)],
            "threads": [channel(world, t) for t in world.guild_threads(g) if not t.archived],
            "members": [member(world, m) for m in g.members.values()],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "embedded_activities": [],
        }
    )
    return data


def unavailable_guild(g: Guild) -> JSON:
    """How READY lists a guild before its GUILD_CREATE."""
    return {"id": str(g.id), "unavailable": True}


def application(app_id: int, name: str, owner: User, *, flags: int) -> JSON:
    """``GET /oauth2/applications/@me``."""
    return {
        "id": str(app_id),
        "name": name,
        "icon": None,
        "description": "Touchstone test application",
        "type": None,
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "bot": user(owner) if owner.bot else None,
        "owner": user(owner),
        "team": None,
        "verify_key": "0" * 64,
        "flags": flags,
        "summary": "",
        "hook": True,
        "tags": [],
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "approximate_guild_count": 0,
        "integration_types_config": {"0": {}, "1": {}},
        "install_params": None,
    }


def attachment(a: Attachment, base_url: str, channel_id: int) -> JSON:
    """An attachment object; the URL points back at the fake (not served)."""
    url = f"{base_url}/attachments/{channel_id}/{a.id}/{a.filename}"
    data: JSON = {
        "id": str(a.id),
        "filename": a.filename,
        "size": a.size,
        "url": url,
        "proxy_url": url,
        "content_type": a.content_type,
        "description": a.description,
        "ephemeral": a.ephemeral,
        "flags": 0,
    }
    return data


def webhook(world: World, w: Webhook, base_url: str) -> JSON:
    """A webhook object including its token (the bot created it)."""
    return {
        "id": str(w.id),
        "type": 1,
        "guild_id": str(w.guild_id) if w.guild_id is not None else None,
        "channel_id": str(w.channel_id),
        "user": user(world.users[w.creator_id]),
        "name": w.name,
        "avatar": w.avatar,
        "token": w.token,
        "application_id": None,
        "url": f"{base_url}/api/webhooks/{w.id}/{w.token}",
    }


def message(
    world: World,
    m: Message,
    base_url: str,
    *,
    with_member: bool = False,
    with_reference: bool = True,
) -> JSON:
    """A message object. ``with_member`` adds the author's member (gateway events do)."""
    author = _message_author(world, m)
    data: JSON = {
        "id": str(m.id),
        "channel_id": str(m.channel_id),
        "type": m.type,
        "author": author,
        "content": m.content,
        "timestamp": iso(m.created_at),
        "edited_timestamp": iso(m.edited_at) if m.edited_at else None,
        "tts": m.tts,
        "mention_everyone": m.mention_everyone,
        "mentions": [user(world.users[u]) for u in m.mentions if u in world.users],
        "mention_roles": [str(r) for r in m.mention_roles],
        "mention_channels": [],
        "attachments": [attachment(a, base_url, m.channel_id) for a in m.attachments],
        "embeds": m.embeds,
        "components": m.components,
        "reactions": [
            {
                "emoji": {"id": None, "name": emoji},
                "count": len(users),
                "count_details": {"burst": 0, "normal": len(users)},
                "me": world.bot_user.id in users,
                "me_burst": False,
                "burst_colors": [],
            }
            for emoji, users in m.reactions.items()
            if users
        ],
        "pinned": m.pinned,
        "flags": m.flags,
        "sticker_items": [],
    }
    if m.guild_id is not None:
        data["guild_id"] = str(m.guild_id)
        guild_obj = world.guilds.get(m.guild_id)
        if with_member and m.webhook_id is None and guild_obj and m.author_id in guild_obj.members:
            data["member"] = member(world, guild_obj.members[m.author_id], with_user=False)
    if m.webhook_id is not None:
        data["webhook_id"] = str(m.webhook_id)
    if m.application_id is not None:
        data["application_id"] = str(m.application_id)
    if m.interaction_metadata is not None:
        data["interaction_metadata"] = m.interaction_metadata
    if m.reference_message_id is not None:
        ref = world.messages.get(m.reference_message_id)
        data["message_reference"] = {
            "type": 0,
            "message_id": str(m.reference_message_id),
            "channel_id": str(ref.channel_id if ref else m.channel_id),
            "guild_id": str(m.guild_id) if m.guild_id is not None else None,
        }
        if with_reference:
            data["referenced_message"] = (
                message(world, ref, base_url, with_reference=False)
                if ref is not None and not ref.deleted
                else None
            )
    if m.thread_id is not None and m.thread_id in world.channels:
        data["thread"] = channel(world, world.channels[m.thread_id])
    return data


def _message_author(world: World, m: Message) -> JSON:
    if m.webhook_id is not None and m.application_id is None:
        hook = world.webhooks.get(m.webhook_id)
        return {
            "id": str(m.webhook_id),
            "username": m.webhook_name or (hook.name if hook else "Webhook"),
            "global_name": None,
            "discriminator": "0000",
            "avatar": None,
            "bot": True,
            "public_flags": 0,
            "flags": 0,
        }
    return user(world.users[m.author_id])


def _last_message_id(world: World, c: Channel) -> str | None:
    ids = world.channel_messages.get(c.id) or []
    return str(ids[-1]) if ids else None


def _without_guild_id(data: JSON) -> JSON:
    """GUILD_CREATE omits ``guild_id`` on its channels."""
    data.pop("guild_id", None)
    return data


def error(code: int, message: str, errors: dict[str, Any] | None = None) -> JSON:
    """Discord's JSON error body."""
    body: JSON = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    return body
