"""FakeDiscord: a local Discord (REST v10 + gateway) for driving a real discord.py bot.

Start it, point discord.py at it (``discord.http.Route.BASE`` and
``DiscordWebSocket.DEFAULT_GATEWAY``, see :meth:`FakeDiscord.patch_discord`
and :attr:`FakeDiscord.connection_info`), then act as Discord's users with the
``send_*`` helpers and assert on what the bot sent over the wire.

Everything runs on the test's event loop; all public methods that touch the
network are coroutines, world-building methods are synchronous.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from . import limits, payloads
from .gateway import (
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    Gateway,
    GatewaySession,
)
from .interactions import (
    GUILD_INSTALL,
    INTERACTION_RESPONSE_WINDOW,
    USER_INSTALL,
    FakeInteraction,
    InteractionContext,
    InteractionType,
)
from .modal_submit import modal_submission
from .recording import (
    FailureRule,
    GatewayReceived,
    Notifier,
    RateLimitRule,
    RecordedFile,
    RecordedRequest,
    RouteSpec,
    route_matches,
)
from .rest import ApiError, ApiRequest, ApiResponse, RestApi, compute_mentions
from .snowflake import SnowflakeGenerator, utcnow
from .state import (
    EVERYONE_PERMISSIONS,
    JSON,
    MESSAGE_FLAG_EPHEMERAL,
    MESSAGEABLE_TYPES,
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    NotFoundError,
    Permission,
    Role,
    User,
    Webhook,
    World,
)

if TYPE_CHECKING:
    from .world import PracticeClub

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAw.fake.touchstone-test-token"
"""A token shaped like a real one; the fake accepts only the token it was built with."""

_ALLOWED_MESSAGE_FLAGS = (1 << 2) | MESSAGE_FLAG_EPHEMERAL | (1 << 7) | (1 << 12) | (1 << 15)
"""SUPPRESS_EMBEDS, EPHEMERAL, LOADING (internal), SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2."""

_API_PREFIX = re.compile(r"^/api(?:/v\d+)?(?=/)")

AttachmentSpec = Attachment | tuple[str, bytes] | tuple[str, bytes, str]
"""How tests give a user's attachments: an Attachment or ``(filename, data[, content_type])``."""


