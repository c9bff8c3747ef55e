"""REST API v10 handlers: the routes a discord.py bot uses, with Discord's rules.

Handlers receive an :class:`ApiRequest` (already parsed, JSON or multipart) and
return an :class:`ApiResponse` or raise :class:`ApiError`; the HTTP plumbing,
recording, rate limiting and authentication live in :mod:`.server`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import limits, payloads
from .interactions import (
    USER_INSTALL_FOLLOWUP_LIMIT,
    CallbackType,
    FakeInteraction,
    InteractionResponse,
    InteractionType,
    Rejection,
    ResponseKind,
)
from .recording import RecordedFile
from .snowflake import utcnow
from .state import (
    JSON,
    MESSAGE_FLAG_EPHEMERAL,
    Attachment,
    Channel,
    ChannelType,
    Message,
    Permission,
    Webhook,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

MESSAGE_FLAG_LOADING = 1 << 7
MESSAGE_TYPE_DEFAULT = 0
MESSAGE_TYPE_REPLY = 19
MESSAGE_TYPE_CHAT_INPUT_COMMAND = 20
MESSAGE_TYPE_CONTEXT_MENU_COMMAND = 23


class ApiError(Exception):
    """An error response: HTTP status plus Discord's JSON error body."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    @property
    def body(self) -> JSON:
        """The JSON body Discord would send."""
        return payloads.error(self.code, self.message, self.errors)


@dataclass
class ApiRequest:
    """A parsed request: route parameters, query, JSON body and uploaded files."""

    method: str
    path: str
    params: dict[str, str]
    query: Mapping[str, str]
    json: Any
    files: list[RecordedFile]
    headers: Mapping[str, str]

    @property
    def body(self) -> JSON:
        """The JSON body as an object (``{}`` when absent or not an object)."""
        return self.json if isinstance(self.json, dict) else {}

    def snowflake(self, name: str) -> int:
        """A route parameter as an id; unknown ids give Discord's 404s downstream."""
        value = self.params[name]
        if not value.isdigit():
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    name: {
                        "_errors": [
                            {
                                "code": "NUMBER_TYPE_COERCE",
                                "message": f'Value "{value}" is not snowflake.',
                            }
                        ]
                    }
                },
            )
        return int(value)

    def flag(self, name: str) -> bool:
        """A boolean query parameter (``true``/``1``)."""
        return self.query.get(name, "").lower() in ("1", "true")


@dataclass
class ApiResponse:
    """A successful response. ``body=None`` means 204 No Content."""

    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[ApiRequest], Awaitable[ApiResponse]]


@dataclass
class RouteEntry:
    """A registered route: ``auth=False`` for token-in-URL routes (webhooks, interactions)."""

    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: bool


class Router:
    """Matches ``METHOD /path`` against route templates like ``/channels/{channel_id}``."""

    def __init__(self) -> None:
        self.routes: list[RouteEntry] = []

    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        """Register a handler; literal routes must be added before parameterised siblings."""
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        self.routes.append(RouteEntry(method, template, re.compile(f"^{regex}$"), handler, auth))

    def match(self, method: str, path: str) -> tuple[RouteEntry, dict[str, str]] | None:
        """The route and its parameters, or ``None`` for an unknown route."""
        for entry in self.routes:
            if entry.method != method:
                continue
            m = entry.pattern.match(path)
            if m is not None:
                return entry, m.groupdict()
        return None


_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


