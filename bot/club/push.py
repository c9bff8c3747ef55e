"""The club push: a moderator starts a shared 20-hour (or custom) practice push with an
end date; members join, and their logged minutes fill one progress bar in the push's
thread.

The bar is one message edited in place, and at most once per UPDATE_EVERY: each logged
session schedules the edit for the end of the current window under a key naming that
window (``club.push.bar:7:NNN``), so a burst of logs (in any process) is one edit,
within Discord's rate limits. The goal's announcement, the end and its reflection
prompt (built from the extended-practice-push note's steps) are each keyed once.
The push ends once its end post is recorded as sent, so a send that failed for a moment
is retried and still posts; an end that every process missed (down past the outbox's
grace window) still comes, late, once: see :meth:`PushService._wind_up`.
The bar and every post count people, never name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.clock import Clock
from bot.club.digest import PracticeSource
from bot.club.model import Club, ClubStatus
from bot.club.social_model import Push, PushProgress, PushStatus
from bot.club.social_store import SocialStore
from bot.club.store import ClubRepository
from bot.coaching import prompts as prompt_tools
from bot.coaching.timeparse import InputProblem, local_date, local_moment, parse_date
from bot.guild_config import GuildConfigService
from bot.permissions import MemberFacts, Privilege, require
from bot.scheduling import DeliveryResult, ItemStatus, Outbox, OutboxItem, OutgoingMessage
from bot.wording import plural

OPEN = "club.push.open"
BAR = "club.push.bar"
GOAL = "club.push.goal"
END = "club.push.end"
CHANNEL_POST = 0
PUSH_NOTE_ID = "extended-practice-push"
DEFAULT_HOURS = 20
MAX_HOURS = 200
MAX_DAYS = 90
#: The bar is edited at most this often (Discord rate-limits edits; so do readers).
UPDATE_EVERY = timedelta(minutes=5)
BAR_WIDTH = 20
#: Past its end by this much, a push still marked running is over (its end was missed).
STALE_AFTER = timedelta(days=1)
#: How an end item finished without posting, unless a send was attempted (it may then
#: have arrived, or failed for good: either way it is not posted again).
MISSED = (ItemStatus.SKIPPED, ItemStatus.FAILED, ItemStatus.CANCELLED)
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def progress_bar(progress: PushProgress) -> str:
    filled = min(BAR_WIDTH, BAR_WIDTH * progress.minutes // max(1, progress.goal_minutes))
    return "▓" * filled + "░" * (BAR_WIDTH - filled)


def next_window(now: datetime) -> tuple[int, datetime]:
    """The index and start of the next UPDATE_EVERY window after ``now``."""
    index = int((now - EPOCH) / UPDATE_EVERY) + 1
    return index, EPOCH + index * UPDATE_EVERY


@dataclass
class PushService:
    clubs: ClubRepository
    store: SocialStore
    outbox: Outbox
    clock: Clock
    guild_config: GuildConfigService
    practice: PracticeSource

    def __post_init__(self) -> None:
        kinds = self.outbox.kinds
        kinds.register(OPEN, self._render_open, posted=self._opened)
        kinds.register(BAR, self._render_bar)
        kinds.register(GOAL, self._render_goal)
        kinds.register(END, self._render_end, self._after_end)

    async def _club(self, guild_id: int) -> Club:
        club = await self.clubs.club(guild_id)
        if club is None or club.status is not ClubStatus.ACTIVE:
            raise InputProblem("A push belongs to a running practice club; none is running here.")
        return club

    async def start(
        self, facts: MemberFacts, *, hours: int = DEFAULT_HOURS, ends: str = "14 days"
    ) -> str:
        """Start the club's push (moderators); one at a time."""
        roles = (
            (await self.guild_config.get(facts.guild_id)).moderator_role_ids
            if facts.guild_id is not None
            else []
        )
        require(facts, Privilege.MODERATOR, roles)
        club = await self._club(facts.guild_id or 0)
        if not 1 <= hours <= MAX_HOURS:
            raise InputProblem(f"A push aims for 1 to {MAX_HOURS} hours.")
        now = self.clock.now()
        today = local_date(now, club.timezone)
        last_day = parse_date(ends, today)
        if not today <= last_day <= today + timedelta(days=MAX_DAYS):
            raise InputProblem(f"A push ends between today and {MAX_DAYS} days from now.")
        ends_at = local_moment(last_day + timedelta(days=1), "00:00", club.timezone)
        draft = Push(0, club.id, hours * 60, now, ends_at, today, last_day, club.channel_id,
                     club.in_forum, None, PushStatus.ACTIVE, None)  # fmt: skip
        await self._current(club.id)  # ends one whose end passed while no process ran
        push = await self.store.start_push(draft, facts.user_id)
        if push is None:
            raise InputProblem("The club already has a push running; it ends on its date.")
        await self.outbox.schedule(
            CHANNEL_POST, OPEN, now, {"push": push.id}, key=f"{OPEN}:{push.id}", unsolicited=False
        )
        await self._schedule_end(push)
        return (
            f"The club push is on: {plural(hours, 'hour')} together by {last_day:%A %d %B}. "
            "Members join with /club push join; their logged practice fills the bar."
        )

    async def stop(self, facts: MemberFacts) -> str:
        """End the running push now (moderators): the reflection prompt still comes."""
        roles = (await self.guild_config.get(facts.guild_id or 0)).moderator_role_ids
        require(facts, Privilege.MODERATOR, roles)
        push = await self._current((await self._club(facts.guild_id or 0)).id)
        if push is None:
            raise InputProblem("No push is running.")
        await self.store.set_push(push.id, ends_at=self.clock.now())
        await self._schedule_end(await self._fresh(push.id))
        return "The push ends now; its thread gets the final bar and a reflection prompt."

    async def join(self, guild_id: int, user_id: int) -> str:
        club = await self._club(guild_id)
        push = await self._current(club.id)
        if push is None:
            raise InputProblem("No push is running; a moderator starts one with /club push start.")
        await self.store.join_push(push.id, user_id, self.clock.now())
        await self._schedule_bar(push)
        progress = await self.progress(push)
        return (
            f"You're in. Your practice from {push.first_day:%d %B} to {push.last_day:%d %B} "
            f"counts toward the club's {plural(progress.goal_minutes // 60, 'hour')} "
            f"({progress.minutes / 60:.1f} h so far); only the total is shown, never who "
            "logged what. Log sessions with /practice log."
        )

    async def practice_logged(self, user_id: int, minutes: int) -> None:
        """A member logged practice: the bar of every push they joined gets an update."""
        for push in await self.store.pushes_joined(user_id):
            await self._schedule_bar(push)

    async def progress(self, push: Push) -> PushProgress:
        members = await self.store.push_members(push.id)
        total = 0
        for user_id in members:
            for log in await self.practice.minutes(user_id, push.first_day, push.last_day):
                total += log.minutes
        return PushProgress(total, push.goal_minutes, len(members))

    async def status(self, guild_id: int) -> str:
        club = await self._club(guild_id)
        push = await self._current(club.id)
        if push is None:
            return "No push is running."
        return self._bar_text(push, await self.progress(push))

    async def ensure_schedules(self) -> int:
        """Every running push has its end scheduled; one whose end item finished while
        it kept running (a crash before :meth:`_after_end` ran) is wound up."""
        pushes = await self.store.running_pushes()
        for push in pushes:
            await self._schedule_end(push)
            await self._wind_up(push)
        return len(pushes)

    # --- scheduling -------------------------------------------------------------------

    async def _current(self, club_id: int) -> Push | None:
        """The running push. One past its end whose end item finished is wound up
        here, so it never blocks the next push. One still running a day after its end
        (no scheduler handled its end item) has that item cancelled first, so that only
        the late one can post it. One whose end item is pending, or being sent right
        now, is left to it."""
        push = await self.store.running_push(club_id)
        now = self.clock.now()
        if push is None or now < push.ends_at:
            return push
        if now > push.ends_at + STALE_AFTER:
            await self.outbox.cancel(f"{END}:{push.id}")
        if not await self._wind_up(push):
            return push
        await self.store.end_push(push.id)
        return None

    async def _wind_up(self, push: Push) -> bool:
        """Settle a push whose on-time end item is finished: False while that item may
        still post. Sent: the post is out and only the step marking the push ended was
        lost (a crash before :meth:`_after_end`), so it ends now. Finished after a send
        was attempted: it may have arrived (or failed for good), so it ends without
        another post, as an outbox item is sent at most once. Finished without any
        attempt (missed past the grace window, cancelled, or its render failed): it
        never posted and never will, so the late end, scheduled here, is the only one."""
        found = await self.outbox.get(f"{END}:{push.id}")
        if found is None or found[1] not in (ItemStatus.SENT, *MISSED):
            return False
        item, status = found
        if status == ItemStatus.SENT or item.uncertain:
            await self.store.end_push(push.id)
            return True
        fresh = await self.store.push(push.id)
        if fresh is None or fresh.status is not PushStatus.ACTIVE:
            return True  # ended already, and only ever after its late end was scheduled
        await self.outbox.schedule(
            CHANNEL_POST,
            END,
            self.clock.now(),
            {"push": push.id, "late": True},
            key=f"{END}:{push.id}:late",
            unsolicited=False,
        )
        return True

    async def _fresh(self, push_id: int) -> Push:
        push = await self.store.push(push_id)
        if push is None:
            raise InputProblem("That push no longer exists.")
        return push

    async def _schedule_end(self, push: Push) -> None:
        await self.outbox.schedule(
            CHANNEL_POST,
            END,
            push.ends_at,
            {"push": push.id},
            key=f"{END}:{push.id}",
            unsolicited=False,
        )

    async def _schedule_bar(self, push: Push) -> None:
        index, due = next_window(self.clock.now())
        await self.outbox.schedule(
            CHANNEL_POST,
            BAR,
            min(due, push.ends_at),
            {"push": push.id},
            key=f"{BAR}:{push.id}:{index}",
            unsolicited=False,
        )

    # --- rendering --------------------------------------------------------------------

    def _bar_text(self, push: Push, progress: PushProgress) -> str:
        status = "Goal reached!" if progress.reached else f"{progress.percent}%"
        return (
            f"`{progress_bar(progress)}` {progress.minutes / 60:.1f} / "
            f"{push.goal_minutes // 60} h · {status}\n"
            f"{plural(progress.members, 'member')} in · counts practice logged "
            f"{push.first_day:%d %b} to {push.last_day:%d %b} · join with /club push join"
        )

    async def _item_push(self, item: OutboxItem) -> Push | None:
        return await self.store.push(int(item.payload["push"]))

    async def _render_open(self, item: OutboxItem) -> OutgoingMessage | None:
        push = await self._item_push(item)
        if push is None or push.status is not PushStatus.ACTIVE:
            return None
        return OutgoingMessage(
            title=f"Club push · {plural(push.goal_minutes // 60, 'hour')} by {push.last_day:%d %B}",
            text=self._bar_text(push, await self.progress(push)),
            channel_id=push.channel_id,
            thread_name=f"Club push · {push.goal_minutes // 60} h by {push.last_day:%d %b}",
        )

    async def _opened(self, item: OutboxItem, thread_id: int) -> None:
        await self.store.set_push(int(item.payload["push"]), thread_id=thread_id)

    def _bar_place(self, push: Push) -> tuple[int, int] | None:
        """Where the bar (the thread's first message) lives: its channel and id. A forum
        post's first message is in the thread; a text channel's is in the channel, and
        either way it has the thread's id."""
        if push.thread_id is None:
            return None
        return (push.thread_id if push.in_forum else push.channel_id, push.thread_id)

    async def _render_bar(self, item: OutboxItem) -> OutgoingMessage | None:
        push = await self._item_push(item)
        place = self._bar_place(push) if push is not None else None
        if push is None or place is None or push.status is not PushStatus.ACTIVE:
            return None
        progress = await self.progress(push)
        if progress.reached and await self.store.mark_reached(push.id, self.clock.now()):
            await self.outbox.schedule(
                CHANNEL_POST,
                GOAL,
                self.clock.now(),
                {"push": push.id},
                key=f"{GOAL}:{push.id}",
                unsolicited=False,
            )
        return OutgoingMessage(
            title=f"Club push · {plural(push.goal_minutes // 60, 'hour')} by {push.last_day:%d %B}",
            text=self._bar_text(push, progress),
            channel_id=place[0],
            edit_message_id=place[1],
        )

    async def _render_goal(self, item: OutboxItem) -> OutgoingMessage | None:
        push = await self._item_push(item)
        if push is None or push.thread_id is None:
            return None
        progress = await self.progress(push)
        return OutgoingMessage(
            title="The club reached its goal",
            text=(
                f"{progress.minutes / 60:.1f} hours of practice together, from "
                f"{plural(progress.members, 'member')}: the {push.goal_minutes // 60}-hour goal "
                f"is reached before {push.last_day:%d %B}. The push runs to its end date; "
                "every extra session still counts."
            ),
            channel_id=push.thread_id,
        )

    async def _after_end(self, item: OutboxItem, result: DeliveryResult | None) -> None:
        """The on-time end item's attempt is recorded: once sent, the push ends; if it
        was skipped because every process was down past the outbox's grace window, the
        end comes late rather than never. One released for a retry is left to it."""
        if item.payload.get("late"):
            return
        push = await self._item_push(item)
        if push is not None:
            await self._wind_up(push)

    async def _render_end(self, item: OutboxItem) -> OutgoingMessage | None:
        """The end post. The on-time one leaves the push running until it is recorded
        as sent (:meth:`_after_end`): ending it here would turn a retry after a failed
        send into "nothing to send". It renders only while the push runs, since a push
        ended otherwise had its end posted (or its late end scheduled) already. The
        late one renders even if the push has ended meanwhile (a command found it a day
        overdue), and ends it at once: it is only scheduled once the on-time item can
        no longer post, and its own key keeps it single."""
        push = await self._item_push(item)
        late = bool(item.payload.get("late"))
        if push is None or (push.status is not PushStatus.ACTIVE and not late):
            return None
        if late:
            await self.store.end_push(push.id)
        progress = await self.progress(push)
        steps = await prompt_tools.note_steps(PUSH_NOTE_ID)
        questions = reflection_questions(steps)
        outcome = (
            f"The push reached its goal: {progress.minutes / 60:.1f} of "
            f"{push.goal_minutes // 60} hours."
            if progress.reached
            else f"Together: {progress.minutes / 60:.1f} of {push.goal_minutes // 60} hours. "
            "Every hour of it is practice that happened."
        )
        if late:
            outcome = (
                f"(A little late: the push ran to {push.last_day:%A %d %B}, and Touchstone "
                f"was offline when it ended.) {outcome}"
            )
        return OutgoingMessage(
            title="Club push · the end, and a reflection",
            text=(
                f"{outcome}\n\nA reflection, from the extended practice push's steps "
                "(answer here, or just for yourself):\n"
                + "\n".join(f"{n}. {q}" for n, q in enumerate(questions, 1))
            ),
            channel_id=push.thread_id or push.channel_id,
        )


def reflection_questions(steps: tuple[str, ...]) -> list[str]:
    """The push note's steps turned back on the push: each earlier step asks how it
    went, and the note's last step (rerun the test, write what you learned) closes."""
    if not steps:
        return ["What did you learn about how you in particular improve?"]
    *earlier, last = steps
    return [f"{step.rstrip('.')}: how did that go?" for step in earlier] + [last]
