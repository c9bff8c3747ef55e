"""Plain data between the advice flow and its adapters: what was asked, what was decided.

Adapters (Discord, console) build a :class:`PostContext` from whatever they see and get
back :class:`Draft`, :class:`PostPlan` or :class:`WatchPlan`; none of these know about
Discord, so the rules can be tested and reused without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.advice import AdviceReport
from bot.errors import Refusal

#: The longest reply a draft may hold: a Discord modal field's limit, and within an
#: embed description (4,096), so a posted reply never has to be cut.
MAX_DRAFT_CHARS = 4000


class DraftStatus(StrEnum):
    """Where a draft is in its life. Every status keeps the text."""

    RECEIVED = "received"  # typed and stored, the check not finished yet
    DRAFT = "draft"  # shown to its writer, nothing decided yet
    POSTING = "posting"  # a post button was pressed; sending now (claimed, so no double post)
    POSTED = "posted"
    CANCELLED = "cancelled"  # kept: the writer can still edit it again
    WATCHED = "watched"  # watch mode saw it in a channel and nudged the writer
    HELD = "held"  # watch mode took it down after giving the writer the text by DM
    KEPT = "kept"  # watch mode wanted to hold it but could not reach the writer: left up


class Version(StrEnum):
    """Which text a post button publishes."""

    AS_WRITTEN = "as-written"
    GENTLER = "gentle"


class WatchAction(StrEnum):
    NONE = "none"
    NUDGE = "nudge"
    HOLD = "hold"


class FlowRefused(Refusal):
    """A request the flow turns down with a message the person should read (not a bug)."""


@dataclass(frozen=True)
class PostContext:
    """The post being answered, as the adapter found it.

    ``tags`` are the forum tags on the post's thread (names), if it lives in a forum.
    ``stated_intent`` is the writer's own answer to "what did they ask for?".
    ``bot_present`` is False where the bot is not a member of the server (a user
    install): see :mod:`bot.advice_flow.reach` for what changes there.
    """

    post_text: str
    guild_id: int | None = None
    channel_id: int | None = None
    parent_id: int | None = None
    post_message_id: int | None = None
    post_author_id: int | None = None
    tags: tuple[str, ...] = ()
    bot_present: bool = True
    #: What the writer said the poster wanted in the draft form ("sharing", "details"),
    #: or "" (not sure, or not asked). Forum tags a moderator mapped still win.
    stated_intent: str = ""


@dataclass(frozen=True)
class Draft:
    """A reply written through the flow, its check, and what happened to it."""

    id: int
    author_id: int
    context: PostContext
    text: str
    report: AdviceReport
    gentle_text: str
    gentle_source: str  # "checker" or "model"
    status: DraftStatus
    posted_message_id: int | None = None

    @property
    def flagged(self) -> bool:
        return self.report.flagged

    @property
    def offers_gentler(self) -> bool:
        """A gentler version worth a button: flagged, and actually different."""
        return self.report.flagged and self.gentle_text.strip() != self.text.strip()

    def published_as(self, reference_id: int | None, text: str) -> bool:
        """Whether a bot message replying to ``reference_id`` with ``text`` is this draft,
        published (as written or its gentler version): how a half-sent post is found."""
        if reference_id is None or reference_id != self.context.post_message_id:
            return False
        return text.strip() in (self.text.strip(), self.gentle_text.strip())

    @property
    def is_open(self) -> bool:
        """Still the writer's to post, edit or cancel."""
        return self.status in (DraftStatus.DRAFT, DraftStatus.CANCELLED, DraftStatus.HELD)


@dataclass(frozen=True)
class ReceivedDraft:
    """A stored text whose check did not finish (the process stopped): to check again."""

    id: int
    author_id: int
    context: PostContext
    text: str


@dataclass(frozen=True)
class PostPlan:
    """What to publish, where, and for whom: the adapter only has to send it."""

    draft_id: int
    author_id: int
    text: str
    version: Version
    guild_id: int | None
    channel_id: int | None
    post_message_id: int | None
    #: False: publish as the post button's interaction response (see reach.Delivery).
    bot_present: bool = True


@dataclass(frozen=True)
class WatchedReply:
    """A reply that appeared in a channel, as the listener saw it."""

    context: PostContext
    message_id: int
    author_id: int
    text: str
    author_is_bot: bool = False


@dataclass(frozen=True)
class WatchPlan:
    """What watch mode does about one reply.

    With ``HOLD`` the full ``draft.text`` must first reach the writer by DM; only then
    does :meth:`may_remove` allow removing the reply (``bot.advice_flow.watch`` runs it).
    ``stored`` is False for a dry run (the console's what-if): the draft was never saved.
    """

    action: WatchAction
    draft: Draft | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)
    stored: bool = True
    #: The checker's score, when the reply was checked.
    score: float | None = None

    def may_remove(self, dm_delivered: bool) -> bool:
        """The hold rule: remove the reply only once its full text reached its writer."""
        return self.action is WatchAction.HOLD and dm_delivered


@dataclass(frozen=True)
class FalseAlarm:
    """A report its writer marked as a mistake, for moderators to review."""

    guild_id: int | None
    user_id: int
    draft_id: int | None
    post_text: str
    reply_text: str
    score: float
    #: When the writer reported it; set by the store when read back.
    created_at: datetime | None = None
