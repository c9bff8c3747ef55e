"""The gateway websocket: HELLO, heartbeats, IDENTIFY/READY, RESUME, dispatch.

Each IDENTIFY opens a :class:`GatewaySession` for one shard. Sessions outlive
their connections: events dispatched while a client is disconnected are kept
in the session's log and replayed when it RESUMEs, which is how Discord
behaves and what lets tests check "the bot resumed and missed nothing".
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import payloads
from .recording import GatewayReceived, Notifier
from .snowflake import shard_for

if TYPE_CHECKING:
    from .state import World

JSON = dict[str, Any]
log = logging.getLogger(__name__)

# Opcodes
DISPATCH = 0
HEARTBEAT = 1
IDENTIFY = 2
PRESENCE_UPDATE = 3
VOICE_STATE_UPDATE = 4
RESUME = 6
RECONNECT = 7
REQUEST_GUILD_MEMBERS = 8
INVALID_SESSION = 9
HELLO = 10
HEARTBEAT_ACK = 11

# Close codes
CLOSE_UNKNOWN_ERROR = 4000
CLOSE_UNKNOWN_OPCODE = 4001
CLOSE_DECODE_ERROR = 4002
CLOSE_NOT_AUTHENTICATED = 4003
CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_ALREADY_AUTHENTICATED = 4005
CLOSE_RATE_LIMITED = 4008
CLOSE_INVALID_SHARD = 4010
CLOSE_INVALID_INTENTS = 4013
CLOSE_DISALLOWED_INTENTS = 4014

# Intents
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

GATEWAY_SEND_LIMIT = 120
"""Frames a client may send per connection per ``GATEWAY_SEND_WINDOW`` seconds."""
GATEWAY_SEND_WINDOW = 60.0


@dataclass
class GatewayConnection:
    """One websocket. Sends are serialised so frames never interleave."""

    ws: web.WebSocketResponse
    request: web.Request
    opened_at: float
    session: GatewaySession | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    recent_sends: list[float] = field(default_factory=list)

    def over_send_limit(self, now: float) -> bool:
        """Count a client frame; true once more than 120 arrived within 60 s (close 4008)."""
        cutoff = now - GATEWAY_SEND_WINDOW
        self.recent_sends = [t for t in self.recent_sends if t > cutoff]
        self.recent_sends.append(now)
        return len(self.recent_sends) > GATEWAY_SEND_LIMIT

    async def send(self, frame: JSON) -> None:
        """Send a frame as a text message; a closed socket is ignored (the log keeps it)."""
        if self.ws.closed:
            return
        async with self.lock:
            try:
                await self.ws.send_str(json.dumps(frame))
            except (ConnectionError, RuntimeError):
                log.debug(
                    "gateway send on a closing socket dropped: %s",
                    frame.get("t") or frame.get("op"),
                )


@dataclass
class GatewaySession:
    """A shard's identified session: its sequence numbers and event log."""

    session_id: str
    shard_id: int
    shard_count: int
    intents: int
    identify: JSON
    created_at: float
    seq: int = 0
    log: list[JSON] = field(default_factory=list)
    connection: GatewayConnection | None = None
    invalidated: bool = False
    resumes: int = 0

    @property
    def connected(self) -> bool:
        """Whether a live websocket is attached."""
        return self.connection is not None and not self.connection.ws.closed

    def handles_guild(self, guild_id: int | None) -> bool:
        """Whether this shard receives the guild's events (DMs go to shard 0)."""
        if guild_id is None:
            return self.shard_id == 0
        return shard_for(guild_id, self.shard_count) == self.shard_id

    async def dispatch(self, event: str, data: JSON) -> int:
        """Sequence, log and (if connected) send an event; return its sequence number."""
        self.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.log.append(frame)
        if self.connection is not None:
            await self.connection.send(frame)
        return self.seq


