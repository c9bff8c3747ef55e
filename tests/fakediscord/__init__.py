"""A local fake Discord (REST API v10 + gateway) for end-to-end tests of the bot.

See :class:`FakeDiscord` for the test API and ``plugin.py`` for the fixtures.
"""

from .interactions import (
    CallbackType,
    FakeInteraction,
    InteractionResponse,
    InteractionType,
    Rejection,
)
from .recording import GatewayReceived, RecordedFile, RecordedRequest
from .server import DEFAULT_TOKEN, FakeDiscord
from .state import (
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    Permission,
    Role,
    User,
    World,
)
from .world import PracticeClub, build_practice_club

__all__ = [
    "DEFAULT_TOKEN",
    "Attachment",
    "CallbackType",
    "Channel",
    "ChannelType",
    "FakeDiscord",
    "FakeInteraction",
    "GatewayReceived",
    "Guild",
    "InteractionResponse",
    "InteractionType",
    "Member",
    "Message",
    "Permission",
    "PracticeClub",
    "RecordedFile",
    "RecordedRequest",
    "Rejection",
    "Role",
    "User",
    "World",
    "build_practice_club",
]
