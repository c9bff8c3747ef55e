"""The words of /ask feedback and care, shared by the Discord bot and the console."""

from __future__ import annotations

from bot.care import ServerPeople
from bot.guild_config.model import CareConfig
from bot.guild_config.render import Style

ANOTHER_LABEL = "Show another note"
UNHELPFUL_LABEL = "That didn't help"
SHARE_LABEL = "Post my question for support"

NO_MORE_NOTES = (
    "That was every note I have that fits this question; I'd rather not stretch an "
    "unrelated one to fit. You could ask again in your own words, with the situation "
    "you're in, or browse everything with /techniques."
)
UNHELPFUL_THANKS = (
    "Thanks for telling me; it's recorded so the notes and their ranking can get "
    "better. /techniques lets you browse every note by kind or tag, in case a "
    "different one fits."
)
NOT_FOUND = "I no longer have that answer, so I can't follow it up. Please ask again."
CARE_ONLY = "That reply points to people rather than notes, so there is no other note to show."
NOT_YOURS = "Only the person who asked can post their question."
NO_HELP_CHANNEL = (
    "This server no longer has a help channel set, so there is nowhere to post it. "
    "Talking to someone you trust here, directly, is still a good step."
)
SHARE_FAILED = (
    "I couldn't post in the help channel (it may be closed to me). Nothing was posted; "
    "you can try again, or reach out to someone you trust directly."
)
#: The footer under a shared question, naming who chose to post it.
SHARED_FOOTER = "Posted by {name} from /ask, at their request"


def already_shared(where: str) -> str:
    return f"Your question is already posted in {where}."


def shared_done(where: str) -> str:
    return f"Posted in {where}. People there can see it and reply; thank you for reaching out."


def share_heading(mentor_role: str | None) -> str:
    """The line above a shared question in the help channel."""
    if mentor_role:
        return f"{mentor_role}: someone here would welcome some support."
    return "Someone here would welcome some support."


def feedback_hint() -> str:
    """The console's line under an answer: what can be said about it."""
    return "Not what you needed? 'another' shows the next note; 'unhelpful' tells us."


def mention(value: int, kind: str, style: Style) -> str:
    if style == "plain":
        return f"{kind} {value}"
    return f"<#{value}>" if kind == "channel" else f"<@&{value}>"


def server_people(config: CareConfig, style: Style) -> ServerPeople:
    """The server's help channel and mentor role as the reply names them."""
    return ServerPeople(
        help_channel=(
            mention(config.help_channel_id, "channel", style) if config.help_channel_id else None
        ),
        mentor_role=(
            mention(config.mentor_role_id, "role", style) if config.mentor_role_id else None
        ),
    )