class Gateway:
    """The gateway side of the fake; owned by :class:`~.server.FakeDiscord`."""

    def __init__(
        self,
        *,
        world: World,
        token: str,
        application_id: int,
        application_flags: int,
        notifier: Notifier,
        url: Callable[[], str],
    ) -> None:
        self.world = world
        self.token = token
        self.application_id = application_id
        self.application_flags = application_flags
        self.notifier = notifier
        self._url = url
        self.heartbeat_interval_ms = 41_250
        self.allowed_intents = (1 << 31) - 1
        """Intents the application may use; drop privileged bits to test close 4014."""
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: list[GatewayConnection] = []
        self.received: list[GatewayReceived] = []

    # ------------------------------------------------------------ test hooks

    def active_sessions(self) -> list[GatewaySession]:
        """Sessions that can still receive events, one per shard at most."""
        return [s for s in self.sessions.values() if not s.invalidated]

    def session_for(self, guild_id: int | None) -> GatewaySession | None:
        """The session that receives events for a guild (or for DMs)."""
        for session in self.active_sessions():
            if session.handles_guild(guild_id):
                return session
        return None

    async def wait_for_session(self, guild_id: int | None, timeout: float) -> GatewaySession:
        """Wait until some shard can receive the guild's events."""
        session: GatewaySession = await self.notifier.wait_for(
            lambda: self.session_for(guild_id),
            timeout,
            f"a gateway session for guild {guild_id}" if guild_id else "a gateway session for DMs",
        )
        return session

    async def dispatch(
        self, event: str, data: JSON, *, guild_id: int | None, intent: int | None = None
    ) -> int | None:
        """Send an event to the shard that owns ``guild_id``; ``None`` if nobody gets it.

        ``intent`` is the intent bit the event requires; sessions without it
        don't receive the event, like on Discord.
        """
        session = self.session_for(guild_id)
        if session is None:
            return None
        if intent is not None and not session.intents & intent:
            return None
        seq = await session.dispatch(event, data)
        self.notifier.changed()
        return seq

    async def drop_connection(self, shard_id: int | None = None, *, code: int | None = None) -> int:
        """Break live connections (all, or one shard's) without ending their sessions.

        With ``code=None`` the TCP connection is cut with no close frame, like a
        network failure; otherwise a close frame with that code is sent. Either
        way the client should RESUME. Returns how many connections were dropped.
        """
        dropped = 0
        for session in list(self.sessions.values()):
            if shard_id is not None and session.shard_id != shard_id:
                continue
            conn = session.connection
            if conn is None or conn.ws.closed:
                continue
            session.connection = None
            dropped += 1
            if code is None:
                transport = conn.request.transport
                if transport is not None:
                    transport.abort()
            else:
                await conn.ws.close(code=code, message=b"dropped by test")
        self.notifier.changed()
        return dropped

    async def invalidate_sessions(self, shard_id: int | None = None) -> int:
        """Send op 9 (not resumable) and forget the sessions, forcing a new IDENTIFY."""
        count = 0
        for session in list(self.sessions.values()):
            if session.invalidated or (shard_id is not None and session.shard_id != shard_id):
                continue
            session.invalidated = True
            count += 1
            if session.connection is not None:
                await session.connection.send({"op": INVALID_SESSION, "d": False})
        self.notifier.changed()
        return count

    async def close_all(self) -> None:
        """Close every socket (server shutdown)."""
        for conn in list(self.connections):
            if not conn.ws.closed:
                await conn.ws.close(code=1001, message=b"fake Discord stopping")

    # -------------------------------------------------------------- protocol

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """aiohttp handler for the gateway URL."""
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        conn = GatewayConnection(ws=ws, request=request, opened_at=time.monotonic())
        self.connections.append(conn)
        await conn.send(
            {
                "op": HELLO,
                "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake-gateway"]},
            },
        )
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_frame(conn, msg.data)
                elif msg.type is WSMsgType.BINARY:
                    await self._on_frame(conn, msg.data.decode("utf-8", "replace"))
                elif msg.type is WSMsgType.ERROR:
                    break
        finally:
            session = conn.session
            if session is not None and session.connection is conn:
                session.connection = None
            self.notifier.changed()
        return ws

    async def _on_frame(self, conn: GatewayConnection, text: str) -> None:
        try:
            frame = json.loads(text)
            op = int(frame["op"])
        except (ValueError, KeyError, TypeError):
            await conn.ws.close(code=CLOSE_DECODE_ERROR, message=b"Error while decoding payload.")
            return
        data = frame.get("d")
        session = conn.session
        self.received.append(
            GatewayReceived(
                shard_id=session.shard_id if session else _shard_from_identify(op, data),
                session_id=session.session_id if session else None,
                op=op,
                data=_redact_token(data),
                at=time.monotonic(),
            )
        )
        self.notifier.changed()
        if op != HEARTBEAT and conn.over_send_limit(time.monotonic()):
            await conn.ws.close(code=CLOSE_RATE_LIMITED, message=b"You are being rate limited.")
            return
        if op == HEARTBEAT:
            await conn.send({"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            await self._identify(conn, data if isinstance(data, dict) else {})
        elif op == RESUME:
            await self._resume(conn, data if isinstance(data, dict) else {})
        elif session is None:
            await conn.ws.close(code=CLOSE_NOT_AUTHENTICATED, message=b"Not authenticated.")
        elif op == REQUEST_GUILD_MEMBERS:
            await self._request_members(session, data if isinstance(data, dict) else {})
        elif op in (PRESENCE_UPDATE, VOICE_STATE_UPDATE):
            pass  # recorded above; nothing to answer
        else:
            await conn.ws.close(code=CLOSE_UNKNOWN_OPCODE, message=b"Unknown opcode.")

    async def _identify(self, conn: GatewayConnection, data: JSON) -> None:
        if conn.session is not None:
            await conn.ws.close(code=CLOSE_ALREADY_AUTHENTICATED, message=b"Already authenticated.")
            return
        if data.get("token") != self.token:
            await conn.ws.close(code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return
        shard = data.get("shard") or [0, 1]
        try:
            shard_id, shard_count = int(shard[0]), int(shard[1])
        except (TypeError, ValueError, IndexError):
            shard_id, shard_count = -1, 0
        if shard_count < 1 or not 0 <= shard_id < shard_count:
            await conn.ws.close(code=CLOSE_INVALID_SHARD, message=b"Invalid shard.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0:
            await conn.ws.close(code=CLOSE_INVALID_INTENTS, message=b"Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS & ~self.allowed_intents:
            await conn.ws.close(code=CLOSE_DISALLOWED_INTENTS, message=b"Disallowed intent(s).")
            return

        # A new IDENTIFY for a shard supersedes any earlier session of that shard.
        for old in self.sessions.values():
            if old.shard_id == shard_id and not old.invalidated:
                old.invalidated = True
        session = GatewaySession(
            session_id=secrets.token_hex(16),
            shard_id=shard_id,
            shard_count=shard_count,
            intents=intents,
            identify=_redact_token(data),
            created_at=time.monotonic(),
            connection=conn,
        )
        self.sessions[session.session_id] = session
        conn.session = session

        # Only guilds the bot was added to: a user install sends no guild events.
        guilds = [
            g
            for g in self.world.guilds.values()
            if shard_for(g.id, shard_count) == shard_id and self.world.bot_is_member(g)
        ]
        ready = {
            "v": 10,
            "user": payloads.current_user(self.world.bot_user),
            "guilds": [payloads.unavailable_guild(g) for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self._url(),
            "shard": [shard_id, shard_count],
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["local"],
            "auth": {},
            "user_settings": {},
            "_trace": ["fake-gateway"],
        }
        await session.dispatch("READY", ready)
        if intents & INTENT_GUILDS:
            for g in guilds:
                await session.dispatch("GUILD_CREATE", payloads.guild_create(self.world, g))
        self.notifier.changed()

    async def _resume(self, conn: GatewayConnection, data: JSON) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if data.get("token") != self.token:
            await conn.ws.close(code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return
        if session is None or session.invalidated:
            await conn.send({"op": INVALID_SESSION, "d": False})
            return
        previous = session.connection
        if previous is not None and previous is not conn and not previous.ws.closed:
            await previous.ws.close(code=CLOSE_UNKNOWN_ERROR, message=b"Session resumed elsewhere.")
        session.connection = conn
        session.resumes += 1
        conn.session = session
        after = data.get("seq")
        after_seq = int(after) if isinstance(after, int) else 0
        for frame in [f for f in session.log if int(f["s"]) > after_seq]:
            await conn.send(frame)
        await session.dispatch("RESUMED", {"_trace": ["fake-gateway"]})
        self.notifier.changed()

    async def _request_members(self, session: GatewaySession, data: JSON) -> None:
        """Answer op 8 with one GUILD_MEMBERS_CHUNK so member chunking completes."""
        try:
            guild = self.world.guild(int(data.get("guild_id") or 0))
        except LookupError:
            return
        members = list(guild.members.values())
        query = data.get("query")
        user_ids = data.get("user_ids")
        if user_ids:
            wanted = {int(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])}
            members = [m for m in members if m.user_id in wanted]
        elif isinstance(query, str) and query:
            members = [m for m in members if self.world.users[m.user_id].username.startswith(query)]
        limit = data.get("limit")
        if isinstance(limit, int) and limit > 0:
            members = members[:limit]
        chunk: JSON = {
            "guild_id": str(guild.id),
            "members": [payloads.member(self.world, m) for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        if data.get("presences"):
            chunk["presences"] = []
        await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)


def _shard_from_identify(op: int, data: Any) -> int | None:
    if op == IDENTIFY and isinstance(data, dict):
        shard = data.get("shard")
        if isinstance(shard, list) and shard:
            return int(shard[0])
        return 0
    return None


def _redact_token(data: Any) -> Any:
    """Keep gateway records free of the bot token."""
    if isinstance(data, dict) and "token" in data:
        return {**data, "token": "<redacted>"}
    return data