class RestApi:
    """The route handlers. State lives on the :class:`FakeDiscord` they serve."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake.world
        self.router = Router()
        r = self.router.add
        r("GET", "/users/@me", self.get_me)
        r("POST", "/users/@me/channels", self.create_dm)
        r("GET", "/users/{user_id}", self.get_user)
        r("GET", "/oauth2/applications/@me", self.get_application)
        r("GET", "/applications/@me", self.get_application)
        r("GET", "/gateway", self.get_gateway)
        r("GET", "/gateway/bot", self.get_gateway_bot)
        r("GET", "/applications/{application_id}/commands", self.get_commands)
        r("PUT", "/applications/{application_id}/commands", self.put_commands)
        r("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self.get_commands)
        r("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self.put_commands)
        r(
            "POST",
            "/interactions/{interaction_id}/{interaction_token}/callback",
            self.interaction_callback,
            auth=False,
        )
        r("POST", "/webhooks/{webhook_id}/{webhook_token}", self.execute_webhook, auth=False)
        r(
            "GET",
            "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
            self.get_webhook_message,
            auth=False,
        )
        r(
            "PATCH",
            "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
            self.edit_webhook_message,
            auth=False,
        )
        r(
            "DELETE",
            "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
            self.delete_webhook_message,
            auth=False,
        )
        r("GET", "/channels/{channel_id}", self.get_channel)
        r("GET", "/channels/{channel_id}/messages", self.list_messages)
        r("POST", "/channels/{channel_id}/messages", self.create_message)
        r("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        r("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message)
        r("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        r(
            "PUT",
            "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
            self.add_reaction,
        )
        r(
            "DELETE",
            "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
            self.remove_reaction,
        )
        r(
            "POST",
            "/channels/{channel_id}/messages/{message_id}/threads",
            self.create_thread_from_message,
        )
        r("POST", "/channels/{channel_id}/threads", self.create_thread)
        r("POST", "/channels/{channel_id}/typing", self.typing)
        r("GET", "/channels/{channel_id}/thread-members", self.list_thread_members)
        r("GET", "/channels/{channel_id}/thread-members/{user_id}", self.get_thread_member)
        r("PUT", "/channels/{channel_id}/thread-members/{user_id}", self.add_thread_member)
        r("DELETE", "/channels/{channel_id}/thread-members/{user_id}", self.remove_thread_member)
        r("GET", "/channels/{channel_id}/webhooks", self.list_webhooks)
        r("POST", "/channels/{channel_id}/webhooks", self.create_webhook)
        r("GET", "/guilds/{guild_id}", self.get_guild)
        r("GET", "/guilds/{guild_id}/channels", self.get_guild_channels)
        r("GET", "/guilds/{guild_id}/roles", self.get_guild_roles)
        r("GET", "/guilds/{guild_id}/members", self.list_members)
        r("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member)
        r("GET", "/guilds/{guild_id}/threads/active", self.active_threads)

    # ------------------------------------------------------------ login / app

    async def get_me(self, req: ApiRequest) -> ApiResponse:
        """``GET /users/@me``: the bot user."""
        return ApiResponse(payloads.current_user(self.world.bot_user))

    async def get_user(self, req: ApiRequest) -> ApiResponse:
        """``GET /users/{id}``."""
        return ApiResponse(payloads.user(self.world.user(req.snowflake("user_id"))))

    async def get_application(self, req: ApiRequest) -> ApiResponse:
        """``GET /oauth2/applications/@me``: gives discord.py the application id."""
        fake = self.fake
        owner = self.world.user(fake.application_owner_id)
        return ApiResponse(
            payloads.application(
                fake.application_id, fake.application_name, owner, flags=fake.application_flags
            )
        )

    async def get_gateway(self, req: ApiRequest) -> ApiResponse:
        """``GET /gateway``."""
        return ApiResponse({"url": self.fake.gateway_url})

    async def get_gateway_bot(self, req: ApiRequest) -> ApiResponse:
        """``GET /gateway/bot``: URL, recommended shards and session start limits."""
        return ApiResponse(
            {
                "url": self.fake.gateway_url,
                "shards": self.fake.shard_count,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    # ------------------------------------------------------ application commands

    def _check_application(self, req: ApiRequest) -> None:
        if req.snowflake("application_id") != self.fake.application_id:
            raise ApiError(403, 50001, "Missing Access")

    async def get_commands(self, req: ApiRequest) -> ApiResponse:
        """``GET`` global or guild commands."""
        self._check_application(req)
        guild_id = req.snowflake("guild_id") if "guild_id" in req.params else None
        if guild_id is not None:
            self.world.guild(guild_id)
        return ApiResponse(list(self.fake.commands.get(guild_id, [])))

    async def put_commands(self, req: ApiRequest) -> ApiResponse:
        """Bulk overwrite: validate, keep ids of unchanged names, record the sync."""
        self._check_application(req)
        guild_id = req.snowflake("guild_id") if "guild_id" in req.params else None
        if guild_id is not None:
            self.world.guild(guild_id)
        body = req.json
        if not isinstance(body, list):
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {"_errors": [{"code": "BASE_TYPE_ARRAY", "message": "Must be an array."}]},
            )
        limits.check_commands(body)
        previous = {
            (int(c.get("type") or 1), c["name"]): c for c in self.fake.commands.get(guild_id, [])
        }
        stored: list[JSON] = []
        for cmd in body:
            ctype = int(cmd.get("type") or 1)
            old = previous.get((ctype, cmd["name"]))
            data: JSON = {
                "id": old["id"] if old else str(self.world.ids.next()),
                "application_id": str(self.fake.application_id),
                "version": str(self.world.ids.next()),
                "type": ctype,
                "name": cmd["name"],
                "name_localizations": cmd.get("name_localizations"),
                "description": cmd.get("description") or "",
                "description_localizations": cmd.get("description_localizations"),
                "options": cmd.get("options") or [],
                "default_member_permissions": cmd.get("default_member_permissions"),
                "dm_permission": cmd.get("dm_permission", True),
                "nsfw": bool(cmd.get("nsfw", False)),
                "contexts": cmd.get("contexts"),
                "integration_types": cmd.get("integration_types")
                if cmd.get("integration_types") is not None
                else [0],
            }
            if guild_id is not None:
                data["guild_id"] = str(guild_id)
            stored.append(data)
        self.fake.commands[guild_id] = stored
        self.fake.command_syncs.append((guild_id, time.monotonic(), len(stored)))
        return ApiResponse(stored)

    # ------------------------------------------------------------------ users

    async def create_dm(self, req: ApiRequest) -> ApiResponse:
        """``POST /users/@me/channels``: open (or reuse) the DM channel with a user."""
        recipient = req.body.get("recipient_id")
        if recipient is None or not str(recipient).isdigit():
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "recipient_id": {
                        "_errors": [
                            {"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}
                        ]
                    }
                },
            )
        channel = self.world.dm_channel(int(recipient))
        return ApiResponse(payloads.channel(self.world, channel))

    # -------------------------------------------------------------- channels

    def _channel(self, req: ApiRequest) -> Channel:
        """The channel, if the bot can reach it: a guild it was never added to (where only
        a user install of the app is used) is closed to it, 50001 Missing Access."""
        channel = self.world.channel(req.snowflake("channel_id"))
        if channel.guild_id is not None and not self.world.bot_is_member(channel.guild_id):
            raise ApiError(403, 50001, "Missing Access")
        return channel

    async def get_channel(self, req: ApiRequest) -> ApiResponse:
        """``GET /channels/{id}``."""
        return ApiResponse(payloads.channel(self.world, self._channel(req)))

    async def typing(self, req: ApiRequest) -> ApiResponse:
        """``POST /channels/{id}/typing``: accepted and recorded."""
        self._channel(req)
        return ApiResponse(None, status=204)

    async def list_messages(self, req: ApiRequest) -> ApiResponse:
        """``GET /channels/{id}/messages``: newest first, with before/after/around/limit."""
        channel = self._channel(req)
        try:
            limit = max(1, min(100, int(req.query.get("limit", "50"))))
        except ValueError:
            limit = 50
        messages = self.world.messages_in(channel)
        if "before" in req.query:
            messages = [m for m in messages if m.id < int(req.query["before"])]
        if "after" in req.query:
            messages = [m for m in messages if m.id > int(req.query["after"])]
            messages = messages[:limit]
        if "around" in req.query:
            around = int(req.query["around"])
            older = [m for m in messages if m.id <= around][-((limit + 1) // 2) :]
            newer = [m for m in messages if m.id > around][: limit // 2]
            messages = older + newer
        messages = [m for m in messages if not m.ephemeral]  # only their recipient sees them
        selected = messages[-limit:]
        return ApiResponse([self.fake.message_payload(m) for m in reversed(selected)])

    async def get_message(self, req: ApiRequest) -> ApiResponse:
        """``GET /channels/{id}/messages/{mid}``."""
        channel = self._channel(req)
        message = self.world.message(req.snowflake("message_id"), channel.id)
        return ApiResponse(self.fake.message_payload(message))

    async def create_message(self, req: ApiRequest) -> ApiResponse:
        """``POST /channels/{id}/messages`` (JSON or multipart)."""
        channel = self._channel(req)
        if channel.type == ChannelType.DM:
            recipient = self.world.users[channel.recipient_ids[0]]
            if recipient.dms_closed:
                raise ApiError(403, 50007, "Cannot send messages to this user")
        else:
            self._require_send_permissions(channel, files=bool(req.files))
        message = await self.fake.create_message(
            channel, self.world.bot_user.id, req.body, req.files, dispatch=True
        )
        return ApiResponse(self.fake.message_payload(message))

    def _require_send_permissions(self, channel: Channel, *, files: bool) -> None:
        """The bot needs View Channel and Send Messages (in Threads), plus Attach Files."""
        perms = self.world.permissions(channel.guild_id or 0, self.world.bot_user.id)
        send = (
            Permission.SEND_MESSAGES_IN_THREADS if channel.is_thread else Permission.SEND_MESSAGES
        )
        needed = Permission.VIEW_CHANNEL | send | (Permission.ATTACH_FILES if files else 0)
        if perms & needed != needed:
            raise ApiError(403, 50013, "Missing Permissions")

    async def edit_message(self, req: ApiRequest) -> ApiResponse:
        """``PATCH /channels/{id}/messages/{mid}``: only the bot's own messages."""
        channel = self._channel(req)
        message = self.world.message(req.snowflake("message_id"), channel.id)
        is_plain_webhook = message.webhook_id is not None and message.application_id is None
        if message.author_id != self.world.bot_user.id or is_plain_webhook:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        await self.fake.edit_message(message, req.body, req.files)
        return ApiResponse(self.fake.message_payload(message))

    async def delete_message(self, req: ApiRequest) -> ApiResponse:
        """``DELETE /channels/{id}/messages/{mid}``: others' messages need Manage Messages."""
        channel = self._channel(req)
        message = self.world.message(req.snowflake("message_id"), channel.id)
        if message.author_id != self.world.bot_user.id and channel.guild_id is not None:
            perms = self.world.permissions(channel.guild_id, self.world.bot_user.id)
            if not perms & Permission.MANAGE_MESSAGES:
                raise ApiError(403, 50013, "Missing Permissions")
        await self.fake.delete_message(message)
        return ApiResponse(None, status=204)

    async def add_reaction(self, req: ApiRequest) -> ApiResponse:
        """``PUT .../reactions/{emoji}/@me``."""
        channel = self._channel(req)
        message = self.world.message(req.snowflake("message_id"), channel.id)
        message.reactions.setdefault(req.params["emoji"], set()).add(self.world.bot_user.id)
        return ApiResponse(None, status=204)

    async def remove_reaction(self, req: ApiRequest) -> ApiResponse:
        """``DELETE .../reactions/{emoji}/@me``."""
        channel = self._channel(req)
        message = self.world.message(req.snowflake("message_id"), channel.id)
        message.reactions.get(req.params["emoji"], set()).discard(self.world.bot_user.id)
        return ApiResponse(None, status=204)

    # ---------------------------------------------------------------- threads

    async def create_thread(self, req: ApiRequest) -> ApiResponse:
        """``POST /channels/{id}/threads``: a thread without a message, or a forum post."""
        parent = self._channel(req)
        body = req.body
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "name": {
                        "_errors": [
                            {
                                "code": "BASE_TYPE_BAD_LENGTH",
                                "message": "Must be between 1 and 100 in length.",
                            }
                        ]
                    }
                },
            )
        archive = int(body.get("auto_archive_duration") or 1440)
        if parent.type == ChannelType.GUILD_FORUM:
            starter = body.get("message")
            if not isinstance(starter, dict):
                raise ApiError(
                    400,
                    50035,
                    "Invalid Form Body",
                    {
                        "message": {
                            "_errors": [
                                {"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}
                            ]
                        }
                    },
                )
            tags = [int(t) for t in body.get("applied_tags") or []]
            known = {t.id for t in parent.available_tags}
            unknown = [t for t in tags if t not in known]
            if unknown:
                raise ApiError(
                    400,
                    50035,
                    "Invalid Form Body",
                    {
                        "applied_tags": {
                            "_errors": [
                                {"code": "TAG_INVALID", "message": f"Unknown tag(s): {unknown}"}
                            ]
                        }
                    },
                )
            errors = limits.ErrorTree()
            limits.check_message(errors, starter, attachments=len(req.files), require_body=False)
            errors.raise_if_any(prefix=["message"])
            thread = self.world.add_thread(
                parent,
                name,
                self.world.bot_user,
                type=ChannelType.PUBLIC_THREAD,
                applied_tags=tags,
                auto_archive_duration=archive,
            )
            await self.fake.dispatch_thread_create(thread)
            message = await self.fake.create_message(
                thread,
                self.world.bot_user.id,
                starter,
                req.files,
                dispatch=True,
                message_id=thread.id,
            )
            data = payloads.channel(self.world, thread)
            data["message"] = self.fake.message_payload(message)
            return ApiResponse(data, status=201)
        if parent.type not in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        thread_type = ChannelType(int(body.get("type") or ChannelType.PRIVATE_THREAD))
        if thread_type not in (
            ChannelType.PUBLIC_THREAD,
            ChannelType.PRIVATE_THREAD,
            ChannelType.ANNOUNCEMENT_THREAD,
        ):
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "type": {
                        "_errors": [
                            {
                                "code": "BASE_TYPE_CHOICES",
                                "message": "Value must be one of {10, 11, 12}.",
                            }
                        ]
                    }
                },
            )
        thread = self.world.add_thread(
            parent,
            name,
            self.world.bot_user,
            type=thread_type,
            auto_archive_duration=archive,
            invitable=bool(body.get("invitable", True)),
        )
        await self.fake.dispatch_thread_create(thread)
        return ApiResponse(payloads.channel(self.world, thread), status=201)

    async def create_thread_from_message(self, req: ApiRequest) -> ApiResponse:
        """``POST /channels/{id}/messages/{mid}/threads``: the thread takes the message's id."""
        parent = self._channel(req)
        message = self.world.message(req.snowflake("message_id"), parent.id)
        if message.thread_id is not None:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        name = req.body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "name": {
                        "_errors": [
                            {
                                "code": "BASE_TYPE_BAD_LENGTH",
                                "message": "Must be between 1 and 100 in length.",
                            }
                        ]
                    }
                },
            )
        thread = self.world.add_thread(
            parent,
            name,
            self.world.bot_user,
            type=ChannelType.PUBLIC_THREAD,
            thread_id=message.id,
            auto_archive_duration=int(req.body.get("auto_archive_duration") or 1440),
        )
        message.thread_id = thread.id
        await self.fake.dispatch_thread_create(thread)
        return ApiResponse(payloads.channel(self.world, thread), status=201)

    def _thread(self, req: ApiRequest) -> Channel:
        channel = self._channel(req)
        if not channel.is_thread:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        return channel

    def _thread_user(self, req: ApiRequest) -> int:
        raw = req.params["user_id"]
        return self.world.bot_user.id if raw == "@me" else req.snowflake("user_id")

    async def list_thread_members(self, req: ApiRequest) -> ApiResponse:
        """``GET /channels/{tid}/thread-members``."""
        thread = self._thread(req)
        return ApiResponse(
            [payloads.thread_member(thread, uid) for uid in thread.thread_member_ids]
        )

    async def get_thread_member(self, req: ApiRequest) -> ApiResponse:
        """``GET /channels/{tid}/thread-members/{uid}``; 404 10007 when not a member."""
        thread = self._thread(req)
        uid = self._thread_user(req)
        if uid not in thread.thread_member_ids:
            raise ApiError(404, 10007, "Unknown Member")
        return ApiResponse(payloads.thread_member(thread, uid))

    async def add_thread_member(self, req: ApiRequest) -> ApiResponse:
        """``PUT /channels/{tid}/thread-members/{uid}``: the user must be in the guild."""
        thread = self._thread(req)
        uid = self._thread_user(req)
        self.world.member(thread.guild_id or 0, uid)
        if uid not in thread.thread_member_ids:
            thread.thread_member_ids[uid] = utcnow()
            await self.fake.dispatch_thread_members_update(thread, added=[uid])
        return ApiResponse(None, status=204)

    async def remove_thread_member(self, req: ApiRequest) -> ApiResponse:
        """``DELETE /channels/{tid}/thread-members/{uid}``."""
        thread = self._thread(req)
        uid = self._thread_user(req)
        if thread.thread_member_ids.pop(uid, None) is not None:
            await self.fake.dispatch_thread_members_update(thread, removed=[uid])
        return ApiResponse(None, status=204)

    # --------------------------------------------------------------- webhooks

    async def list_webhooks(self, req: ApiRequest) -> ApiResponse:
        """``GET /channels/{id}/webhooks``."""
        channel = self._channel(req)
        hooks = [w for w in self.world.webhooks.values() if w.channel_id == channel.id]
        return ApiResponse([payloads.webhook(self.world, w, self.fake.base_url) for w in hooks])

    async def create_webhook(self, req: ApiRequest) -> ApiResponse:
        """``POST /channels/{id}/webhooks``: name 1-80 characters, not "clyde"."""
        channel = self._channel(req)
        name = req.body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 80 or "clyde" in name.lower():
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "name": {
                        "_errors": [
                            {
                                "code": "BASE_TYPE_BAD_LENGTH",
                                "message": "Must be between 1 and 80 in length.",
                            }
                        ]
                    }
                },
            )
        hook = self.world.add_webhook(channel, name)
        return ApiResponse(payloads.webhook(self.world, hook, self.fake.base_url))

    def _webhook_target(self, req: ApiRequest) -> Webhook | FakeInteraction:
        """Resolve ``/webhooks/{id}/{token}`` to a channel webhook or an interaction."""
        webhook_id = req.snowflake("webhook_id")
        token = req.params["webhook_token"]
        hook = self.world.webhooks.get(webhook_id)
        if hook is not None:
            if hook.token != token:
                raise ApiError(401, 50027, "Invalid Webhook Token")
            return hook
        interaction = self.fake.interactions_by_token.get(token)
        if webhook_id != self.fake.application_id or interaction is None:
            raise ApiError(404, 10015, "Unknown Webhook")
        if not interaction.token_valid:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        return interaction

    async def execute_webhook(self, req: ApiRequest) -> ApiResponse:
        """``POST /webhooks/{id}/{token}``: channel webhook execute or interaction follow-up."""
        target = self._webhook_target(req)
        if isinstance(target, FakeInteraction):
            return await self._followup(target, req)
        channel = (
            self.world.channel(int(req.query["thread_id"]))
            if "thread_id" in req.query
            else self.world.channel(target.channel_id)
        )
        message = await self.fake.create_message(
            channel,
            self.world.bot_user.id,
            req.body,
            req.files,
            dispatch=True,
            webhook=target,
        )
        if not req.flag("wait"):
            return ApiResponse(None, status=204)
        return ApiResponse(self.fake.message_payload(message))

    def _webhook_message(self, req: ApiRequest, target: Webhook | FakeInteraction) -> Message:
        raw = req.params["message_id"]
        if isinstance(target, FakeInteraction):
            if raw == "@original":
                if target.original_message_id is None:
                    raise ApiError(404, 10008, "Unknown Message")
                return self.world.message(target.original_message_id)
            message = self.world.message(req.snowflake("message_id"))
            if message.interaction_id != target.id and message.id != target.original_message_id:
                raise ApiError(404, 10008, "Unknown Message")
            return message
        message = self.world.message(req.snowflake("message_id"))
        if message.webhook_id != target.id:
            raise ApiError(404, 10008, "Unknown Message")
        return message

    async def get_webhook_message(self, req: ApiRequest) -> ApiResponse:
        """``GET /webhooks/{id}/{token}/messages/{mid|@original}``."""
        target = self._webhook_target(req)
        return ApiResponse(self.fake.message_payload(self._webhook_message(req, target)))

    async def edit_webhook_message(self, req: ApiRequest) -> ApiResponse:
        """``PATCH`` a webhook message or an interaction's original / follow-up."""
        target = self._webhook_target(req)
        message = self._webhook_message(req, target)
        await self.fake.edit_message(message, req.body, req.files, clear_loading=True)
        if isinstance(target, FakeInteraction):
            kind: ResponseKind = (
                "edit_original" if message.id == target.original_message_id else "edit_followup"
            )
            self._record_response(target, kind, req, message_id=message.id)
        return ApiResponse(self.fake.message_payload(message))

    async def delete_webhook_message(self, req: ApiRequest) -> ApiResponse:
        """``DELETE`` a webhook message or an interaction's original / follow-up."""
        target = self._webhook_target(req)
        message = self._webhook_message(req, target)
        await self.fake.delete_message(message)
        if isinstance(target, FakeInteraction):
            kind: ResponseKind = (
                "delete_original" if message.id == target.original_message_id else "delete_followup"
            )
            self._record_response(target, kind, req, message_id=message.id)
        return ApiResponse(None, status=204)

    # ----------------------------------------------------------- interactions

    def _record_response(
        self,
        interaction: FakeInteraction,
        kind: ResponseKind,
        req: ApiRequest,
        *,
        callback_type: CallbackType | None = None,
        message_id: int | None = None,
        files: list[Attachment] | None = None,
    ) -> None:
        interaction.responses.append(
            InteractionResponse(
                kind=kind,
                body=req.body,
                at=time.monotonic(),
                callback_type=callback_type,
                message_id=message_id,
                files=files or [],
            )
        )
        self.fake.notifier.changed()

    def _reject(
        self, interaction: FakeInteraction, kind: ResponseKind, req: ApiRequest, error: ApiError
    ) -> ApiError:
        interaction.rejections.append(
            Rejection(
                kind=kind,
                status=error.status,
                code=error.code,
                message=error.message,
                body=req.body,
                at=time.monotonic(),
            )
        )
        self.fake.notifier.changed()
        return error

    async def _followup(self, interaction: FakeInteraction, req: ApiRequest) -> ApiResponse:
        if not interaction.acknowledged:
            raise self._reject(
                interaction, "followup", req, ApiError(404, 10015, "Unknown Webhook")
            )
        if (
            interaction.user_install_only
            and len(interaction.followups) >= USER_INSTALL_FOLLOWUP_LIMIT
        ):
            raise self._reject(
                interaction,
                "followup",
                req,
                ApiError(
                    # JSON error codes:
                    # https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
                    400,
                    40094,
                    "This interaction has hit the maximum number of follow up messages",
                ),
            )
        channel = self.world.channel(interaction.channel_id)
        try:
            message = await self.fake.create_message(
                channel,
                self.world.bot_user.id,
                req.body,
                req.files,
                dispatch=True,
                interaction=interaction,
                message_type=MESSAGE_TYPE_DEFAULT,
            )
        except ApiError as exc:
            raise self._reject(interaction, "followup", req, exc) from None
        self._record_response(
            interaction, "followup", req, message_id=message.id, files=message.attachments
        )
        if not req.flag("wait"):
            return ApiResponse(None, status=204)
        return ApiResponse(self.fake.message_payload(message))

    async def interaction_callback(self, req: ApiRequest) -> ApiResponse:
        """``POST /interactions/{id}/{token}/callback`` with Discord's 3-second and once-only rules."""
        interaction = (
            self.fake.interactions.get(int(req.params["interaction_id"]))
            if req.params["interaction_id"].isdigit()
            else None
        )
        if interaction is None or interaction.token != req.params["interaction_token"]:
            raise ApiError(404, 10062, "Unknown interaction")
        if interaction.acknowledged:
            raise self._reject(
                interaction,
                "callback",
                req,
                ApiError(400, 40060, "Interaction has already been acknowledged."),
            )
        if interaction.age > self.fake.interaction_response_window:
            raise self._reject(
                interaction, "callback", req, ApiError(404, 10062, "Unknown interaction")
            )
        try:
            cb_type = CallbackType(int(req.body.get("type") or 0))
        except ValueError:
            raise self._reject(
                interaction,
                "callback",
                req,
                _form_error(
                    ["type"], "BASE_TYPE_CHOICES", "Value must be one of {1, 4, 5, 6, 7, 8, 9, 12}."
                ),
            ) from None
        try:
            message = await self._apply_callback(interaction, cb_type, req)
        except limits.InvalidFormBody as exc:
            raise self._reject(
                interaction, "callback", req, ApiError(400, 50035, "Invalid Form Body", exc.errors)
            ) from None
        except ApiError as exc:
            raise self._reject(interaction, "callback", req, exc) from None
        interaction.callback_type = cb_type
        self._record_response(
            interaction,
            "callback",
            req,
            callback_type=cb_type,
            message_id=message.id if message else None,
            files=message.attachments if message else [],
        )
        if not req.flag("with_response"):
            return ApiResponse(None, status=204)
        resource: JSON = {"type": int(cb_type)}
        if message is not None:
            resource["message"] = self.fake.message_payload(message)
        return ApiResponse(
            {
                "interaction": {
                    "id": str(interaction.id),
                    "type": int(interaction.type),
                    "activity_instance_id": None,
                    "response_message_id": str(message.id) if message else None,
                    "response_message_loading": bool(
                        message and message.flags & MESSAGE_FLAG_LOADING
                    ),
                    "response_message_ephemeral": bool(message and message.ephemeral),
                },
                "resource": resource,
            }
        )

    async def _apply_callback(
        self, interaction: FakeInteraction, cb_type: CallbackType, req: ApiRequest
    ) -> Message | None:
        """Validate a callback against the interaction type and carry it out."""
        data = req.body.get("data") if isinstance(req.body.get("data"), dict) else {}
        assert isinstance(data, dict)
        is_autocomplete = interaction.type == InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE
        if is_autocomplete != (cb_type == CallbackType.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT):
            raise _form_error(
                ["type"],
                "INTERACTION_RESPONSE_TYPE_INVALID",
                "Interaction response type is not valid for this interaction type",
            )
        if cb_type == CallbackType.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT:
            errors = limits.ErrorTree()
            limits.check_autocomplete_choices(errors, data.get("choices") or [])
            errors.raise_if_any(prefix=["data"])
            return None
        if cb_type == CallbackType.MODAL:
            if interaction.type == InteractionType.MODAL_SUBMIT:
                raise _form_error(
                    ["type"],
                    "INTERACTION_RESPONSE_TYPE_INVALID",
                    "Cannot respond to a modal submit with a modal",
                )
            errors = limits.ErrorTree()
            limits.check_modal(errors, data)
            errors.raise_if_any(prefix=["data"])
            return None
        if cb_type in (CallbackType.DEFERRED_UPDATE_MESSAGE, CallbackType.UPDATE_MESSAGE):
            if interaction.message_id is None:
                raise _form_error(
                    ["type"],
                    "INTERACTION_RESPONSE_TYPE_INVALID",
                    "This interaction has no message to update",
                )
            message = self.world.message(interaction.message_id)
            if cb_type == CallbackType.UPDATE_MESSAGE:
                await self.fake.edit_message(message, data, req.files, path_prefix=["data"])
            interaction.original_message_id = message.id
            return message
        if cb_type in (
            CallbackType.CHANNEL_MESSAGE_WITH_SOURCE,
            CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
        ):
            channel = self.world.channel(interaction.channel_id)
            deferred = cb_type == CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
            body: JSON = dict(data)
            if deferred:
                body = {
                    "flags": (int(data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL)
                    | MESSAGE_FLAG_LOADING
                }
            message = await self.fake.create_message(
                channel,
                self.world.bot_user.id,
                body,
                req.files,
                dispatch=True,
                interaction=interaction,
                message_type=MESSAGE_TYPE_CHAT_INPUT_COMMAND
                if interaction.type == InteractionType.APPLICATION_COMMAND
                else MESSAGE_TYPE_DEFAULT,
                allow_empty=deferred,
                path_prefix=["data"],
            )
            interaction.original_message_id = message.id
            return message
        raise _form_error(
            ["type"],
            "INTERACTION_RESPONSE_TYPE_INVALID",
            f"Callback type {int(cb_type)} is not supported by the fake",
        )

    # ------------------------------------------------------------------ guilds

    async def get_guild(self, req: ApiRequest) -> ApiResponse:
        """``GET /guilds/{id}`` (``with_counts`` adds approximate counts)."""
        guild = self.world.guild(req.snowflake("guild_id"))
        return ApiResponse(payloads.guild(self.world, guild, with_counts=req.flag("with_counts")))

    async def get_guild_channels(self, req: ApiRequest) -> ApiResponse:
        """``GET /guilds/{id}/channels``."""
        return ApiResponse(
            [
                payloads.channel(self.world, c)
                for c in self.world.guild_channels(req.snowflake("guild_id"))
            ]
        )

    async def get_guild_roles(self, req: ApiRequest) -> ApiResponse:
        """``GET /guilds/{id}/roles``."""
        return ApiResponse(
            [payloads.role(r) for r in self.world.guild_roles(req.snowflake("guild_id"))]
        )

    async def list_members(self, req: ApiRequest) -> ApiResponse:
        """``GET /guilds/{id}/members`` (by ascending user id, ``after`` and ``limit``)."""
        guild = self.world.guild(req.snowflake("guild_id"))
        after = int(req.query.get("after", "0"))
        limit = max(1, min(1000, int(req.query.get("limit", "1"))))
        members = sorted(
            (m for m in guild.members.values() if m.user_id > after), key=lambda m: m.user_id
        )
        return ApiResponse([payloads.member(self.world, m) for m in members[:limit]])

    async def get_member(self, req: ApiRequest) -> ApiResponse:
        """``GET /guilds/{id}/members/{uid}``; 404 10007 when not a member."""
        member = self.world.member(req.snowflake("guild_id"), req.snowflake("user_id"))
        return ApiResponse(payloads.member(self.world, member))

    async def active_threads(self, req: ApiRequest) -> ApiResponse:
        """``GET /guilds/{id}/threads/active``."""
        threads = [t for t in self.world.guild_threads(req.snowflake("guild_id")) if not t.archived]
        return ApiResponse(
            {
                "threads": [payloads.channel(self.world, t) for t in threads],
                "members": [
                    payloads.thread_member(t, self.world.bot_user.id)
                    for t in threads
                    if self.world.bot_user.id in t.thread_member_ids
                ],
            }
        )


def _form_error(path: list[str | int], code: str, message: str) -> ApiError:
    errors = limits.ErrorTree()
    errors.add(path, code, message)
    return ApiError(400, 50035, "Invalid Form Body", errors.tree)


def compute_mentions(
    content: str,
    allowed: JSON | None,
    *,
    reply_author_id: int | None,
    guild_role_ids: list[int],
) -> tuple[list[int], list[int], bool]:
    """Who a message pings: ``(user ids, role ids, everyone)`` under ``allowed_mentions``.

    Without ``allowed_mentions`` Discord parses every mention in the content, so
    an echoed ``@everyone`` pings the server; that is what tests can catch here.
    """
    users = [int(u) for u in _USER_MENTION.findall(content)]
    roles = [int(r) for r in _ROLE_MENTION.findall(content) if int(r) in guild_role_ids]
    everyone = "@everyone" in content or "@here" in content
    if allowed is None:
        found_users, found_roles, found_everyone = users, roles, everyone
    else:
        parse = allowed.get("parse") or []
        allowed_users = {int(u) for u in allowed.get("users") or []}
        allowed_roles = {int(r) for r in allowed.get("roles") or []}
        found_users = [u for u in users if "users" in parse or u in allowed_users]
        found_roles = [r for r in roles if "roles" in parse or r in allowed_roles]
        found_everyone = everyone and "everyone" in parse
    if reply_author_id is not None and (allowed is None or allowed.get("replied_user", True)):
        found_users.append(reply_author_id)
    return list(dict.fromkeys(found_users)), list(dict.fromkeys(found_roles)), found_everyone