class FakeDiscord:
    """The fake server and the test-facing API.

    Attributes tests commonly read:

    * ``world``: all users, guilds, channels, messages (:class:`~.state.World`);
    * ``requests`` / ``unhandled``: every HTTP request, and those to unknown routes;
    * ``gateway.received``: every frame the client sent (IDENTIFY, RESUME, heartbeats...);
    * ``interactions``: every interaction dispatched, by id;
    * ``commands`` / ``command_syncs``: stored application commands and each bulk overwrite.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_name: str = "Touchstone",
        shard_count: int = 1,
        heartbeat_interval_ms: int = 41_250,
        application_flags: int = (1 << 15) | (1 << 19) | (1 << 23),
        session_wait_timeout: float = 10.0,
    ) -> None:
        self.token = token
        self.ids = SnowflakeGenerator()
        bot = User(id=self.ids.next(), username=bot_name.lower(), global_name=bot_name, bot=True)
        self.world = World(self.ids, bot)
        self.application_id = bot.id
        self.application_name = bot_name
        self.application_flags = application_flags
        """GATEWAY_MESSAGE_CONTENT_LIMITED | GATEWAY_GUILD_MEMBERS_LIMITED | APPLICATION_COMMAND_BADGE by default."""
        owner = self.world.add_user("touchstone_dev", global_name="Touchstone Dev")
        self.application_owner_id = owner.id
        self.shard_count = shard_count
        self.session_wait_timeout = session_wait_timeout
        self.interaction_response_window = INTERACTION_RESPONSE_WINDOW
        self.notifier = Notifier()
        self.gateway = Gateway(
            world=self.world,
            token=token,
            application_id=self.application_id,
            application_flags=application_flags,
            notifier=self.notifier,
            url=lambda: self.gateway_url,
        )
        self.gateway.heartbeat_interval_ms = heartbeat_interval_ms
        self.rest = RestApi(self)
        self.requests: list[RecordedRequest] = []
        self.unhandled: list[RecordedRequest] = []
        self.interactions: dict[int, FakeInteraction] = {}
        self.interactions_by_token: dict[str, FakeInteraction] = {}
        self.commands: dict[int | None, list[JSON]] = {}
        self.cdn: dict[int, Attachment] = {}
        """Every uploaded attachment by id, served at its ``url`` like Discord's CDN."""
        self.command_syncs: list[tuple[int | None, float, int]] = []
        """``(guild_id or None, monotonic time, number of commands)`` per bulk overwrite."""
        self.club: PracticeClub | None = None
        """Handles on the default world, when built with :func:`~.world.build_practice_club`."""
        self._rate_limits: list[RateLimitRule] = []
        self._failures: list[FailureRule] = []
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port = 0

    # ================================================================ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (port 0 picks a free one)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/ws", self.gateway.handle)
        app.router.add_get(
            "/attachments/{channel_id}/{attachment_id}/{filename}", self._serve_attachment
        )
        app.router.add_route("*", "/{tail:.*}", self._handle_http)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        address = self._runner.addresses[0]
        self._host, self._port = str(address[0]), int(address[1])

    async def stop(self) -> None:
        """Close gateway sockets and the HTTP server."""
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self._host}:{self._port}"

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be set to."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` must be set to (and READY's resume URL)."""
        return f"ws://{self._host}:{self._port}/ws"

    @property
    def connection_info(self) -> dict[str, str]:
        """Everything a bot subprocess needs to reach the fake (for environment variables)."""
        return {"api_base": self.api_base, "gateway_url": self.gateway_url, "token": self.token}

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point the in-process discord.py at the fake, restoring the real URLs after."""
        import discord.gateway
        import discord.http
        import yarl

        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    # ============================================================ world building

    @property
    def bot_user(self) -> User:
        """The bot's own user (its id is also the application id)."""
        return self.world.bot_user

    def add_user(
        self,
        name: str,
        *,
        dms_closed: bool = False,
        global_name: str | None = None,
        bot: bool = False,
    ) -> User:
        """Create a user (see :meth:`World.add_user`)."""
        return self.world.add_user(name, dms_closed=dms_closed, global_name=global_name, bot=bot)

    def add_guild(
        self,
        name: str,
        owner_id: User | int | None = None,
        *,
        shard: tuple[int, int] | None = None,
        guild_id: int | None = None,
        add_bot: bool = True,
        everyone_permissions: int = EVERYONE_PERMISSIONS,
    ) -> Guild:
        """Create a guild with ``@everyone``, its owner and (unless ``add_bot=False``: a
        server reached only through users who installed the app) the bot as members."""
        return self.world.add_guild(
            name,
            owner_id,
            shard=shard,
            guild_id=guild_id,
            add_bot=add_bot,
            everyone_permissions=everyone_permissions,
        )

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
        """Create a channel; ``tags`` gives a forum's available tags."""
        return self.world.add_channel(guild, name, type, parent=parent, topic=topic, tags=tags)

    def add_role(self, guild: Guild | int, name: str, permissions: int = 0) -> Role:
        """Create a role."""
        return self.world.add_role(guild, name, permissions)

    def add_member(
        self,
        guild: Guild | int,
        user: User | int,
        roles: Iterable[Role | int] = (),
        *,
        nick: str | None = None,
    ) -> Member:
        """Add a user to a guild with roles."""
        return self.world.add_member(guild, user, roles, nick=nick)

    def add_thread(
        self,
        parent: Channel | int,
        name: str,
        owner: User | int,
        *,
        type: ChannelType | int = ChannelType.PUBLIC_THREAD,
        applied_tags: Iterable[int] = (),
    ) -> Channel:
        """Create a thread (or forum post, without starter message) owned by a user."""
        return self.world.add_thread(parent, name, owner, type=type, applied_tags=applied_tags)

    # ================================================================ recording

    def requests_matching(
        self, method: str | None = None, route: str | None = None
    ) -> list[RecordedRequest]:
        """Recorded requests by method and route template (``"/channels/{channel_id}/messages"``)."""
        return [
            r
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (route is None or r.route == route or r.path == route)
        ]

    async def wait_for_request(
        self, predicate: Callable[[RecordedRequest], bool], timeout: float = 5.0
    ) -> RecordedRequest:
        """Wait for (or find an already recorded) request matching ``predicate``."""
        result: RecordedRequest = await self.notifier.wait_for(
            lambda: next((r for r in self.requests if r.status and predicate(r)), None),
            timeout,
            "a matching HTTP request",
        )
        return result

    async def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "a condition"
    ) -> Any:
        """Wait until ``predicate()`` is truthy, re-checking whenever the fake changes."""
        return await self.notifier.wait_for(predicate, timeout, what)

    def messages_in(
        self, channel: Channel | int, *, include_ephemeral: bool = True
    ) -> list[Message]:
        """A channel's live messages, oldest first (ephemeral ones included by default)."""
        found = self.world.messages_in(channel)
        return found if include_ephemeral else [m for m in found if not m.ephemeral]

    def dm_messages_to(self, user: User | int) -> list[Message]:
        """Messages the bot sent in its DM channel with a user."""
        uid = user if isinstance(user, int) else user.id
        channel_id = self.world.dm_channel_ids.get(uid)
        if channel_id is None:
            return []
        return [m for m in self.world.messages_in(channel_id) if m.author_id == self.bot_user.id]

    async def wait_for_message(
        self,
        channel: Channel | int,
        predicate: Callable[[Message], bool] | None = None,
        timeout: float = 5.0,
    ) -> Message:
        """Wait for a message in a channel (by anyone) matching ``predicate``."""
        result: Message = await self.notifier.wait_for(
            lambda: next(
                (m for m in self.messages_in(channel) if predicate is None or predicate(m)), None
            ),
            timeout,
            "a message",
        )
        return result

    def gateway_received(
        self, op: int | str | None = None, shard_id: int | None = None
    ) -> list[GatewayReceived]:
        """Client gateway frames, filtered by opcode (number or name) and shard."""
        return [
            f
            for f in self.gateway.received
            if (op is None or f.op == op or f.name == op)
            and (shard_id is None or f.shard_id == shard_id)
        ]

    @property
    def identifies(self) -> list[GatewayReceived]:
        """Every IDENTIFY the client sent."""
        return self.gateway_received("IDENTIFY")

    @property
    def resumes(self) -> list[GatewayReceived]:
        """Every RESUME the client sent."""
        return self.gateway_received("RESUME")

    # ========================================================= failure injection

    def rate_limit(
        self,
        route: RouteSpec,
        count: int = 1,
        retry_after: float = 0.3,
        global_: bool = False,
    ) -> RateLimitRule:
        """Answer the next ``count`` matching requests with 429 (see :data:`RouteSpec`)."""
        rule = RateLimitRule(spec=route, remaining=count, retry_after=retry_after, global_=global_)
        self._rate_limits.append(rule)
        return rule

    def fail_next(self, route: RouteSpec, status: int = 500, count: int = 1) -> FailureRule:
        """Answer the next ``count`` matching requests with a server error."""
        rule = FailureRule(spec=route, remaining=count, status=status)
        self._failures.append(rule)
        return rule

    # ================================================================= gateway

    async def wait_until_ready(
        self, shards: Iterable[int] | None = None, timeout: float = 10.0
    ) -> list[GatewaySession]:
        """Wait until the given shards (default: all ``shard_count``) have identified."""
        wanted = set(shards) if shards is not None else set(range(self.shard_count))

        def ready() -> list[GatewaySession] | None:
            sessions = {s.shard_id: s for s in self.gateway.active_sessions() if s.connected}
            if wanted <= sessions.keys():
                return [sessions[i] for i in sorted(wanted)]
            return None

        result: list[GatewaySession] = await self.notifier.wait_for(
            ready, timeout, f"shards {sorted(wanted)} to identify"
        )
        return result

    async def drop_connection(self, shard_id: int | None = None, *, code: int | None = None) -> int:
        """Cut gateway connections abnormally; the client is expected to RESUME."""
        return await self.gateway.drop_connection(shard_id, code=code)

    async def invalidate_sessions(self, shard_id: int | None = None) -> int:
        """Send op 9 (not resumable): the client must IDENTIFY again."""
        return await self.gateway.invalidate_sessions(shard_id)

    async def dispatch_event(
        self, event: str, data: JSON, *, guild_id: int | None = None, intent: int | None = None
    ) -> int | None:
        """Send any gateway event to the shard owning ``guild_id`` (escape hatch for tests)."""
        return await self.gateway.dispatch(event, data, guild_id=guild_id, intent=intent)

    # ======================================================== message plumbing

    def message_payload(self, message: Message, *, with_member: bool = False) -> JSON:
        """The JSON for a stored message."""
        return payloads.message(self.world, message, self.base_url, with_member=with_member)

    async def create_message(
        self,
        channel: Channel,
        author_id: int,
        body: Mapping[str, Any],
        files: Sequence[RecordedFile] = (),
        *,
        dispatch: bool = True,
        webhook: Webhook | None = None,
        interaction: FakeInteraction | None = None,
        message_type: int | None = None,
        allow_empty: bool = False,
        path_prefix: Sequence[str] = (),
        message_id: int | None = None,
    ) -> Message:
        """Validate and store a message, then dispatch MESSAGE_CREATE (unless ephemeral).

        This is the single path for every message: bot REST sends, interaction
        responses, webhook executions and the users simulated by tests.
        """
        if channel.type not in MESSAGEABLE_TYPES:
            raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
        errors = limits.ErrorTree()
        try:
            limits.check_message(errors, body, require_body=not allow_empty, attachments=len(files))
        except limits.EmptyMessage:
            raise ApiError(400, 50006, "Cannot send an empty message") from None
        try:
            errors.raise_if_any(prefix=path_prefix)
        except limits.InvalidFormBody as exc:
            raise ApiError(400, 50035, "Invalid Form Body", exc.errors) from None

        reference_id: int | None = None
        reference_author: int | None = None
        ref = body.get("message_reference")
        if isinstance(ref, dict) and ref.get("message_id") is not None:
            ref_id = int(ref["message_id"])
            found = self.world.messages.get(ref_id)
            if found is None or found.deleted:
                if ref.get("fail_if_not_exists", True):
                    raise ApiError(
                        400,
                        50035,
                        "Invalid Form Body",
                        {
                            "message_reference": {
                                "_errors": [
                                    {
                                        "code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                        "message": "Unknown message",
                                    }
                                ]
                            }
                        },
                    )
            else:
                reference_id, reference_author = found.id, found.author_id

        content = body.get("content") or ""
        allowed = (
            body.get("allowed_mentions") if isinstance(body.get("allowed_mentions"), dict) else None
        )
        guild_roles = (
            self.world.guilds[channel.guild_id].role_ids
            if channel.guild_id in self.world.guilds
            else []
        )
        mentions, mention_roles, everyone = compute_mentions(
            str(content), allowed, reply_author_id=reference_author, guild_role_ids=guild_roles
        )
        flags = int(body.get("flags") or 0) & _ALLOWED_MESSAGE_FLAGS
        if interaction is None:
            flags &= ~MESSAGE_FLAG_EPHEMERAL
        elif interaction.forced_ephemeral:
            flags |= MESSAGE_FLAG_EPHEMERAL
        default_type = 19 if reference_id is not None else 0
        message = Message(
            id=message_id if message_id is not None else self.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author_id=author_id,
            content=str(content),
            embeds=list(body.get("embeds") or []),
            components=list(body.get("components") or []),
            attachments=self._attachments(
                body, files, ephemeral=bool(flags & MESSAGE_FLAG_EPHEMERAL)
            ),
            flags=flags,
            type=message_type if message_type is not None else default_type,
            tts=bool(body.get("tts", False)),
            allowed_mentions=allowed,
            mentions=mentions,
            mention_roles=mention_roles,
            mention_everyone=everyone,
            reference_message_id=reference_id,
            request=dict(body),
        )
        if webhook is not None:
            message.webhook_id = webhook.id
            message.webhook_name = body.get("username") or webhook.name
            message.webhook_avatar_url = body.get("avatar_url")
        if interaction is not None:
            message.webhook_id = self.application_id
            message.application_id = self.application_id
            message.interaction_id = interaction.id
            message.interaction_metadata = self._interaction_metadata(interaction)
        self.world.store_message(message)
        self.notifier.changed()
        if dispatch and not message.ephemeral:
            await self._dispatch_message("MESSAGE_CREATE", message)
        return message

    async def edit_message(
        self,
        message: Message,
        body: Mapping[str, Any],
        files: Sequence[RecordedFile] = (),
        *,
        clear_loading: bool = False,
        path_prefix: Sequence[str] = (),
    ) -> Message:
        """Apply a PATCH (fields present replace), validate, dispatch MESSAGE_UPDATE."""
        merged: JSON = {
            "content": body.get("content", message.content),
            "embeds": body.get("embeds", message.embeds),
            "components": body.get("components", message.components),
            "flags": body.get("flags", message.flags),
        }
        errors = limits.ErrorTree()
        try:
            limits.check_message(errors, merged, require_body=False)
            errors.raise_if_any(prefix=path_prefix)
        except limits.InvalidFormBody as exc:
            raise ApiError(400, 50035, "Invalid Form Body", exc.errors) from None
        message.content = str(merged["content"] or "")
        message.embeds = list(merged["embeds"] or [])
        message.components = list(merged["components"] or [])
        keep_ephemeral = message.flags & MESSAGE_FLAG_EPHEMERAL
        message.flags = (
            int(merged["flags"] or 0) & _ALLOWED_MESSAGE_FLAGS & ~MESSAGE_FLAG_EPHEMERAL
        ) | keep_ephemeral
        if clear_loading:
            message.flags &= ~(1 << 7)
        if "attachments" in body:
            kept = {
                int(a["id"])
                for a in body.get("attachments") or []
                if str(a.get("id", "")).isdigit()
            }
            message.attachments = [a for a in message.attachments if a.id in kept]
        if files:
            message.attachments.extend(self._attachments(body, files, ephemeral=message.ephemeral))
        if "allowed_mentions" in body:
            message.allowed_mentions = body.get("allowed_mentions")
        message.edited_at = utcnow()
        message.request = {
            **message.request,
            "edits": [*message.request.get("edits", []), dict(body)],
        }
        self.notifier.changed()
        if not message.ephemeral:
            await self._dispatch_message("MESSAGE_UPDATE", message)
        return message

    async def delete_message(self, message: Message) -> None:
        """Mark a message deleted and dispatch MESSAGE_DELETE."""
        message.deleted = True
        self.notifier.changed()
        if message.ephemeral:
            return
        data: JSON = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        intent = INTENT_GUILD_MESSAGES if message.guild_id is not None else INTENT_DIRECT_MESSAGES
        await self.gateway.dispatch(
            "MESSAGE_DELETE", data, guild_id=message.guild_id, intent=intent
        )

    def _attachments(
        self, body: Mapping[str, Any], files: Sequence[RecordedFile], *, ephemeral: bool
    ) -> list[Attachment]:
        described: dict[int, JSON] = {}
        for entry in body.get("attachments") or []:
            if isinstance(entry, dict) and str(entry.get("id", "")).isdigit():
                described[int(entry["id"])] = entry
        result: list[Attachment] = []
        for position, f in enumerate(files):
            match = re.search(r"\[(\d+)\]", f.field)
            index = int(match.group(1)) if match else position
            meta = described.get(index, {})
            result.append(
                Attachment(
                    id=self.ids.next(),
                    filename=str(meta.get("filename") or f.filename),
                    content_type=f.content_type,
                    size=f.size,
                    data=f.data,
                    description=meta.get("description"),
                    ephemeral=ephemeral,
                )
            )
        for attachment in result:
            self.cdn[attachment.id] = attachment
        return result

    async def _serve_attachment(self, request: web.Request) -> web.StreamResponse:
        """The CDN: attachment URLs serve the uploaded bytes, as Discord's CDN does."""
        attachment = self.cdn.get(int(request.match_info["attachment_id"]))
        if attachment is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(
            body=attachment.data, content_type=attachment.content_type or "application/octet-stream"
        )

    async def _dispatch_message(self, event: str, message: Message) -> None:
        """MESSAGE_CREATE/UPDATE with Discord's intent rules (and MESSAGE_CONTENT stripping)."""
        session = self.gateway.session_for(message.guild_id)
        if session is None or not self.world.bot_is_member(message.guild_id):
            return
        intent = INTENT_GUILD_MESSAGES if message.guild_id is not None else INTENT_DIRECT_MESSAGES
        if not session.intents & intent:
            return
        data = self.message_payload(message, with_member=True)
        visible = (
            session.intents & INTENT_MESSAGE_CONTENT
            or message.guild_id is None
            or message.author_id == self.bot_user.id
            or self.bot_user.id in message.mentions
        )
        if not visible:
            data.update({"content": "", "embeds": [], "attachments": [], "components": []})
        await session.dispatch(event, data)
        self.notifier.changed()

    async def dispatch_thread_create(self, thread: Channel) -> None:
        """THREAD_CREATE for a new thread (GUILDS intent)."""
        data = payloads.channel(self.world, thread)
        data["newly_created"] = True
        if self.bot_user.id in thread.thread_member_ids:
            data["member"] = payloads.thread_member(thread, self.bot_user.id)
        await self.gateway.dispatch(
            "THREAD_CREATE", data, guild_id=thread.guild_id, intent=INTENT_GUILDS
        )

    async def dispatch_thread_members_update(
        self, thread: Channel, *, added: Sequence[int] = (), removed: Sequence[int] = ()
    ) -> None:
        """THREAD_MEMBERS_UPDATE after thread-member changes (GUILD_MEMBERS intent)."""
        data: JSON = {
            "id": str(thread.id),
            "guild_id": str(thread.guild_id),
            "member_count": len(thread.thread_member_ids),
            "added_members": [
                payloads.thread_member(thread, uid)
                for uid in added
                if uid in thread.thread_member_ids
            ],
            "removed_member_ids": [str(uid) for uid in removed],
        }
        await self.gateway.dispatch(
            "THREAD_MEMBERS_UPDATE", data, guild_id=thread.guild_id, intent=INTENT_GUILD_MEMBERS
        )

    # ====================================================== acting as users

    async def send_message(
        self,
        channel_id: Channel | int,
        author_id: User | int,
        content: str = "",
        *,
        reply_to: Message | int | None = None,
        attachments: Sequence[AttachmentSpec] | None = None,
        embeds: Sequence[JSON] = (),
    ) -> Message:
        """A user posts a message: stored, and MESSAGE_CREATE is dispatched to the bot."""
        channel = self.world.channel(_id(channel_id))
        author = self.world.user(_id(author_id))
        body: JSON = {"content": content, "embeds": list(embeds)}
        if reply_to is not None:
            body["message_reference"] = {
                "message_id": str(_id(reply_to)),
                "channel_id": str(channel.id),
            }
        files = [_as_file(i, a) for i, a in enumerate(attachments or ())]
        return await self.create_message(channel, author.id, body, files, dispatch=True)

    async def send_slash_command(
        self,
        guild_id: Guild | int | None,
        channel_id: Channel | int,
        user_id: User | int,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON] | None = None,
        *,
        subcommand: str | None = None,
        group: str | None = None,
        locale: str = "en-US",
        user_install: bool = False,
    ) -> FakeInteraction:
        """A user runs ``/name [group] [subcommand] options...``.

        Options given as a mapping are typed from the synced command's option
        definitions when available (else from the Python value); users, roles
        and channels given as objects or ids get ``resolved`` entries.
        """
        gid = _id(guild_id) if guild_id is not None else None
        command = self._find_command(gid, name, 1)
        defs = list(command.get("options") or []) if command else []
        opts = self._build_options(
            gid, defs, options, subcommand=subcommand, group=group, focused=None
        )
        data = self._command_data(command, gid, name, 1, opts[0], opts[1])
        return await self._dispatch_interaction(
            InteractionType.APPLICATION_COMMAND,
            gid,
            _id(channel_id),
            _id(user_id),
            data,
            locale=locale,
            command=command,
            user_install=user_install,
        )

    async def send_autocomplete(
        self,
        guild_id: Guild | int | None,
        channel_id: Channel | int,
        user_id: User | int,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        subcommand: str | None = None,
        group: str | None = None,
        locale: str = "en-US",
        user_install: bool = False,
    ) -> FakeInteraction:
        """A user is typing option ``focused`` of ``/name``: an autocomplete interaction (type 4)."""
        gid = _id(guild_id) if guild_id is not None else None
        command = self._find_command(gid, name, 1)
        defs = list(command.get("options") or []) if command else []
        opts, _resolved = self._build_options(
            gid, defs, options, subcommand=subcommand, group=group, focused=focused
        )
        data = self._command_data(command, gid, name, 1, opts, {})
        return await self._dispatch_interaction(
            InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE,
            gid,
            _id(channel_id),
            _id(user_id),
            data,
            locale=locale,
            command=command,
            user_install=user_install,
        )

    async def send_user_command(
        self,
        guild_id: Guild | int | None,
        channel_id: Channel | int,
        user_id: User | int,
        name: str,
        target: User | int,
        *,
        locale: str = "en-US",
        user_install: bool = False,
    ) -> FakeInteraction:
        """A user picks ``name`` from another user's Apps menu (user context menu)."""
        gid = _id(guild_id) if guild_id is not None else None
        command = self._find_command(gid, name, 2)
        resolved: JSON = {}
        self._resolve_user(gid, _id(target), resolved)
        data = self._command_data(command, gid, name, 2, None, resolved)
        data["target_id"] = str(_id(target))
        return await self._dispatch_interaction(
            InteractionType.APPLICATION_COMMAND,
            gid,
            _id(channel_id),
            _id(user_id),
            data,
            locale=locale,
            command=command,
            user_install=user_install,
        )

    async def send_message_command(
        self,
        user_id: User | int,
        name: str,
        target: Message | int,
        *,
        locale: str = "en-US",
        user_install: bool = False,
    ) -> FakeInteraction:
        """A user picks ``name`` from a message's Apps menu (message context menu)."""
        message = self.world.message(_id(target))
        gid = message.guild_id
        command = self._find_command(gid, name, 3)
        # The target arrives with its content even without the Message Content intent:
        # "Content of the message a message context menu command is used on" is one of
        # the exceptions listed at
        # https://discord.com/developers/docs/events/gateway#message-content-intent
        resolved = {"messages": {str(message.id): self.message_payload(message)}}
        data = self._command_data(command, gid, name, 3, None, resolved)
        data["target_id"] = str(message.id)
        return await self._dispatch_interaction(
            InteractionType.APPLICATION_COMMAND,
            gid,
            message.channel_id,
            _id(user_id),
            data,
            locale=locale,
            command=command,
            user_install=user_install,
        )

    async def send_component(
        self,
        message_id: Message | int,
        custom_id: str,
        values: Sequence[str] | None = None,
        component_type: int | None = None,
        *,
        user_id: User | int | None = None,
        locale: str = "en-US",
        check: bool = True,
    ) -> FakeInteraction:
        """A user clicks a button or picks select values on a message (type 3).

        ``component_type`` is inferred from the message's components; with
        ``check`` (default) the custom_id must exist on the message, since a
        real client can only use components it was shown. ``user_id`` defaults
        to the user who triggered the interaction that produced the message.
        """
        message = self.world.message(_id(message_id))
        found = _find_component(message.components, custom_id)
        if found is None and check:
            raise ValueError(f"message {message.id} has no component with custom_id {custom_id!r}")
        ctype = (
            component_type
            if component_type is not None
            else int(found.get("type", 2))
            if found
            else 2
        )
        if user_id is None:
            origin = self.interactions.get(message.interaction_id or 0)
            if origin is None:
                raise ValueError("user_id is required for messages not produced by an interaction")
            user_id = origin.user_id
        data: JSON = {"custom_id": custom_id, "component_type": ctype}
        if values is not None or ctype in limits.SELECT_TYPES:
            data["values"] = [str(v) for v in values or []]
        if ctype in (5, 6, 7, 8) and values:
            resolved: JSON = {}
            for v in values:
                self._resolve_entity(message.guild_id, int(v), resolved)
            data["resolved"] = resolved
        return await self._dispatch_interaction(
            InteractionType.MESSAGE_COMPONENT,
            message.guild_id,
            message.channel_id,
            _id(user_id),
            data,
            message=message,
            locale=locale,
            owners=self._origin_owners(message.interaction_id),
        )

    async def send_modal_submit(
        self,
        custom_id: str,
        values: Mapping[str, Any],
        *,
        guild_id: Guild | int | None = None,
        channel_id: Channel | int | None = None,
        user_id: User | int | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """A user submits the modal ``custom_id`` the bot opened, with ``{field_custom_id: value}``.

        The submission mirrors the structure of the modal the bot sent (action
        rows or labels) and is checked against it like Discord's client would:
        required fields, min/max lengths and unknown field ids raise ValueError.
        Guild, channel and user default to those of the interaction that got
        the modal.
        """
        origin = next(
            (
                i
                for i in reversed(self.interactions.values())
                if i.modal is not None and i.modal.get("custom_id") == custom_id
            ),
            None,
        )
        if origin is None and (channel_id is None or user_id is None):
            raise ValueError(
                f"no modal {custom_id!r} was opened; pass guild_id, channel_id and user_id"
            )
        gid = _id(guild_id) if guild_id is not None else (origin.guild_id if origin else None)
        cid = _id(channel_id) if channel_id is not None else origin.channel_id if origin else 0
        uid = _id(user_id) if user_id is not None else origin.user_id if origin else 0
        modal_rows = list(origin.modal.get("components") or []) if origin and origin.modal else []
        resolved: JSON = {}
        if modal_rows:
            components, resolved = modal_submission(modal_rows, values, self._upload)
        else:
            components = [
                {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
                for k, v in values.items()
            ]
        message = (
            self.world.messages.get(origin.message_id) if origin and origin.message_id else None
        )
        data: JSON = {"custom_id": custom_id, "components": components}
        if resolved:
            data["resolved"] = resolved
        return await self._dispatch_interaction(
            InteractionType.MODAL_SUBMIT,
            gid,
            cid,
            uid,
            data,
            message=message,
            locale=locale,
            owners=origin.authorizing_integration_owners if origin else None,
        )

    def _upload(self, spec: Any) -> JSON:
        """A file a user picked in a modal's file upload: stored on the CDN, as the
        attachment payload ``data.resolved.attachments`` lists."""
        attachment = spec if isinstance(spec, Attachment) else None
        if attachment is None:
            attachment = self._attachments({}, [_as_file(0, spec)], ephemeral=True)[0]
        return payloads.attachment(attachment, self.base_url, 0)

    def _origin_owners(self, interaction_id: int | None) -> dict[str, str] | None:
        """A component on an interaction's message acts for whoever authorized that one."""
        origin = self.interactions.get(interaction_id or 0)
        return origin.authorizing_integration_owners if origin is not None else None

    # ===================================================== interaction plumbing

    def _find_command(self, guild_id: int | None, name: str, ctype: int) -> JSON | None:
        """The synced command a client would invoke: guild commands shadow global ones."""
        scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name and int(cmd.get("type") or 1) == ctype:
                    return cmd
        return None

    def _command_data(
        self,
        command: JSON | None,
        guild_id: int | None,
        name: str,
        ctype: int,
        options: list[JSON] | None,
        resolved: JSON,
    ) -> JSON:
        data: JSON = {
            "id": command["id"] if command else str(self.ids.next()),
            "name": name,
            "type": ctype,
        }
        if command is not None and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if options:
            data["options"] = options
        if resolved:
            data["resolved"] = resolved
        return data

    def _build_options(
        self,
        guild_id: int | None,
        defs: list[JSON],
        options: Mapping[str, Any] | Sequence[JSON] | None,
        *,
        subcommand: str | None,
        group: str | None,
        focused: str | None,
    ) -> tuple[list[JSON], JSON]:
        resolved: JSON = {}
        if group is not None:
            gdef = _option_def(defs, group)
            defs = list(gdef.get("options") or []) if gdef else []
        if subcommand is not None:
            sdef = _option_def(defs, subcommand)
            defs = list(sdef.get("options") or []) if sdef else []
        leaf: list[JSON] = []
        if isinstance(options, Mapping):
            for key, value in options.items():
                odef = _option_def(defs, key)
                otype = int(odef["type"]) if odef else _infer_option_type(value)
                entry: JSON = {
                    "name": key,
                    "type": otype,
                    "value": self._option_value(guild_id, otype, value, resolved),
                }
                if focused == key:
                    entry["focused"] = True
                leaf.append(entry)
        elif options is not None:
            leaf = [dict(o) for o in options]
        result = leaf
        if subcommand is not None:
            result = [{"name": subcommand, "type": 1, "options": result}]
        if group is not None:
            result = [{"name": group, "type": 2, "options": result}]
        return result, resolved

    def _option_value(self, guild_id: int | None, otype: int, value: Any, resolved: JSON) -> Any:
        if otype in (6, 7, 8, 9):
            entity_id = _id(value)
            if otype == 6:
                self._resolve_user(guild_id, entity_id, resolved)
            elif otype == 7:
                self._resolve_channel(guild_id, entity_id, resolved)
            elif otype == 8:
                resolved.setdefault("roles", {})[str(entity_id)] = payloads.role(
                    self.world.role(entity_id)
                )
            else:
                self._resolve_entity(guild_id, entity_id, resolved)
            return str(entity_id)
        if otype == 11:
            attachment = value if isinstance(value, Attachment) else _as_file(0, value)
            if isinstance(attachment, RecordedFile):
                attachment = self._attachments({}, [attachment], ephemeral=True)[0]
            resolved.setdefault("attachments", {})[str(attachment.id)] = payloads.attachment(
                attachment, self.base_url, 0
            )
            return str(attachment.id)
        return value

    def _resolve_entity(self, guild_id: int | None, entity_id: int, resolved: JSON) -> None:
        if entity_id in self.world.users:
            self._resolve_user(guild_id, entity_id, resolved)
        elif entity_id in self.world.roles:
            resolved.setdefault("roles", {})[str(entity_id)] = payloads.role(
                self.world.roles[entity_id]
            )
        elif entity_id in self.world.channels:
            self._resolve_channel(guild_id, entity_id, resolved)

    def _resolve_user(self, guild_id: int | None, user_id: int, resolved: JSON) -> None:
        user = self.world.user(user_id)
        resolved.setdefault("users", {})[str(user.id)] = payloads.user(user)
        if guild_id is not None and user.id in self.world.guild(guild_id).members:
            member = self.world.guild(guild_id).members[user.id]
            resolved.setdefault("members", {})[str(user.id)] = payloads.member(
                self.world,
                member,
                with_user=False,
                permissions=self.world.permissions(guild_id, user.id),
            )

    def _resolve_channel(self, guild_id: int | None, channel_id: int, resolved: JSON) -> None:
        channel = self.world.channel(channel_id)
        data = payloads.channel(self.world, channel)
        if guild_id is not None:
            data["permissions"] = str(self.world.permissions(guild_id, self.bot_user.id))
        resolved.setdefault("channels", {})[str(channel.id)] = data

    def _interaction_metadata(self, interaction: FakeInteraction) -> JSON:
        data: JSON = {
            "id": str(interaction.id),
            "type": int(interaction.type),
            "user": payloads.user(self.world.user(interaction.user_id)),
            "authorizing_integration_owners": interaction.payload.get(
                "authorizing_integration_owners", {}
            ),
        }
        command = interaction.payload.get("data") or {}
        if interaction.type == InteractionType.APPLICATION_COMMAND:
            data["name"] = command.get("name")
            data["command_type"] = command.get("type", 1)
        if interaction.message_id is not None:
            data["interacted_message_id"] = str(interaction.message_id)
        return data

    async def _dispatch_interaction(
        self,
        itype: InteractionType,
        guild_id: int | None,
        channel_id: int,
        user_id: int,
        data: JSON,
        *,
        message: Message | None = None,
        locale: str = "en-US",
        command: JSON | None = None,
        user_install: bool = False,
        owners: Mapping[str, str] | None = None,
    ) -> FakeInteraction:
        """Build INTERACTION_CREATE as Discord does, register the handle, send it.

        ``authorizing_integration_owners`` says who installed the app for this
        interaction: the guild ("0") when the bot is a member, the user ("1") with
        ``user_install`` (and always in a guild the bot was never added to, since
        only a user install reaches there). Components and modal submissions pass
        their original interaction's ``owners``. An application command the client
        would not offer there (its ``integration_types`` or ``contexts``) raises.
        """
        channel = self.world.channel(channel_id)
        user = self.world.user(user_id)
        bot_member = self.world.bot_is_member(guild_id)
        if guild_id is not None:
            self.world.member(guild_id, user_id)
            if channel.guild_id != guild_id:
                raise ValueError(f"channel {channel_id} is not in guild {guild_id}")
        elif channel.type != ChannelType.DM:
            channel = self.world.dm_channel(user)
        if owners is None:
            built: dict[str, str] = {}
            if guild_id is not None and bot_member:
                built[GUILD_INSTALL] = str(guild_id)
            elif guild_id is None and not user_install:
                built[GUILD_INSTALL] = "0"  # the bot's DM, reached through a server install
            if user_install or not bot_member:
                built[USER_INSTALL] = str(user.id)
            owners = built
        context = InteractionContext.GUILD if guild_id is not None else InteractionContext.BOT_DM
        if command is not None:
            _check_command_available(command, owners, context)
        session = await self.gateway.wait_for_session(guild_id, self.session_wait_timeout)

        interaction_id = self.ids.next()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(96)
        channel_data = payloads.channel(self.world, channel)
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": int(itype),
            "token": token,
            "version": 1,
            "data": data,
            "channel_id": str(channel.id),
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": payloads.ATTACHMENT_SIZE_LIMIT,
        }
        if guild_id is not None:
            guild = self.world.guild(guild_id)
            member = guild.members[user_id]
            user_perms = self.world.permissions(guild_id, user_id)
            channel_data["permissions"] = str(user_perms)
            payload.update(
                {
                    "guild_id": str(guild_id),
                    "guild": {
                        "id": str(guild_id),
                        "locale": guild.preferred_locale,
                        "features": list(guild.features),
                    },
                    "guild_locale": guild.preferred_locale,
                    "member": payloads.member(self.world, member, permissions=user_perms),
                    "app_permissions": str(
                        self.world.permissions(guild_id, self.bot_user.id)
                        if bot_member
                        else _EXTERNAL_APP_PERMISSIONS
                    ),
                }
            )
        else:
            payload.update(
                {
                    "user": payloads.user(user),
                    "app_permissions": str(
                        (1 << 6)
                        | (1 << 10)
                        | (1 << 11)
                        | (1 << 14)
                        | (1 << 15)
                        | (1 << 16)
                        | (1 << 18)
                        | (1 << 31)
                    ),
                }
            )
        payload["authorizing_integration_owners"] = dict(owners)
        payload["context"] = int(context)
        payload["channel"] = channel_data
        if message is not None:
            payload["message"] = self.message_payload(message)

        interaction = FakeInteraction(
            id=interaction_id,
            token=token,
            type=itype,
            application_id=self.application_id,
            guild_id=guild_id,
            channel_id=channel.id,
            user_id=user.id,
            payload=payload,
            dispatched_at=time.monotonic(),
            notifier=self.notifier,
            message_id=message.id if message else None,
            # "When disabled [Use External Apps], users will still be able to use apps
            # but the responses will be ephemeral. This only applies to apps not also
            # installed to the server." Otherwise responses are not forced ephemeral
            # (since user installs went GA, whatever the server's size):
            # https://discord.com/developers/docs/topics/permissions#permissions-bitwise-permission-flags
            # https://discord.com/developers/docs/change-log/2024-06-27-user-installed-apps-general-availability
            forced_ephemeral=guild_id is not None
            and not bot_member
            and not self.world.permissions(guild_id, user_id) & Permission.USE_EXTERNAL_APPS,
        )
        self.interactions[interaction.id] = interaction
        self.interactions_by_token[token] = interaction
        await session.dispatch("INTERACTION_CREATE", payload)
        self.notifier.changed()
        return interaction

    def age_interaction(self, interaction: FakeInteraction, seconds: float) -> None:
        """Pretend an interaction was dispatched ``seconds`` earlier (to test expiry)."""
        interaction.dispatched_at -= seconds

    # ================================================================== HTTP

    async def _handle_http(self, request: web.Request) -> web.StreamResponse:
        """Parse, record, apply injected failures and auth, route, and answer."""
        raw_path = request.path
        api_match = _API_PREFIX.match(raw_path)
        path = raw_path[api_match.end() :] if api_match else raw_path
        method = request.method.upper()
        json_body, files = await _read_body(request)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        auth_header = request.headers.get("Authorization")
        matched = self.rest.router.match(method, path) if api_match else None
        record = RecordedRequest(
            method=method,
            path=path,
            route=matched[0].template if matched else None,
            query=dict(request.query),
            params=matched[1] if matched else {},
            headers=headers,
            authorized=auth_header is not None,
            json=json_body,
            files=files,
            at=time.monotonic(),
        )
        self.requests.append(record)
        status, body, extra = await self._respond(record, matched, auth_header, request.query)
        record.status, record.response = status, body
        if matched is None:
            self.unhandled.append(record)
            log.warning("fake Discord: unhandled %s %s", method, raw_path)
        self.notifier.changed()
        headers_out = {**_ratelimit_headers(record.route or path), **extra}
        if body is None:
            return web.Response(status=status, headers=headers_out)
        headers_out["Content-Type"] = "application/json"
        return web.Response(status=status, body=json.dumps(body).encode(), headers=headers_out)

    async def _respond(
        self,
        record: RecordedRequest,
        matched: tuple[Any, dict[str, str]] | None,
        auth_header: str | None,
        query: Mapping[str, str],
    ) -> tuple[int, Any, dict[str, str]]:
        for failure in self._failures:
            if failure.remaining > 0 and route_matches(
                failure.spec, record.method, record.path, record.route
            ):
                failure.remaining -= 1
                failure.hits.append(record)
                return (
                    failure.status,
                    payloads.error(0, f"{failure.status}: Internal Server Error"),
                    {},
                )
        for limit in self._rate_limits:
            if limit.remaining > 0 and route_matches(
                limit.spec, record.method, record.path, record.route
            ):
                limit.remaining -= 1
                limit.hits.append(record)
                return 429, *_rate_limited(record.route or record.path, limit)
        if matched is None:
            return 404, payloads.error(0, "404: Not Found"), {}
        entry, params = matched
        if entry.auth and auth_header != f"Bot {self.token}":
            return 401, payloads.error(0, "401: Unauthorized"), {}
        req = ApiRequest(
            method=record.method,
            path=record.path,
            params=params,
            query=query,
            json=record.json,
            files=record.files,
            headers=record.headers,
        )
        try:
            response: ApiResponse = await entry.handler(req)
        except ApiError as exc:
            return exc.status, exc.body, {}
        except NotFoundError as exc:
            return 404, payloads.error(exc.code, exc.message), {}
        except limits.InvalidFormBody as exc:
            return 400, payloads.error(50035, "Invalid Form Body", exc.errors), {}
        except Exception:
            log.exception("fake Discord: handler crashed for %s %s", record.method, record.path)
            return 500, payloads.error(0, "500: Internal Server Error (fake handler crashed)"), {}
        if response.body is None:
            return 204, None, response.headers
        return response.status, response.body, response.headers


async def _read_body(request: web.Request) -> tuple[Any, list[RecordedFile]]:
    """JSON body, or multipart ``payload_json`` plus ``files[n]`` parts."""
    if not request.can_read_body:
        return None, []
    content_type = request.content_type
    if content_type.startswith("multipart/"):
        files: list[RecordedFile] = []
        payload: Any = None
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                continue
            data = await part.read(decode=False)
            if part.name == "payload_json":
                payload = json.loads(bytes(data).decode("utf-8"))
            elif part.filename is not None or (part.name or "").startswith("files"):
                files.append(
                    RecordedFile(
                        field=part.name or "",
                        filename=part.filename or "",
                        content_type=part.headers.get("Content-Type"),
                        data=bytes(data),
                    )
                )
        return payload, files
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw.decode("utf-8")), []
    except ValueError:
        return raw.decode("utf-8", "replace"), []


