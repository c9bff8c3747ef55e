"""The practice club: moderators start it, members check in, the club posts a digest.

Every post goes through the stored outbox under a key derived from the check-in's id
(``club.open:7``, ``club.digest:7``, ``club.remind:7:USER``), and a check-in row is
unique per club and period: two shard processes or a restart can never post a thread,
digest or reminder twice. Each sent opening schedules what follows it (the digest,
reminders, the next opening); :meth:`ClubService.ensure_schedules` re-creates them at
start-up in case a crash came in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.club import calendar
from bot.club.digest import PracticeSource, build_digest, digest_text, starting_point
from bot.club.model import (
    Cadence,
    CheckIn,
    CheckInForm,
    CheckInStatus,
    Club,
    ClubSetup,
    ClubStatus,
    Digest,
    Entry,
    Via,
)
from bot.club.store import ClubRepository
from bot.coaching import prompts as prompt_tools
from bot.coaching.timeparse import InputProblem, parse_local_time, parse_timezone
from bot.guild_config import GuildConfig, GuildConfigService
from bot.permissions import MemberFacts, Privilege, require
from bot.rendering.club_chart import render_club_chart
from bot.scheduling import (
    Action,
    Attachment,
    DeliveryResult,
    Outbox,
    OutboxItem,
    OutgoingMessage,
)
from bot.text_input import EMPTY_TEXT_MESSAGE, has_visible_text, trim

OPEN = "club.open"
DIGEST = "club.digest"
REMIND = "club.remind"
CHECK_IN_ACTION = "club.checkin"
#: Club posts go to a channel, not a person: no one's DM cap or erasure touches them.
CHANNEL_POST = 0
MAX_ANSWERS = 3500
MAX_CHANGE = 300
MAX_OPEN_DAYS = {Cadence.MONTHLY: 14, Cadence.WEEKLY: 6}
DEFAULT_OPEN_DAYS = {Cadence.MONTHLY: 3, Cadence.WEEKLY: 2}


@dataclass
class ClubService:
    store: ClubRepository
    outbox: Outbox
    clock: Clock
    #: The check-in questions (``club.check_in_questions``) and who moderates.
    guild_config: GuildConfigService
    #: Members' practice logs: the private starting point and the shared hours.
    practice: PracticeSource

    def __post_init__(self) -> None:
        kinds = self.outbox.kinds
        kinds.register(OPEN, self._render_open, self._after_open, self._thread_opened)
        kinds.register(DIGEST, self._render_digest)
        kinds.register(REMIND, self._render_reminder)

    # --- moderators ---------------------------------------------------------------------

    async def _require_moderator(self, facts: MemberFacts) -> int:
        roles = (
            (await self.guild_config.get(facts.guild_id)).moderator_role_ids
            if facts.guild_id is not None
            else []
        )
        require(facts, Privilege.MODERATOR, roles)
        assert facts.guild_id is not None  # require() refuses outside a server
        return facts.guild_id

    async def start(
        self,
        facts: MemberFacts,
        *,
        channel_id: int,
        in_forum: bool,
        timezone: str,
        cadence: str = "monthly",
        day: str | None = None,
        local_time: str = "19:00",
        open_days: int | None = None,
    ) -> str:
        """Start the club (or change its settings, or resume it after a pause)."""
        guild_id = await self._require_moderator(facts)
        try:
            kind = Cadence(cadence.strip().lower())
        except ValueError:
            raise InputProblem("The cadence is monthly or weekly.") from None
        days_open = open_days if open_days is not None else DEFAULT_OPEN_DAYS[kind]
        if not 1 <= days_open <= MAX_OPEN_DAYS[kind]:
            raise InputProblem(
                f"A {kind.value} check-in stays open 1 to {MAX_OPEN_DAYS[kind]} days."
            )
        setup = ClubSetup(
            channel_id=channel_id,
            in_forum=in_forum,
            cadence=kind,
            day=calendar.parse_day(day or ("1" if kind is Cadence.MONTHLY else "mon"), kind),
            local_time=parse_local_time(local_time),
            timezone=parse_timezone(timezone),
            open_days=days_open,
        )
        await self._cancel_scheduled(await self.store.club(guild_id))
        club = await self.store.save_club(guild_id, setup, facts.user_id, self.clock.now())
        upcoming = await self._schedule_next(club)
        return (
            f"The practice club is on: check-ins {calendar.describe(club)}. "
            f"The first opens {self._local(club, upcoming.opens_at)} {upcoming.opens_at.year} "
            f"({club.timezone})."
        )

    async def pause(self, facts: MemberFacts) -> str:
        club = await self._club(await self._require_moderator(facts))
        await self._cancel_scheduled(club)
        await self.store.set_status(club.id, ClubStatus.PAUSED, self.clock.now())
        return (
            "The practice club is paused: no new check-ins until /club start resumes it. "
            "A check-in already open still closes with its digest."
        )

    async def end(self, facts: MemberFacts) -> str:
        club = await self._club(await self._require_moderator(facts))
        await self._cancel_scheduled(club)
        await self.store.set_status(club.id, ClubStatus.ENDED, self.clock.now())
        return "The practice club has ended. Members' check-ins stay theirs (/mydata)."

    async def status(self, guild_id: int) -> str:
        club = await self.store.club(guild_id)
        if club is None:
            return "This server has no practice club yet; a moderator starts one with /club start."
        lines = [f"Practice club ({club.status.value}): check-ins {calendar.describe(club)}."]
        for check_in in await self.store.check_ins(club.id, CheckInStatus.OPEN):
            lines.append(f"Open now, until {self._local(club, check_in.closes_at)}.")
        for check_in in await self.store.check_ins(club.id, CheckInStatus.SCHEDULED):
            if club.status is ClubStatus.ACTIVE:
                lines.append(f"Next check-in: {self._local(club, check_in.opens_at)}.")
        return "\n".join(lines[:3])

    async def questions(self, guild_id: int) -> list[str]:
        """The server's check-in questions, or the monthly-practice-check-in note's."""
        configured = (await self.guild_config.get(guild_id)).club.check_in_questions
        if configured:
            return list(configured)
        return list(await prompt_tools.note_steps(prompt_tools.CHECK_IN_NOTE_ID))

    async def set_questions(self, facts: MemberFacts, lines: list[str]) -> list[str]:
        """Replace the questions (empty: back to the note's); audited like every setting."""
        guild_id = await self._require_moderator(facts)
        cleaned = prompt_tools.clean_prompts(lines)

        def change(config: GuildConfig) -> GuildConfig:
            updated = config.model_copy(deep=True)
            updated.club.check_in_questions = cleaned
            return updated

        await self.guild_config.update(guild_id, change, facts.user_id)
        return await self.questions(guild_id)

    # --- members ------------------------------------------------------------------------

    async def open_check_in(self, guild_id: int) -> CheckIn:
        club = await self._club(guild_id)
        opened = await self.store.check_ins(club.id, CheckInStatus.OPEN)
        if not opened:
            raise InputProblem(
                "No check-in is open right now; /club status says when the next one is."
            )
        return opened[-1]

    async def form(self, user_id: int, check_in_id: int) -> CheckInForm:
        """The check-in form as this member should see it: their earlier answers, or the
        questions with their own practice log as a private starting point."""
        check_in = await self._open(check_in_id)
        start = await starting_point(self.practice, user_id, check_in)
        entry = await self.store.entry(check_in.id, user_id)
        if entry is not None and entry.via is Via.FORM:
            answers = entry.answers
        else:
            first, *rest = check_in.questions or ("How did it go?",)
            earlier = f"\n\n(In the thread you wrote:) {entry.answers}" if entry else ""
            answers = (
                f"{first}\n{start}\n\n" + "".join(f"{q}\n\n" for q in rest) + earlier
            ).strip()
        return CheckInForm(
            check_in_id=check_in.id,
            questions=check_in.questions,
            starting_point=start,
            answers=answers[:MAX_ANSWERS],
            change=(entry.change or "") if entry else "",
            share_hours=entry.share_hours if entry else False,
            quote_change=entry.quote_change if entry else False,
        )

    async def submit(
        self,
        user_id: int,
        check_in_id: int,
        *,
        answers: str,
        change: str | None,
        share_hours: bool,
        quote_change: bool,
    ) -> str:
        """Store a check-in from the form. Nothing is posted: the digest shows the hours
        and the change only when ``share_hours`` / ``quote_change`` say so."""
        check_in = await self._open(check_in_id)
        if not has_visible_text(answers):
            raise InputProblem(EMPTY_TEXT_MESSAGE)
        if len(answers) > MAX_ANSWERS:
            raise InputProblem(f"Keep the answers under {MAX_ANSWERS} characters.")
        cleaned_change = trim(change) if change and has_visible_text(change) else None
        if cleaned_change and len(cleaned_change) > MAX_CHANGE:
            raise InputProblem(f"Keep the one change under {MAX_CHANGE} characters.")
        entry = Entry(
            check_in.id,
            user_id,
            trim(answers),
            cleaned_change,
            share_hours,
            quote_change and cleaned_change is not None,
            Via.FORM,
        )
        await self.store.save_entry(entry, self.clock.now())
        shown = []
        if entry.share_hours:
            shown.append("your practice hours")
        if entry.quote_change:
            shown.append("your one change (quoted, without your name)")
        tail = (
            "The digest will show " + " and ".join(shown) + "."
            if shown
            else "Your answers, hours and change stay private; the digest only counts you."
        )
        return f"Checked in, thank you. {tail} Send the form again to change anything."

    async def thread_reply(self, thread_id: int, user_id: int, text: str) -> bool:
        """A reply in a check-in thread counts as checking in (shared by its author in
        public already); hours and change stay private unless the form says otherwise."""
        check_in = await self.store.check_in_by_thread(thread_id)
        if check_in is None or check_in.status is not CheckInStatus.OPEN:
            return False
        if not has_visible_text(text):
            return False
        entry = await self.store.entry(check_in.id, user_id)
        if entry is not None and entry.via is Via.FORM:
            return True  # the form's answers and choices stand
        answers = f"{entry.answers}\n\n{trim(text)}" if entry else trim(text)
        await self.store.save_entry(
            Entry(check_in.id, user_id, answers[:MAX_ANSWERS], None, False, False, Via.THREAD),
            self.clock.now(),
        )
        return True

    async def set_reminder(self, guild_id: int, user_id: int, remind: bool) -> str:
        club = await self._club(guild_id)
        await self.store.set_remind(club.id, user_id, remind)
        if not remind:
            return "No more club reminders by DM."
        for check_in in await self.store.check_ins(club.id, CheckInStatus.OPEN):
            await self._schedule_reminder(check_in, user_id)
        return (
            "You'll get one DM reminder per check-in you haven't answered yet "
            "(within the daily DM limit)."
        )

    # --- scheduling -----------------------------------------------------------------

    async def ensure_schedules(self) -> int:
        """Every active club has its next opening, and every open check-in its digest
        and reminders, scheduled (idempotent: run at every start)."""
        clubs = await self.store.active_clubs()
        for club in clubs:
            for check_in in await self.store.check_ins(club.id, CheckInStatus.OPEN):
                await self._follow_up(check_in)
            await self._schedule_next(club)
        return len(clubs)

    async def _schedule_next(self, club: Club) -> CheckIn:
        upcoming = calendar.next_occurrence(club, self.clock.now())
        questions = await self.questions(club.guild_id)
        check_in = await self.store.ensure_check_in(club.id, upcoming, questions)
        await self.outbox.schedule(
            CHANNEL_POST,
            OPEN,
            check_in.opens_at,
            {"check_in": check_in.id},
            key=f"{OPEN}:{check_in.id}",
            unsolicited=False,
        )
        return check_in

    async def _follow_up(self, check_in: CheckIn) -> None:
        await self.outbox.schedule(
            CHANNEL_POST,
            DIGEST,
            check_in.closes_at,
            {"check_in": check_in.id},
            key=f"{DIGEST}:{check_in.id}",
            unsolicited=False,
        )
        for user_id in await self.store.reminded_members(check_in.club_id):
            await self._schedule_reminder(check_in, user_id)

    async def _schedule_reminder(self, check_in: CheckIn, user_id: int) -> None:
        span = check_in.closes_at - check_in.opens_at
        when = check_in.closes_at - (timedelta(days=1) if span >= timedelta(days=2) else span / 2)
        when = max(when, self.clock.now())
        await self.outbox.schedule(
            user_id,
            REMIND,
            when,
            {"check_in": check_in.id},
            key=f"{REMIND}:{check_in.id}:{user_id}",
        )

    async def _cancel_scheduled(self, club: Club | None) -> None:
        if club is None:
            return
        for check_in in await self.store.check_ins(club.id, CheckInStatus.SCHEDULED):
            await self.outbox.cancel(f"{OPEN}:{check_in.id}")

    # --- outbox kinds -------------------------------------------------------------------

    async def _item_check_in(self, item: OutboxItem) -> tuple[Club, CheckIn] | None:
        check_in = await self.store.check_in(int(item.payload["check_in"]))
        club = await self.store.club_by_id(check_in.club_id) if check_in else None
        return None if club is None or check_in is None else (club, check_in)

    async def _render_open(self, item: OutboxItem) -> OutgoingMessage | None:
        found = await self._item_check_in(item)
        if found is None:
            return None
        club, check_in = found
        if club.status is not ClubStatus.ACTIVE or check_in.status is CheckInStatus.CLOSED:
            return None
        questions = "\n".join(f"{n}. {q}" for n, q in enumerate(check_in.questions, 1))
        text = (
            f"{questions}\n\n"
            f"Check in with the button (a private form that offers your own practice log "
            f"as a starting point) or reply in this thread, until "
            f"{self._local(club, check_in.closes_at)}. Your hours and your one change for "
            "next month appear in the digest only if you say so."
        )
        return OutgoingMessage(
            text=text,
            title=f"Practice club check-in · {check_in.covers_from:%d %b} to "
            f"{check_in.covers_to:%d %b}",
            actions=(Action(CHECK_IN_ACTION, "Check in", str(check_in.id)),),
            channel_id=club.channel_id,
            thread_name=f"Check-in · {self._local_day(club, check_in)}",
        )

    async def _thread_opened(self, item: OutboxItem, thread_id: int) -> None:
        check_in_id = int(item.payload["check_in"])
        await self.store.set_check_in(check_in_id, status=CheckInStatus.OPEN, thread_id=thread_id)

    async def _after_open(self, item: OutboxItem, result: DeliveryResult | None) -> None:
        found = await self._item_check_in(item)
        if found is None:
            return
        club, check_in = found
        if result is DeliveryResult.SENT:
            if check_in.status is CheckInStatus.SCHEDULED:  # posted without a thread
                await self.store.set_check_in(check_in.id, status=CheckInStatus.OPEN)
            await self._follow_up(check_in)
        fresh = await self.store.club_by_id(club.id)
        if fresh is not None and fresh.status is ClubStatus.ACTIVE:
            await self._schedule_next(fresh)

    async def digest(self, check_in: CheckIn) -> Digest:
        return await build_digest(self.practice, check_in, await self.store.entries(check_in.id))

    async def _render_digest(self, item: OutboxItem) -> OutgoingMessage | None:
        found = await self._item_check_in(item)
        if found is None:
            return None
        club, check_in = found
        if check_in.status is CheckInStatus.SCHEDULED:
            return None
        if check_in.status is CheckInStatus.CLOSED and not item.uncertain:
            return None
        await self.store.set_check_in(check_in.id, status=CheckInStatus.CLOSED)
        digest = await self.digest(check_in)
        attachments: tuple[Attachment, ...] = ()
        if digest.sharing_hours:
            chart = await render_club_chart(
                [w.week_start for w in digest.weeks],
                [w.hours for w in digest.weeks],
                "Club practice hours per week (members who shared)",
            )
            attachments = (Attachment(f"club-{check_in.period}.png", chart),)
        return OutgoingMessage(
            title=f"Practice club digest · {self._local_day(club, check_in)}",
            text=digest_text(digest, check_in),
            attachments=attachments,
            channel_id=check_in.thread_id or club.channel_id,
        )

    async def _render_reminder(self, item: OutboxItem) -> OutgoingMessage | None:
        found = await self._item_check_in(item)
        if found is None:
            return None
        club, check_in = found
        if (
            club.status is not ClubStatus.ACTIVE
            or check_in.status is not CheckInStatus.OPEN
            or not await self.store.wants_reminder(club.id, item.user_id)
            or await self.store.entry(check_in.id, item.user_id) is not None
        ):
            return None
        start = await starting_point(self.practice, item.user_id, check_in)
        return OutgoingMessage(
            title="Practice club check-in",
            text=(
                f"The club's check-in is open until {self._local(club, check_in.closes_at)}. "
                f"{start} (Only you see this.)\n\n"
                "Check in with /club checkin or reply in the check-in thread. "
                "/club remind off stops these reminders."
            ),
        )

    # --- helpers ------------------------------------------------------------------------

    async def _club(self, guild_id: int) -> Club:
        club = await self.store.club(guild_id)
        if club is None or club.status is ClubStatus.ENDED:
            raise InputProblem(
                "This server has no practice club; a moderator starts one with /club start."
            )
        return club

    async def _open(self, check_in_id: int) -> CheckIn:
        check_in = await self.store.check_in(check_in_id)
        if check_in is None or check_in.status is not CheckInStatus.OPEN:
            raise InputProblem("This check-in is closed; the next one opens on the club's date.")
        return check_in

    @staticmethod
    def _local(club: Club, moment: datetime) -> str:
        return f"{moment.astimezone(ZoneInfo(club.timezone)):%A %d %B, %H:%M}"

    @staticmethod
    def _local_day(club: Club, check_in: CheckIn) -> str:
        return f"{check_in.opens_at.astimezone(ZoneInfo(club.timezone)):%d %B %Y}"
