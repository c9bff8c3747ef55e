"""Interactions the fake dispatched, and everything the bot answered to them.

A :class:`FakeInteraction` is what the ``send_*`` helpers return. It is the
test's handle on one interaction: the callback, edits of the original response
and follow-ups arrive in ``responses`` in the order the bot sent them, and the
``first_response``/``wait_for_followups`` helpers wait for them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Literal

from .recording import Notifier
from .state import MESSAGE_FLAG_EPHEMERAL, Attachment

JSON = dict[str, Any]

INTERACTION_RESPONSE_WINDOW = 3.0
"""Seconds the bot has for its first response (reply, defer or modal)."""

INTERACTION_TOKEN_LIFETIME = 15 * 60.0
"""Seconds follow-ups and edits of the original response stay possible."""

USER_INSTALL_FOLLOWUP_LIMIT = 5
"""Follow-ups allowed per interaction of a user install the server doesn't also have.

"Apps are limited to 5 followup messages per interaction if it was initiated from a
user-installed app and isn't installed in the server (meaning the authorizing
integration owners object only contains USER_INSTALL)", error 40094:
https://discord.com/developers/docs/interactions/receiving-and-responding#create-followup-message
"""

GUILD_INSTALL = "0"
USER_INSTALL = "1"
"""Keys of ``authorizing_integration_owners`` (application integration types):
https://discord.com/developers/docs/resources/application#application-object-application-integration-types
"""


class InteractionContext(IntEnum):
    """Where an interaction was triggered (``context`` on the interaction):
    https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-interaction-context-types
    """

    GUILD = 0
    BOT_DM = 1
    PRIVATE_CHANNEL = 2


class InteractionType(IntEnum):
    """Interaction types Discord sends."""

    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    APPLICATION_COMMAND_AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class CallbackType(IntEnum):
    """Interaction callback (response) types the bot may send."""

    PONG = 1
    CHANNEL_MESSAGE_WITH_SOURCE = 4
    DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    APPLICATION_COMMAND_AUTOCOMPLETE_RESULT = 8
    MODAL = 9
    LAUNCH_ACTIVITY = 12


ResponseKind = Literal[
    "callback",
    "edit_original",
    "delete_original",
    "followup",
    "edit_followup",
    "delete_followup",
]


@dataclass
class InteractionResponse:
    """One accepted answer from the bot to an interaction.

    ``body`` is the JSON the bot sent (for callbacks the whole
    ``{"type", "data"}`` object, otherwise the message payload; for multipart
    requests the ``payload_json``).
    """

    kind: ResponseKind
    body: JSON
    at: float
    callback_type: CallbackType | None = None
    message_id: int | None = None
    files: list[Attachment] = field(default_factory=list)

    @property
    def data(self) -> JSON:
        """The message (or modal, or choices) payload, without the callback wrapper."""
        if self.kind == "callback":
            data = self.body.get("data")
            return data if isinstance(data, dict) else {}
        return self.body

    @property
    def content(self) -> str | None:
        """The message content sent, if any."""
        value = self.data.get("content")
        return value if isinstance(value, str) else None

    @property
    def embeds(self) -> list[JSON]:
        """The embeds sent (empty when none)."""
        value = self.data.get("embeds")
        return list(value) if isinstance(value, list) else []

    @property
    def components(self) -> list[JSON]:
        """The components sent (empty when none)."""
        value = self.data.get("components")
        return list(value) if isinstance(value, list) else []

    @property
    def flags(self) -> int:
        """Message flags sent (64 = ephemeral)."""
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        """Whether the bot asked for an ephemeral message."""
        return bool(self.flags & MESSAGE_FLAG_EPHEMERAL)

    @property
    def allowed_mentions(self) -> JSON | None:
        """The ``allowed_mentions`` object sent, or ``None`` when absent."""
        value = self.data.get("allowed_mentions")
        return value if isinstance(value, dict) else None


@dataclass
class Rejection:
    """A response attempt the fake refused (late, duplicate, invalid...)."""

    kind: ResponseKind
    status: int
    code: int
    message: str
    body: JSON
    at: float


@dataclass
class FakeInteraction:
    """A dispatched interaction: its identity, payload and the bot's answers."""

    id: int
    token: str
    type: InteractionType
    application_id: int
    guild_id: int | None
    channel_id: int
    user_id: int
    payload: JSON
    dispatched_at: float
    notifier: Notifier
    message_id: int | None = None
    #: The member lacked Use External Apps where only a user install reached the guild:
    #: Discord makes every response ephemeral (see ``FakeDiscord._dispatch_interaction``).
    forced_ephemeral: bool = False
    callback_type: CallbackType | None = None
    original_message_id: int | None = None
    responses: list[InteractionResponse] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    # ---------------------------------------------------------------- queries

    @property
    def authorizing_integration_owners(self) -> dict[str, str]:
        """Installation type ("0" guild, "1" user) -> the guild or user id that installed."""
        value = self.payload.get("authorizing_integration_owners")
        return dict(value) if isinstance(value, dict) else {}

    @property
    def context(self) -> InteractionContext:
        """Where the interaction was triggered (guild, the bot's DM, another private channel)."""
        return InteractionContext(int(self.payload.get("context", 0)))

    @property
    def user_install_only(self) -> bool:
        """Only a user install authorized it: the app isn't installed where it happened."""
        return set(self.authorizing_integration_owners) == {USER_INSTALL}

    @property
    def acknowledged(self) -> bool:
        """Whether a callback was accepted (reply, defer, update, modal, choices)."""
        return self.callback_type is not None

    @property
    def callback(self) -> InteractionResponse | None:
        """The accepted callback, if any."""
        return next((r for r in self.responses if r.kind == "callback"), None)

    @property
    def followups(self) -> list[InteractionResponse]:
        """Accepted follow-up messages, in order."""
        return [r for r in self.responses if r.kind == "followup"]

    @property
    def edits(self) -> list[InteractionResponse]:
        """Accepted edits of the original response, in order."""
        return [r for r in self.responses if r.kind == "edit_original"]

    @property
    def deferred(self) -> bool:
        """Whether the bot acknowledged with a defer (type 5 or 6)."""
        return self.callback_type in (
            CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
            CallbackType.DEFERRED_UPDATE_MESSAGE,
        )

    @property
    def modal(self) -> JSON | None:
        """The modal the bot opened (callback type 9), if it did."""
        cb = self.callback
        if cb is not None and cb.callback_type == CallbackType.MODAL:
            return cb.data
        return None

    @property
    def choices(self) -> list[JSON] | None:
        """Autocomplete choices the bot returned (callback type 8), if it did."""
        cb = self.callback
        if (
            cb is not None
            and cb.callback_type == CallbackType.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
        ):
            value = cb.data.get("choices")
            return list(value) if isinstance(value, list) else []
        return None

    @property
    def age(self) -> float:
        """Seconds since the interaction was dispatched."""
        return time.monotonic() - self.dispatched_at

    @property
    def response_window_open(self) -> bool:
        """Whether an initial response would still be accepted (3 s)."""
        return self.age <= INTERACTION_RESPONSE_WINDOW

    @property
    def token_valid(self) -> bool:
        """Whether follow-ups and edits would still be accepted (15 min)."""
        return self.age <= INTERACTION_TOKEN_LIFETIME

    # ---------------------------------------------------------------- waiting

    async def first_response(self, timeout: float = 5.0) -> InteractionResponse:
        """Wait for the accepted callback (reply, defer, update, modal or choices)."""
        result: InteractionResponse = await self.notifier.wait_for(
            lambda: self.callback, timeout, f"a response to interaction {self.id}"
        )
        return result

    async def wait_for_followups(
        self, n: int = 1, timeout: float = 5.0
    ) -> list[InteractionResponse]:
        """Wait until at least ``n`` follow-ups were accepted; return them all."""
        await self.notifier.wait_for(
            lambda: len(self.followups) >= n, timeout, f"{n} follow-up(s) to interaction {self.id}"
        )
        return self.followups

    async def wait_for_edit(self, n: int = 1, timeout: float = 5.0) -> InteractionResponse:
        """Wait for the ``n``-th edit of the original response and return it."""
        await self.notifier.wait_for(
            lambda: len(self.edits) >= n, timeout, f"edit #{n} of interaction {self.id}'s response"
        )
        return self.edits[n - 1]

    async def wait_for_rejection(self, timeout: float = 5.0) -> Rejection:
        """Wait for the fake to refuse a response attempt (e.g. 10062, 40060)."""
        result: Rejection = await self.notifier.wait_for(
            lambda: self.rejections[0] if self.rejections else None,
            timeout,
            f"a rejected response to interaction {self.id}",
        )
        return result

    async def wait_for(
        self, predicate: Callable[[FakeInteraction], bool], timeout: float = 5.0
    ) -> FakeInteraction:
        """Wait until ``predicate(self)`` holds (for anything the helpers don't cover)."""
        await self.notifier.wait_for(
            lambda: predicate(self), timeout, f"a condition on interaction {self.id}"
        )
        return self