def _bucket(route: str) -> str:
    return hashlib.sha1(route.encode()).hexdigest()[:16]


def _ratelimit_headers(route: str) -> dict[str, str]:
    """Plausible per-route bucket headers that never make discord.py wait."""
    return {
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "4",
        "X-RateLimit-Reset": f"{time.time() + 1.0:.3f}",
        "X-RateLimit-Reset-After": "1.000",
        "X-RateLimit-Bucket": _bucket(route),
    }


def _rate_limited(route: str, rule: RateLimitRule) -> tuple[JSON, dict[str, str]]:
    """A 429 body and headers as Discord (behind Google's proxy, hence ``Via``) sends them."""
    body: JSON = {
        "message": "You are being rate limited.",
        "retry_after": rule.retry_after,
        "global": rule.global_,
    }
    if rule.global_:
        body["code"] = 0
    headers = {
        "Retry-After": str(max(1, round(rule.retry_after + 0.5))),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + rule.retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{rule.retry_after:.3f}",
        "X-RateLimit-Bucket": _bucket(route),
        "X-RateLimit-Scope": "global" if rule.global_ else "user",
        "Via": "1.1 google",
    }
    if rule.global_:
        headers["X-RateLimit-Global"] = "true"
    return body, headers


def _id(obj: Any) -> int:
    if isinstance(obj, int):
        return obj
    return int(obj.id)


