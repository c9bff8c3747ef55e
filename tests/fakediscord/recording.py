"""What the fake saw: HTTP requests, gateway frames, and the waiting primitive.

Tests assert on behaviour over the wire ("the bot retried once", "it sent
allowed_mentions", "it never resent IDENTIFY"), so every request and every
client gateway frame is kept, in order, with a monotonic timestamp.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


class Notifier:
    """Wakes waiters whenever the fake's recorded state changes.

    ``changed()`` is synchronous so request handlers can call it anywhere;
    waiters re-check their predicate on every change, which keeps the waiting
    helpers free of races (the predicate is checked before the first wait).
    Predicates may also look at state outside the fake (the in-process bot's
    caches), so waiters poll every ``poll_interval`` seconds as well.
    """

    poll_interval = 0.02

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def changed(self) -> None:
        """Signal a change to everybody waiting."""
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        """Return the first truthy ``predicate()`` result; ``TimeoutError`` naming ``what``."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"fake Discord: timed out after {timeout:.1f}s waiting for {what}"
                )
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), min(remaining, self.poll_interval))
            except TimeoutError:
                continue


@dataclass
class RecordedFile:
    """A file part of a multipart request (``files[n]``)."""

    field: str
    filename: str
    content_type: str | None
    data: bytes

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


@dataclass
class RecordedRequest:
    """One HTTP request the bot made, and what the fake answered.

    ``route`` is the template (``/channels/{channel_id}/messages``) or ``None``
    for unknown routes. ``headers`` never contains the Authorization value;
    ``authorized`` says whether one was sent.
    """

    method: str
    path: str
    route: str | None
    query: dict[str, str]
    params: dict[str, str]
    headers: dict[str, str]
    authorized: bool
    json: Any
    files: list[RecordedFile]
    at: float
    status: int = 0
    response: Any = None

    @property
    def key(self) -> str:
        """``"METHOD /route/template"`` (or the raw path when the route is unknown)."""
        return f"{self.method} {self.route or self.path}"

    @property
    def error_code(self) -> int | None:
        """Discord's JSON error ``code`` when the response was an error body."""
        if isinstance(self.response, dict) and self.status >= 400:
            code = self.response.get("code")
            return int(code) if isinstance(code, int) else None
        return None


@dataclass
class GatewayReceived:
    """A frame the client sent on a gateway connection."""

    shard_id: int | None
    session_id: str | None
    op: int
    data: Any
    at: float

    @property
    def name(self) -> str:
        """A readable opcode name (``IDENTIFY``, ``RESUME``, ``HEARTBEAT``...)."""
        return OPCODE_NAMES.get(self.op, f"OP_{self.op}")


OPCODE_NAMES = {
    0: "DISPATCH",
    1: "HEARTBEAT",
    2: "IDENTIFY",
    3: "PRESENCE_UPDATE",
    4: "VOICE_STATE_UPDATE",
    6: "RESUME",
    7: "RECONNECT",
    8: "REQUEST_GUILD_MEMBERS",
    9: "INVALID_SESSION",
    10: "HELLO",
    11: "HEARTBEAT_ACK",
}

RouteSpec = str | re.Pattern[str]
"""How tests name routes for rate limits and failures.

* ``"POST /channels/{channel_id}/messages"``: exact method and route template;
* ``"/channels/123/messages"`` or ``"POST /channels/123"``: prefix of
  ``"METHOD /path"`` or of the path alone;
* a compiled regex: searched in ``"METHOD /path"``.
"""


def route_matches(spec: RouteSpec, method: str, path: str, route: str | None) -> bool:
    """Whether a request matches a test's route spec (see :data:`RouteSpec`)."""
    line = f"{method} {path}"
    if isinstance(spec, re.Pattern):
        return spec.search(line) is not None
    if route is not None and spec == f"{method} {route}":
        return True
    if route is not None and spec == route:
        return True
    if "{" in spec:
        return False
    return line.startswith(spec) or path.startswith(spec)


@dataclass
class RateLimitRule:
    """``fake.rate_limit(...)``: answer the next ``remaining`` matches with 429."""

    spec: RouteSpec
    remaining: int
    retry_after: float
    global_: bool
    hits: list[RecordedRequest] = field(default_factory=list)


@dataclass
class FailureRule:
    """``fake.fail_next(...)``: answer the next ``remaining`` matches with a 5xx."""

    spec: RouteSpec
    remaining: int
    status: int
    hits: list[RecordedRequest] = field(default_factory=list)
