"""Accountability pairs: members who want a practice partner are matched by time zone
and skill, introduced in a private thread, and asked each week what they practised.

Opt-in on both sides, and either side can leave at any time: the other is told kindly
by DM and may ask for a new partner. Every post goes through the outbox under a key
derived from the pair (``club.pair.intro:7``, ``club.pair.week:7:3``,
``club.pair.left:7``), so shard processes and restarts post each one once; the private
thread's id is recorded the moment it opens, so a retried introduction never opens a
second one. Those keys are only the pair's own because a pair's row, and so its id, is
never deleted: erasing a partner's data replaces their id in it with ERASED.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.club.model import Club, ClubStatus
from bot.club.social_model import Pair, PairRequest, PairStatus
from bot.club.social_store import SocialStore
from bot.club.store import ClubRepository
from bot.coaching.timeparse import InputProblem, parse_timezone
from bot.scheduling import DeliveryResult, Outbox, OutboxItem, OutgoingMessage
from bot.text_input import trim

INTRO = "club.pair.intro"
WEEKLY = "club.pair.week"
LEFT = "club.pair.left"
CHANNEL_POST = 0
#: A partner's id in the pair's row once they erased their data (bot.privacy).
ERASED = 0
#: Partners further apart than this rarely share a waking hour to practise or reply.
MAX_HOURS_APART = 3
WEEK = timedelta(days=7)
MAX_SKILL = 80

#: A member's own time zone if they set one up for coaching (None otherwise).
TimezoneOf = Callable[[int], Awaitable[str | None]]


def hours_apart(first: str, second: str, at: datetime) -> float:
    a = at.astimezone(ZoneInfo(first)).utcoffset() or timedelta()
    b = at.astimezone(ZoneInfo(second)).utcoffset() or timedelta()
    return abs((a - b).total_seconds()) / 3600


def thread_name(pair: Pair) -> str:
    """Unique to the pair, so a retried introduction that must look for the thread it
    may have opened before a crash can never take another pair's for its own."""
    return f"Practice partners · pair {pair.id}"


def best_partner(me: PairRequest, waiting: list[PairRequest], at: datetime) -> PairRequest | None:
    """The waiting member closest to ``me``: the same skill first, then the nearest time
    zone, then whoever has waited longest; nobody more than MAX_HOURS_APART away."""
    candidates = [
        other
        for other in waiting
        if other.user_id != me.user_id
        and hours_apart(me.timezone, other.timezone, at) <= MAX_HOURS_APART
    ]
    if not candidates:
        return None

    def score(other: PairRequest) -> tuple[int, float, datetime]:
        same_skill = bool(me.skill) and me.skill.casefold() == other.skill.casefold()
        return (0 if same_skill else 1, hours_apart(me.timezone, other.timezone, at), other.at)

    return min(candidates, key=score)