def _as_file(index: int, spec: Any) -> RecordedFile:
    if isinstance(spec, Attachment):
        return RecordedFile(f"files[{index}]", spec.filename, spec.content_type, spec.data)
    if isinstance(spec, tuple) and len(spec) in (2, 3):
        filename, data = spec[0], spec[1]
        ctype = spec[2] if len(spec) == 3 else _guess_type(filename)
        return RecordedFile(f"files[{index}]", str(filename), ctype, bytes(data))
    raise TypeError(
        f"attachment spec must be an Attachment or (filename, bytes[, type]), got {spec!r}"
    )


def _guess_type(filename: str) -> str:
    import mimetypes

    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _infer_option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    if isinstance(value, User):
        return 6
    if isinstance(value, Channel):
        return 7
    if isinstance(value, Role):
        return 8
    if isinstance(value, Attachment):
        return 11
    return 3


def _option_def(defs: Sequence[JSON], name: str) -> JSON | None:
    return next((d for d in defs if d.get("name") == name), None)


def _find_component(components: Sequence[JSON], custom_id: str) -> JSON | None:
    for c in components:
        if c.get("custom_id") == custom_id:
            return c
        for key in ("components",):
            nested = c.get(key)
            if isinstance(nested, list):
                found = _find_component(nested, custom_id)
                if found is not None:
                    return found
        for key in ("accessory", "component"):
            child = c.get(key)
            if isinstance(child, dict):
                found = _find_component([child], custom_id)
                if found is not None:
                    return found
    return None


_EXTERNAL_APP_PERMISSIONS = (
    Permission.ADD_REACTIONS
    | Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.USE_APPLICATION_COMMANDS
)
"""``app_permissions`` in a guild the bot isn't in: what its responses may carry there
(an approximation; Discord computes it from the channel and the user's settings)."""


def _check_command_available(
    command: JSON, owners: Mapping[str, str], context: InteractionContext
) -> None:
    """Refuse what a client would not offer: a command is listed only for the
    installation types in its ``integration_types`` (default: guild install) and the
    places in its ``contexts`` (null: every context its installs allow).
    https://discord.com/developers/docs/interactions/application-commands#contexts
    """
    types = command.get("integration_types") or [0]
    if not any(int(owner) in types for owner in owners):
        raise ValueError(
            f"command {command.get('name')!r} is not installed this way "
            f"(integration_types {types}, authorizing owners {dict(owners)})"
        )
    contexts = command.get("contexts")
    if contexts is not None and int(context) not in contexts:
        raise ValueError(
            f"command {command.get('name')!r} is not offered in context {int(context)} "
            f"(contexts {contexts})"
        )
