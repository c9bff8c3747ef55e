"""Reading what a person pasted: message links, and forum tags as the poster's intent."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.advice import Intent
from bot.errors import Refusal

_LINK = re.compile(
    r"^<?https?://(?:(?:www|ptb|canary)\.)?discord(?:app)?\.com/channels/"
    r"(?P<guild>\d{1,21}|@me)/(?P<channel>\d{1,21})/(?P<message>\d{1,21})/?>?$"
)


@dataclass(frozen=True)
class MessageLink:
    guild_id: int | None
    channel_id: int
    message_id: int


class BadLink(Refusal, ValueError):
    """The text is not a link to one message in this server; the message says why."""


def parse_message_link(text: str, guild_id: int | None) -> MessageLink:
    """The message a ``/advise message_link`` points at, checked against this server."""
    match = _LINK.match(text.strip())
    if match is None:
        raise BadLink(
            "That isn't a message link. In Discord, open the message's menu, choose "
            "'Copy Message Link' and paste it here (or use Apps → Reply with care on it)."
        )
    linked_guild = None if match["guild"] == "@me" else int(match["guild"])
    if linked_guild != guild_id:
        raise BadLink("That message is in another server or a DM; link a message from this one.")
    return MessageLink(linked_guild, int(match["channel"]), int(match["message"]))


def intent_from_tags(
    tags: Iterable[str], sharing_tags: Iterable[str], details_tags: Iterable[str]
) -> Intent:
    """The poster's intent from the forum tags moderators mapped; UNKNOWN when none match.

    An explicit request for details wins over a sharing tag, as in the checker: a check
    that ignores a request for depth becomes the enemy of the person who asked.
    """
    applied = {t.strip().casefold() for t in tags}
    if applied & {t.strip().casefold() for t in details_tags}:
        return Intent.DETAILS
    if applied & {t.strip().casefold() for t in sharing_tags}:
        return Intent.SHARING
    return Intent.UNKNOWN


#: The draft form's answers to "what did the poster ask for?", in order.
STATED_INTENTS: tuple[tuple[str, str], ...] = (
    ("sharing", "Just sharing"),
    ("details", "Asked for details"),
    ("unsure", "Not sure"),
)


def stated_intent(value: str | None) -> str:
    """The form's answer as a context value: "sharing", "details", or "" (not sure)."""
    return value if value in (Intent.SHARING.value, Intent.DETAILS.value) else ""