@dataclass
class PairService:
    clubs: ClubRepository
    store: SocialStore
    outbox: Outbox
    clock: Clock
    timezone_of: TimezoneOf

    def __post_init__(self) -> None:
        kinds = self.outbox.kinds
        kinds.register(INTRO, self._render_intro, self._after_intro, self._intro_posted)
        kinds.register(WEEKLY, self._render_weekly, self._after_weekly)
        kinds.register(LEFT, self._render_left)

    async def _club(self, guild_id: int) -> Club:
        club = await self.clubs.club(guild_id)
        if club is None or club.status is not ClubStatus.ACTIVE:
            raise InputProblem("Pairs belong to a running practice club; none is running here.")
        return club

    async def request(
        self,
        guild_id: int,
        user_id: int,
        *,
        channel_id: int,
        skill: str = "",
        timezone: str | None = None,
    ) -> str:
        """Put the member on the partner list, and pair them at once if someone fits."""
        club = await self._club(guild_id)
        if await self.store.active_pair_of(club.id, user_id) is not None:
            raise InputProblem("You already have a practice partner; /club pair leave ends it.")
        zone = parse_timezone(timezone) if timezone else None
        zone = zone or await self.timezone_of(user_id) or club.timezone
        cleaned = trim(skill)[:MAX_SKILL]
        now = self.clock.now()
        me = PairRequest(club.id, user_id, zone, cleaned, channel_id, now)
        await self.store.save_request(me)
        partner = best_partner(me, await self.store.requests(club.id), now)
        if partner is not None:
            shared = partner.skill if cleaned.casefold() == partner.skill.casefold() else ""
            pair = await self.store.form_pair(partner, me, shared, now)
            if pair is not None:
                await self._schedule_intro(pair)
                return (
                    "You have a practice partner! A private thread for the two of you opens "
                    "in a moment; each week it asks what you practised. "
                    "/club pair leave ends it at any time."
                )
        return (
            f"You're on the partner list ({zone}"
            + (f", {cleaned}" if cleaned else "")
            + "). You'll be introduced in a private thread when someone close to your "
            "time zone asks too. /club pair leave takes you off it."
        )

    async def leave(self, guild_id: int, user_id: int) -> str:
        club = await self._club(guild_id)
        pair = await self.store.active_pair_of(club.id, user_id)
        if pair is None:
            if await self.store.drop_request(club.id, user_id):
                return "You're off the partner list."
            raise InputProblem("You have no practice partner and aren't on the list.")
        await self._end(pair, user_id)
        return (
            "You've left the pair; your partner will get a kind note (no reasons given). "
            "/club pair find looks for a new partner whenever you like."
        )

    async def member_erased(self, user_id: int) -> None:
        """Before ``/mydata delete`` erases a member, each pair they are in ends exactly
        as if they had left, so the partner is told. (A pair formed after this ran and
        before the erasure is ended by its first outbox item: see :meth:`_active`.)"""
        for pair in await self.store.active_pairs_of(user_id):
            await self._end(pair, user_id)

    async def _end(self, pair: Pair, leaving: int) -> None:
        """End the pair and schedule the kind note to the other partner. Only the call
        that ended it schedules (a second leave, or an erasure racing a leave, adds
        nothing), and the key is the pair's, so the note comes once. Nobody is told
        when the other side was erased too."""
        if await self.store.end_pair(pair.id, self.clock.now()) and pair.other(leaving) != ERASED:
            await self.outbox.schedule(
                pair.other(leaving),
                LEFT,
                self.clock.now(),
                {"pair": pair.id},
                key=f"{LEFT}:{pair.id}",
                unsolicited=False,
            )

    async def ensure_schedules(self) -> int:
        """Every active pair has its introduction and next weekly prompt (idempotent)."""
        pairs = await self.store.active_pairs()
        for pair in pairs:
            if pair.thread_id is None:
                await self._schedule_intro(pair)
            else:
                await self._schedule_week(pair)
        return len(pairs)

    async def _schedule_intro(self, pair: Pair) -> None:
        await self.outbox.schedule(
            CHANNEL_POST,
            INTRO,
            self.clock.now(),
            {"pair": pair.id},
            key=f"{INTRO}:{pair.id}",
            unsolicited=False,
        )

    async def _schedule_week(self, pair: Pair) -> None:
        """The next weekly prompt after now, counted in weeks since the pair formed."""
        weeks = int((self.clock.now() - pair.formed_at) / WEEK) + 1
        await self.outbox.schedule(
            CHANNEL_POST,
            WEEKLY,
            pair.formed_at + weeks * WEEK,
            {"pair": pair.id, "week": weeks},
            key=f"{WEEKLY}:{pair.id}:{weeks}",
            unsolicited=False,
        )

    async def _active(self, item: OutboxItem) -> Pair | None:
        """The item's pair while it stands. One still active with an erased member
        formed while that member was being erased, after :meth:`member_erased` ran: it
        ends here, and the partner gets the kind note instead of a post to nobody."""
        pair = await self.store.pair(int(item.payload["pair"]))
        if pair is None or pair.status is not PairStatus.ACTIVE:
            return None
        if ERASED in (pair.first_user_id, pair.second_user_id):
            await self._end(pair, ERASED)
            return None
        return pair

    async def _render_intro(self, item: OutboxItem) -> OutgoingMessage | None:
        pair = await self._active(item)
        if pair is None:
            return None
        skill = f" Both of you named {pair.skill}." if pair.skill else ""
        return OutgoingMessage(
            title="Practice partners",
            text=(
                f"<@{pair.first_user_id}> and <@{pair.second_user_id}>: you both asked for a "
                f"practice partner, and your time zones are close.{skill}\n\n"
                "A good start: tell each other what you're practising and when, and one "
                "thing you'd like the other to ask you about. Every week this thread asks "
                "what you practised. Either of you can leave at any time with "
                "/club pair leave; no explanation needed."
            ),
            channel_id=pair.channel_id,
            thread_name=thread_name(pair),
            private_members=(pair.first_user_id, pair.second_user_id),
            existing_thread_id=pair.thread_id,
        )

    async def _intro_posted(self, item: OutboxItem, thread_id: int) -> None:
        """Called as soon as the thread exists (before its members or the introduction)
        and again once sent: a retry of a cut-off introduction reuses the thread."""
        await self.store.set_pair_thread(int(item.payload["pair"]), thread_id)

    async def _after_intro(self, item: OutboxItem, result: DeliveryResult | None) -> None:
        pair = await self._active(item)
        if pair is not None and result is DeliveryResult.SENT:
            await self._schedule_week(pair)

    async def _render_weekly(self, item: OutboxItem) -> OutgoingMessage | None:
        pair = await self._active(item)
        if pair is None or pair.thread_id is None:
            return None
        return OutgoingMessage(
            title=f"Week {item.payload['week']} together",
            text=(
                "What did you each practise this week? A line is plenty: what you worked "
                "on, roughly how long, and one thing you noticed. Then ask your partner "
                "about theirs."
            ),
            channel_id=pair.thread_id,
        )

    async def _after_weekly(self, item: OutboxItem, result: DeliveryResult | None) -> None:
        pair = await self._active(item)
        if pair is not None:
            await self._schedule_week(pair)

    async def _render_left(self, item: OutboxItem) -> OutgoingMessage | None:
        """The note names no one and needs nothing from the pair's row, which no longer
        says who the partner was when they left by erasing their data. (Should the
        recipient erase theirs too, erasure deletes this item with their other outbox
        rows.)"""
        return OutgoingMessage(
            title="Your practice pair",
            text=(
                "Your practice partner has stepped away from your pair. That happens: "
                "lives get busy, and it says nothing about you or your practice. Thank you "
                "for showing up for each other. Whenever you like, /club pair find looks for "
                "a new partner."
            ),
        )
