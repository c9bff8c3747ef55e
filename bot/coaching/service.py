"""Daily coaching: orient prompts each chosen morning, a practice log, pushes, reviews.

Every recurring DM is one outbox item at a time: when an occurrence is sent (or
skipped), its after-hook schedules the next one, and at start-up
:meth:`CoachingService.ensure_schedules` re-creates any that a crash lost. Keys
name the person, the kind and the local date, so nothing is ever scheduled twice.
"""

from __future__ import annotations

import base64
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from bot.clock import Clock
from bot.coaching import prompts as prompt_defaults
from bot.coaching.model import DmFiling, LogResult, Profile, PushView, ScheduleView, Stats
from bot.coaching.store import CoachingStore
from bot.coaching.streaks import current_streak
from bot.coaching.timeparse import (
    EVERY_DAY,
    InputProblem,
    describe_days,
    local_date,
    local_moment,
    parse_date,
    parse_days,
    parse_local_time,
    parse_timezone,
    timezone_note,
)
from bot.guild_config import GuildConfig, GuildConfigService
from bot.guild_config.model import CoachingConfig
from bot.rendering.practice_chart import render_practice_chart
from bot.scheduling import Action, Attachment, DeliveryResult, Outbox, OutboxItem, OutgoingMessage
from bot.storage.coaching_models import PracticeLog, PracticePush
from bot.text_input import EMPTY_TEXT_MESSAGE, has_visible_text, trim
from bot.wording import plural

log = logging.getLogger(__name__)

ORIENT = "coach.orient"
NUDGE = "coach.nudge"
WEEKLY = "coach.weekly"
MONTHLY = "coach.monthly"
PUSH_DONE = "practice.push_done"
WELCOME = "coach.welcome"
RECURRING = (ORIENT, NUDGE, WEEKLY, MONTHLY)
QUICK_ACTION = "orient.quick"
REVIEW_TIME = "18:00"
MAX_MINUTES = 720
MAX_NOTE = 1000
MAX_SKILL = 100
MILESTONES = (25, 50, 75, 100)
CHECK_IN = ("How did the last month go?", "Are we on track?")
REFLECTION = (
    "What worked?",
    "What plateaued?",
    "Is a 40-hour push on this worth it?",
)
#: How long after an orient DM a reply still counts as an answer to it.
ANSWER_WINDOW = timedelta(hours=20)


def _clean_skill(text: str) -> str:
    skill = " ".join(trim(text).split())
    if not has_visible_text(skill):
        raise InputProblem("Which skill? e.g. 'writing' or 'piano scales'.")
    if len(skill) > MAX_SKILL:
        raise InputProblem(f"Keep the skill name under {MAX_SKILL} characters.")
    return skill


def _clean_note(text: str | None, what: str) -> str | None:
    """None when left blank; refused when only invisible characters were typed."""
    if text is None or not text.strip():
        return None
    if not has_visible_text(text):
        raise InputProblem(f"'{what}': {EMPTY_TEXT_MESSAGE}")
    if len(text) > MAX_NOTE:
        raise InputProblem(f"'{what}' is limited to {MAX_NOTE} characters.")
    return trim(text)


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f} h"


class PredictionCount(Protocol):
    """How many predictions a person checked in a period, and how they went."""

    def describe(self) -> str: ...


#: (user, since, until) -> the count of the predictions checked (the dialogues' follow-ups).
PredictionSource = Callable[[int, datetime, datetime], Awaitable[PredictionCount]]


@dataclass
class CoachingService:
    store: CoachingStore
    outbox: Outbox
    clock: Clock
    #: The server's configuration (its ``coaching`` section holds the members' defaults).
    guild_config: GuildConfigService | None = None
    #: The predictions checked each month (answers to the dialogues' "What happened?").
    predictions: PredictionSource | None = None
    #: A member's monthly freeze days (the practice club's forgiving streaks); 0 if unset.
    freeze_allowance: Callable[[int], Awaitable[int]] | None = None
    #: Told of every logged session (user, minutes), e.g. a club push's progress bar.
    practice_listeners: list[Callable[[int, int], Awaitable[None]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        kinds = self.outbox.kinds
        kinds.register(ORIENT, self._render_orient, self._after_recurring)
        kinds.register(NUDGE, self._render_nudge, self._after_recurring)
        kinds.register(WEEKLY, self._render_weekly, self._after_recurring)
        kinds.register(MONTHLY, self._render_monthly, self._after_recurring)

    # --- time helpers ------------------------------------------------------------------

    def today(self, profile: Profile | None) -> date:
        return local_date(self.clock.now(), profile.timezone if profile else "UTC")

    @staticmethod
    def off_on(profile: Profile, day: date) -> bool:
        """No DMs that day: stopped, or inside a planned pause."""
        if profile.status == "stopped":
            return True
        return (
            profile.status == "paused"
            and profile.paused_until is not None
            and day <= profile.paused_until
        )

    def _next_daily(self, profile: Profile, hhmm: str, weekdays: str) -> datetime | None:
        now = self.clock.now()
        day = self.today(profile) - timedelta(days=1)
        for _ in range(400):
            day += timedelta(days=1)
            if str(day.weekday()) not in weekdays or self.off_on(profile, day):
                continue
            moment = local_moment(day, hhmm, profile.timezone)
            if moment > now:
                return moment
        return None

    def _next_monthly(self, profile: Profile) -> datetime | None:
        now = self.clock.now()
        day = self.today(profile).replace(day=1)
        for _ in range(24):
            moment = local_moment(day, REVIEW_TIME, profile.timezone)
            if moment > now and not self.off_on(profile, day):
                return moment
            day = (day + timedelta(days=32)).replace(day=1)
        return None

    # --- schedules ---------------------------------------------------------------------

    async def _schedule(self, profile: Profile, kind: str, moment: datetime | None) -> None:
        if moment is None:
            return
        day = local_date(moment, profile.timezone)
        stamp = day.strftime("%Y-%m") if kind == MONTHLY else day.isoformat()
        await self.outbox.schedule(
            profile.user_id,
            kind,
            moment,
            {"local_date": day.isoformat()},
            key=f"{kind}:{profile.user_id}:{stamp}",
        )

    async def _schedule_kind(self, profile: Profile, kind: str) -> None:
        if profile.status == "stopped":
            return
        if kind == ORIENT:
            await self._schedule(
                profile, kind, self._next_daily(profile, profile.local_time, profile.weekdays)
            )
        elif kind == NUDGE and profile.nudge_enabled:
            await self._schedule(
                profile, kind, self._next_daily(profile, profile.nudge_time, profile.weekdays)
            )
        elif kind == WEEKLY:
            await self._schedule(profile, kind, self._next_daily(profile, REVIEW_TIME, "6"))
        elif kind == MONTHLY:
            await self._schedule(profile, kind, self._next_monthly(profile))

    async def _reschedule(self, profile: Profile) -> None:
        """After a change of settings: drop pending coaching DMs and plan afresh."""
        for kind in RECURRING:
            await self.outbox.cancel_for_user(profile.user_id, kind)
        for kind in RECURRING:
            await self._schedule_kind(profile, kind)

    async def ensure_schedules(self) -> int:
        """Make sure everyone coached has their next DMs scheduled (idempotent)."""
        profiles = await self.store.active_profiles()
        for profile in profiles:
            for kind in RECURRING:
                await self._schedule_kind(profile, kind)
        return len(profiles)

    async def _after_recurring(self, item: OutboxItem, result: DeliveryResult | None) -> None:
        profile = await self.store.profile(item.user_id)
        if profile is not None:
            await self._schedule_kind(profile, item.kind)

    # --- /coach ------------------------------------------------------------------------

    async def start(
        self,
        user_id: int,
        *,
        timezone: str,
        local_time: str | None = None,
        days: str | None = None,
        guild_id: int | None = None,
        nudge: bool = False,
    ) -> ScheduleView:
        """Start (or restart) coaching; time and days default to the server's choice."""
        if local_time is None or days is None:
            section = await self._server_section(guild_id)
            local_time = local_time or (section.default_time if section else "07:30")
            days = days or (
                ",".join(d.value for d in section.default_days) if section else "every day"
            )
        zone = parse_timezone(timezone)
        hhmm = parse_local_time(local_time)
        weekdays = parse_days(days)
        values: dict[str, Any] = {
            "timezone": zone,
            "local_time": hhmm,
            "weekdays": weekdays,
            "status": "active",
            "paused_until": None,
            "paused_from": None,
            "nudge_enabled": nudge,
        }
        if guild_id is not None:
            values["guild_id"] = guild_id
        profile = await self.store.save_profile(user_id, self.clock.now(), **values)
        await self._reschedule(profile)
        view = self._view(profile, f"Coaching is on. {timezone_note(timezone, zone)}".strip())
        # A first DM right away: it shows where coaching happens and finds closed DMs now,
        # not at the first morning.
        await self.outbox.schedule(
            user_id,
            WELCOME,
            self.clock.now(),
            {"text": view.text + "\n\nReply to the morning prompts right here, in this DM."},
            key=f"{WELCOME}:{user_id}:{self.clock.now().isoformat()}",
            unsolicited=False,
        )
        return view

    async def update_settings(
        self,
        user_id: int,
        *,
        timezone: str | None = None,
        local_time: str | None = None,
        days: str | None = None,
        nudge: bool | None = None,
        nudge_time: str | None = None,
    ) -> ScheduleView:
        profile = await self._require(user_id)
        values: dict[str, Any] = {}
        if timezone:
            values["timezone"] = parse_timezone(timezone)
        if local_time:
            values["local_time"] = parse_local_time(local_time)
        if days:
            values["weekdays"] = parse_days(days)
        if nudge is not None:
            values["nudge_enabled"] = nudge
        if nudge_time:
            values["nudge_time"] = parse_local_time(nudge_time)
        if values:
            profile = await self.store.save_profile(user_id, self.clock.now(), **values)
            await self._reschedule(profile)
        lead = "Settings saved." if values else "Your coaching settings:"
        if timezone and "timezone" in values:
            lead = f"{lead} {timezone_note(timezone, values['timezone'])}".strip()
        return self._view(profile, lead)

    async def pause_until(self, user_id: int, until_text: str) -> ScheduleView:
        profile = await self._require(user_id)
        today = self.today(profile)
        until = parse_date(until_text, today)
        if until < today:
            raise InputProblem("That date has passed; pick today or a later date.")
        if until > today + timedelta(days=366):
            raise InputProblem("Pauses are at most a year; /coach stop ends coaching instead.")
        profile = await self.store.save_profile(
            user_id, self.clock.now(), status="paused", paused_until=until, paused_from=today
        )
        await self.store.add_pause(user_id, today, until)
        await self._reschedule(profile)
        return self._view(
            profile,
            f"Paused until {until:%A %d %B}. No DMs until then, and your streak won't break; "
            "coaching picks up again by itself afterwards (or /coach resume sooner).",
        )

    async def resume(self, user_id: int) -> ScheduleView:
        profile = await self._require(user_id)
        today = self.today(profile)
        await self.store.end_pauses(user_id, today - timedelta(days=1))
        profile = await self.store.save_profile(
            user_id, self.clock.now(), status="active", paused_until=None, paused_from=None
        )
        await self._reschedule(profile)
        return self._view(profile, "Welcome back: coaching resumed.")

    async def stop(self, user_id: int) -> str:
        profile = await self.store.profile(user_id)
        if profile is None or profile.status == "stopped":
            return "Coaching wasn't on. /coach start sets it up."
        await self.store.save_profile(user_id, self.clock.now(), status="stopped")
        for kind in RECURRING:
            await self.outbox.cancel_for_user(user_id, kind)
        return (
            "Coaching stopped: no more scheduled DMs. Your practice log and answers are kept "
            "(/mydata export to download, /mydata delete to erase)."
        )

    async def settings(self, user_id: int) -> ScheduleView:
        return await self.update_settings(user_id)

    async def profile(self, user_id: int) -> Profile | None:
        return await self.store.profile(user_id)

    async def _require(self, user_id: int) -> Profile:
        profile = await self.store.profile(user_id)
        if profile is None:
            raise InputProblem("You haven't started coaching yet: /coach start sets it up.")
        return profile

    def _view(self, profile: Profile, lead: str) -> ScheduleView:
        next_orient = None
        if profile.status != "stopped":
            next_orient = self._next_daily(profile, profile.local_time, profile.weekdays)
        lines = [
            lead,
            f"Morning prompts: {describe_days(profile.weekdays)} at {profile.local_time} "
            f"({profile.timezone}).",
        ]
        if profile.status == "paused" and profile.paused_until:
            lines.append(f"Paused until {profile.paused_until:%A %d %B}.")
        if profile.status == "stopped":
            lines.append("Coaching is stopped.")
        if next_orient is not None:
            local = next_orient.astimezone(next_orient.tzinfo)
            lines.append(f"Next one: {local:%A %d %B, %H:%M}.")
        lines.append(
            "Practice nudge: "
            + (
                f"on, at {profile.nudge_time} if nothing was logged."
                if profile.nudge_enabled
                else "off."
            )
        )
        lines.append("Weekly review on Sundays and a monthly review on the 1st, at 18:00.")
        return ScheduleView(profile, next_orient, "\n".join(lines))

    # --- prompts -----------------------------------------------------------------------

    async def prompts(self, user_id: int) -> tuple[list[str], str]:
        """The prompts this person gets and where they come from ("yours", "server", "default")."""
        own = await self.store.own_prompts(user_id)
        if own:
            return own, "yours"
        profile = await self.store.profile(user_id)
        if profile is not None and profile.guild_id is not None:
            server = await self._configured_server_prompts(profile.guild_id)
            if server:
                return server, "server"
        default, _quick = await prompt_defaults.corpus_default()
        return list(default), "default"

    async def set_prompts(self, user_id: int, lines: list[str]) -> list[str]:
        """Replace the whole list (empty: back to the default)."""
        cleaned = prompt_defaults.clean_prompts(lines)
        await self.store.set_own_prompts(user_id, cleaned)
        return (await self.prompts(user_id))[0]

    async def add_prompt(self, user_id: int, text: str) -> list[str]:
        if not has_visible_text(text):
            raise InputProblem(EMPTY_TEXT_MESSAGE)
        current, _ = await self.prompts(user_id)
        return await self.set_prompts(user_id, [*current, text])

    async def edit_prompt(self, user_id: int, number: int, text: str) -> list[str]:
        if not has_visible_text(text):
            raise InputProblem(EMPTY_TEXT_MESSAGE)
        current, _ = await self.prompts(user_id)
        self._check_number(current, number)
        current[number - 1] = text
        return await self.set_prompts(user_id, current)

    async def move_prompt(self, user_id: int, number: int, to: int) -> list[str]:
        current, _ = await self.prompts(user_id)
        self._check_number(current, number)
        self._check_number(current, to)
        current.insert(to - 1, current.pop(number - 1))
        return await self.set_prompts(user_id, current)

    async def remove_prompt(self, user_id: int, number: int) -> list[str]:
        current, _ = await self.prompts(user_id)
        self._check_number(current, number)
        del current[number - 1]
        if not current:
            raise InputProblem(
                "Keep at least one prompt ('coach prompts reset' restores the default)."
            )
        return await self.set_prompts(user_id, current)

    async def reset_prompts(self, user_id: int) -> list[str]:
        await self.store.set_own_prompts(user_id, [])
        return (await self.prompts(user_id))[0]

    @staticmethod
    def _check_number(prompts: list[str], number: int) -> None:
        if not 1 <= number <= len(prompts):
            raise InputProblem(f"There is no prompt {number}; the list has {len(prompts)}.")

    async def _server_section(self, guild_id: int | None) -> CoachingConfig | None:
        if guild_id is None or self.guild_config is None:
            return None
        return (await self.guild_config.get(guild_id)).coaching

    async def set_server_default_prompts(
        self, guild_id: int, lines: list[str], actor_id: int = 0
    ) -> list[str]:
        """A server's default for members who haven't written their own (moderators only;
        the adapters check the privilege). An empty list returns to the corpus default.

        Stored in the server's configuration, so it shows in /config and its history."""
        cleaned = prompt_defaults.clean_prompts(lines)
        if self.guild_config is None:
            await self.store.set_server_prompts(guild_id, cleaned)
            return cleaned

        def change(config: GuildConfig) -> GuildConfig:
            updated = config.model_copy(deep=True)
            updated.coaching.default_prompts = cleaned
            return updated

        await self.guild_config.update(guild_id, change, actor_id)
        await self.store.set_server_prompts(guild_id, [])  # the configuration is the one source now
        return cleaned

    async def _configured_server_prompts(self, guild_id: int) -> list[str]:
        """The server's own default prompts, empty when it has none: the server
        configuration first, then the older per-server table (servers set up before it)."""
        section = await self._server_section(guild_id)
        if section is not None and section.default_prompts:
            return list(section.default_prompts)
        return await self.store.server_prompts(guild_id)

    async def server_default_prompts(self, guild_id: int) -> list[str]:
        server = await self._configured_server_prompts(guild_id)
        if server:
            return server
        default, _quick = await prompt_defaults.corpus_default()
        return list(default)

    # --- orient DMs and answers -------------------------------------------------------

    async def _render_orient(self, item: OutboxItem) -> OutgoingMessage | None:
        profile = await self.store.profile(item.user_id)
        day = date.fromisoformat(item.payload["local_date"])
        if profile is None or self.off_on(profile, day):
            return None
        prompts, _source = await self.prompts(item.user_id)
        session_id, prompts = await self.store.orient_session(
            item.user_id, day, prompts, self.clock.now()
        )
        numbered = "\n".join(f"{n}. {text}" for n, text in enumerate(prompts, 1))
        return OutgoingMessage(
            title=f"Morning orient · {day:%A %d %B}",
            text=(
                f"{numbered}\n\nAnswer here, in one message or several; I keep what you write. "
                "Short on time? Press Quick version."
            ),
            actions=(Action(QUICK_ACTION, "Quick version", str(session_id)),),
        )

    async def quick_version(self, session_id: int, user_id: int) -> str:
        prompts = await self.store.mark_quick(session_id, user_id)
        if prompts is None:
            return "That orient session isn't yours or no longer exists."
        _default, quick = await prompt_defaults.corpus_default()
        first = "\n".join(f"{n}. {text}" for n, text in enumerate(prompts[:2], 1))
        return f"{quick}\n\n{first}\n\nOne line each is plenty; reply here."

    async def _answerable_session(self, user_id: int, profile: Profile | None) -> int | None:
        """Today's orient session, or the latest one still inside the answer window."""
        session_id = await self.store.session_for(user_id, self.today(profile))
        if session_id is None:
            session_id = await self.store.latest_session(user_id, self.clock.now() - ANSWER_WINDOW)
        return session_id

    async def latest_orient(self, user_id: int) -> int | None:
        """The orient session the Quick version button would refer to, if any."""
        return await self._answerable_session(user_id, await self.store.profile(user_id))

    async def awaiting_answers(self, user_id: int) -> bool:
        """True while the morning prompts sent to this person still lack answers.

        An adapter without message boundaries (the console) uses it to read a plain line
        as the next answer rather than as a command; one answer per prompt closes it.
        """
        session_id = await self._answerable_session(user_id, await self.store.profile(user_id))
        if session_id is None:
            return False
        wanted, given = await self.store.progress(session_id)
        return given < wanted

    async def record_dm(self, user_id: int, text: str) -> DmFiling:
        """File a DM as an answer to today's orient (or the latest within the window)."""
        if not text.strip():
            return DmFiling(False, "")
        if not has_visible_text(text):
            return DmFiling(False, EMPTY_TEXT_MESSAGE)
        text = trim(text)
        profile = await self.store.profile(user_id)
        session_id = await self._answerable_session(user_id, profile)
        if session_id is None:
            return DmFiling(
                False,
                "Nothing is waiting for an answer right now, so I didn't store that. "
                + (
                    "Your next morning prompts arrive here; answer them then."
                    if profile is not None and profile.status != "stopped"
                    else "Morning prompts arrive here once you /coach start."
                ),
            )
        count = await self.store.add_answer(session_id, user_id, text, self.clock.now())
        return DmFiling(True, f"Saved ({count} today).", session_id)

    # --- practice log ---------------------------------------------------------------

    async def log_practice(
        self,
        user_id: int,
        minutes: int,
        skill: str,
        practised: str | None = None,
        noticed: str | None = None,
    ) -> LogResult:
        if not 1 <= minutes <= MAX_MINUTES:
            raise InputProblem(f"Minutes must be between 1 and {MAX_MINUTES}.")
        name = _clean_skill(skill)
        for known in await self.store.skills(user_id):
            if known.lower() == name.lower():
                name = known
                break
        profile = await self.store.profile(user_id)
        today = self.today(profile)
        now = self.clock.now()
        await self.store.add_log(
            PracticeLog(
                user_id=user_id,
                skill=name,
                minutes=minutes,
                practised=_clean_note(practised, "what you practised"),
                noticed=_clean_note(noticed, "what you noticed"),
                local_date=today,
                logged_at=now,
            )
        )
        total = await self.store.minutes_on(user_id, today)
        for listener in self.practice_listeners:
            try:
                await listener(user_id, minutes)
            except Exception:  # the log is saved; a listener's failure must not undo that
                log.exception("practice listener failed")
        streak = await self._streak(user_id, profile)
        milestones = await self._milestones(user_id, name)
        lines = [
            f"Logged {minutes} min of {name}. Today: {total} min. Streak: {plural(streak, 'day')}."
        ]
        if total < 15:
            lines.append(f"{15 - total} more minutes reaches today's 15.")
        lines.extend(milestones)
        return LogResult("\n".join(lines), total, streak, tuple(milestones))

    async def _streak(self, user_id: int, profile: Profile | None) -> int:
        return current_streak(
            await self.store.practised_days(user_id),
            self.today(profile),
            profile.weekdays if profile else EVERY_DAY,
            await self.store.pauses(user_id),
            await self.freeze_allowance(user_id) if self.freeze_allowance else 0,
        )

    async def skill_suggestions(self, user_id: int, current: str) -> list[str]:
        needle = current.strip().lower()
        skills = await self.store.skills(user_id)
        return [s for s in skills if needle in s.lower()][:25]

    # --- pushes ---------------------------------------------------------------------

    async def _push_view(self, push: PracticePush) -> PushView:
        minutes = await self.store.minutes_since(push.user_id, push.skill, push.started_at)
        return PushView(push.id, push.skill, push.target_hours, minutes / 60, push.status)

    async def start_push(
        self,
        user_id: int,
        skill: str,
        target_hours: int = 20,
        test: str | None = None,
        before: str | None = None,
    ) -> str:
        """Start a push; ``test`` is the before/after test it will be judged by (asked
        for at once when missing) and ``before`` its result today."""
        name = _clean_skill(skill)
        test = _clean_note(test, "the before/after test")
        before = _clean_note(before, "the result before")
        if not 1 <= target_hours <= 200:
            raise InputProblem("A push is between 1 and 200 hours (20 is a good first one).")
        for push in await self.store.pushes(user_id):
            if push.skill.lower() == name.lower():
                view = await self._push_view(push)
                return (
                    f"You already have a push on {push.skill}: {view.hours_done:.1f} of "
                    f"{push.target_hours} h ({view.percent}%)."
                )
        for known in await self.store.skills(user_id):
            if known.lower() == name.lower():
                name = known
        await self.store.add_push(
            PracticePush(
                user_id=user_id,
                skill=name,
                target_hours=target_hours,
                status="active",
                milestones_reached=0,
                started_at=self.clock.now(),
                test=test,
                test_before=before,
            )
        )
        text = (
            f"Push started: {plural(target_hours, 'hour')} of {name}. Log sessions with /practice log; "
            "I'll mark 25%, 50%, 75% and the finish, and ask what you learned at the end."
        )
        return text + "\n\n" + self._test_line(test, before)

    @staticmethod
    def _test_line(test: str | None, before: str | None) -> str:
        if test is None:
            return (
                "First: what before/after test will this push be judged by? Something you "
                "can do today and again at the end, with a result you can compare (e.g. "
                "'sight-read one new page; count the stops'). Do it now, then: "
                "/practice push test TEST before:RESULT."
            )
        if before is None:
            return (
                f"Your before/after test: {test}. Do it today and note the result: "
                "/practice push test TEST before:RESULT."
            )
        return f"Your before/after test: {test}. Before: {before}. At the end, do it again."

    async def set_push_test(self, user_id: int, test: str, before: str | None = None) -> str:
        """Set the before/after test (and today's result) of the latest active push."""
        cleaned = _clean_note(test, "the before/after test")
        if cleaned is None:
            raise InputProblem("Describe the test: what you'll do, and what you'll measure.")
        result = _clean_note(before, "the result before")
        pushes = await self.store.pushes(user_id)
        if not pushes:
            return "No push under way. /practice push start SKILL begins one."
        push = pushes[-1]
        await self.store.update_push(
            push.id, test=cleaned, test_before=result if result is not None else push.test_before
        )
        return f"Push on {push.skill}: " + self._test_line(
            cleaned, result if result is not None else push.test_before
        )

    async def push_status(self, user_id: int) -> str:
        pushes = await self.store.pushes(user_id)
        if not pushes:
            return "No push under way. /practice push start SKILL begins one (20 hours by default)."
        lines = []
        for push in pushes:
            view = await self._push_view(push)
            lines.append(
                f"{push.skill}: {view.hours_done:.1f} of {push.target_hours} h ({view.percent}%)"
            )
        return "\n".join(lines)

    async def stop_push(self, user_id: int, skill: str) -> str:
        for push in await self.store.pushes(user_id):
            if push.skill.lower() == skill.strip().lower():
                await self.store.update_push(
                    push.id, status="stopped", finished_at=self.clock.now()
                )
                return f"Push on {push.skill} stopped. Its practice stays in your log."
        return f"No push under way on {skill!r}."

    async def reflect_push(self, user_id: int, text: str) -> str:
        reflection = _clean_note(text, "reflection")
        if reflection is None:
            raise InputProblem("Write a few lines: what worked, what plateaued, what next.")
        done = await self.store.pushes(user_id, status="done")
        if not done:
            return "No finished push to reflect on yet."
        push = done[-1]
        previous = push.reflection + "\n\n" if push.reflection else ""
        await self.store.update_push(push.id, reflection=previous + reflection)
        return f"Reflection on your {push.skill} push saved."

    async def _milestones(self, user_id: int, skill: str) -> list[str]:
        messages: list[str] = []
        for push in await self.store.pushes(user_id):
            if push.skill.lower() != skill.lower():
                continue
            view = await self._push_view(push)
            reached = sum(1 for m in MILESTONES if view.percent >= m)
            if reached <= push.milestones_reached:
                continue
            crossed = [m for m in MILESTONES[push.milestones_reached : reached] if m < 100]
            for milestone in crossed:
                # Each milestone states its own figure, even when one session crosses two.
                messages.append(
                    f"Milestone: {milestone}% of your {push.skill} push "
                    f"({milestone * push.target_hours / 100:.1f} of {push.target_hours} h)."
                )
            if len(crossed) > 1 and reached < len(MILESTONES):
                messages.append(f"You're at {view.hours_done:.1f} h now.")
            values: dict[str, object] = {"milestones_reached": reached}
            if reached == len(MILESTONES):
                values.update(status="done", finished_at=self.clock.now())
                test = (
                    f" Now do your before/after test again: {push.test}"
                    + (f" (before: {push.test_before})." if push.test_before else ".")
                    + " How did it go?"
                    if push.test
                    else ""
                )
                text = (
                    f"You finished your {push.target_hours}-hour push on {push.skill}.{test} "
                    "Take a few minutes to reflect: "
                    + " ".join(REFLECTION)
                    + " Answer with /practice push reflect."
                )
                messages.append(text)
                await self.outbox.schedule(
                    user_id,
                    PUSH_DONE,
                    self.clock.now(),
                    {"text": text, "title": "Push complete"},
                    key=f"{PUSH_DONE}:{push.id}",
                    unsolicited=False,
                )
            await self.store.update_push(push.id, **values)
        return messages

    # --- stats and reviews -------------------------------------------------------------

    async def _series(
        self, user_id: int, first: date, last: date
    ) -> tuple[list[date], list[int], dict[str, int]]:
        logs = await self.store.logs(user_id, since=first)
        per_day: dict[date, int] = defaultdict(int)
        per_skill: dict[str, int] = defaultdict(int)
        for row in logs:
            if row.local_date <= last:
                per_day[row.local_date] += row.minutes
                per_skill[row.skill] += row.minutes
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return days, [per_day.get(d, 0) for d in days], dict(per_skill)

    async def _summary(
        self, user_id: int, first: date, last: date, title: str
    ) -> tuple[str, bytes, list[date], list[int]]:
        profile = await self.store.profile(user_id)
        days, minutes, per_skill = await self._series(user_id, first, last)
        total = sum(minutes)
        active = sum(1 for m in minutes if m)
        streak = await self._streak(user_id, profile)
        lines = [
            f"{total} min of practice over {plural(len(days), 'day')} "
            f"({plural(active, 'day')} with practice). Streak: {plural(streak, 'day')}.",
        ]
        if len(days) <= 7:
            lines.append(" · ".join(f"{d:%a} {m}" for d, m in zip(days, minutes, strict=True)))
        if per_skill:
            lines.append("By skill:")
            for skill, mins in sorted(per_skill.items(), key=lambda kv: -kv[1]):
                lines.append(f"- {skill}: {mins} min")
        for push in await self.store.pushes(user_id):
            view = await self._push_view(push)
            lines.append(f"Push on {push.skill}: {view.hours_done:.1f} of {push.target_hours} h")
        chart = await render_practice_chart(days, minutes, title)
        return "\n".join(lines), chart, days, minutes

    async def stats(self, user_id: int, days: int = 30) -> Stats:
        profile = await self.store.profile(user_id)
        last = self.today(profile)
        first = last - timedelta(days=days - 1)
        text, chart, day_list, minutes = await self._summary(
            user_id, first, last, f"Practice, last {plural(days, 'day')}"
        )
        return Stats(text, chart, day_list, minutes)

    async def _highlights(self, user_id: int, since: datetime) -> list[str]:
        answers = await self.store.answers(user_id, since)
        picked = sorted(answers, key=lambda a: len(a[1]), reverse=True)[:3]
        return [
            "> " + " ".join(text.split())[:160]
            for _when, text in sorted(picked, key=lambda a: a[0])
        ]

    async def _render_weekly(self, item: OutboxItem) -> OutgoingMessage | None:
        profile = await self.store.profile(item.user_id)
        last = date.fromisoformat(item.payload["local_date"])
        if profile is None or self.off_on(profile, last):
            return None
        first = last - timedelta(days=6)
        text, chart, _d, _m = await self._summary(item.user_id, first, last, "Practice this week")
        highlights = await self._highlights(item.user_id, self.clock.now() - timedelta(days=7))
        if highlights:
            text += "\n\nFrom your morning answers:\n" + "\n".join(highlights)
        return OutgoingMessage(
            title=f"Your week · {first:%d %b} to {last:%d %b}",
            text=text,
            attachments=(Attachment(f"practice-week-{last.isoformat()}.png", chart),),
            card=True,  # the chart beside the words, in one box
        )

    async def _render_monthly(self, item: OutboxItem) -> OutgoingMessage | None:
        profile = await self.store.profile(item.user_id)
        day = date.fromisoformat(item.payload["local_date"])
        if profile is None or self.off_on(profile, day):
            return None
        last = day - timedelta(days=1)
        first = last.replace(day=1)
        text, chart, _d, _m = await self._summary(
            item.user_id, first, last, f"Practice in {last:%B}"
        )
        if self.predictions is not None:
            tally = await self.predictions(
                item.user_id,
                local_moment(first, "00:00", profile.timezone),
                local_moment(day, "00:00", profile.timezone),
            )
            text += "\n\n" + tally.describe()
        await self.store.orient_session(item.user_id, day, list(CHECK_IN), self.clock.now())
        text += "\n\nMonthly check-in (answer here):\n" + "\n".join(f"- {q}" for q in CHECK_IN)
        return OutgoingMessage(
            title=f"Your month · {last:%B %Y}",
            text=text,
            attachments=(Attachment(f"practice-{last:%Y-%m}.png", chart),),
            card=True,
        )

    async def _render_nudge(self, item: OutboxItem) -> OutgoingMessage | None:
        profile = await self.store.profile(item.user_id)
        day = date.fromisoformat(item.payload["local_date"])
        if profile is None or not profile.nudge_enabled or self.off_on(profile, day):
            return None
        if await self.store.minutes_on(item.user_id, day) > 0:
            return None
        return OutgoingMessage(
            text=(
                "No practice logged today yet. Fifteen focused minutes still count: pick one "
                "skill, practise it, then /practice log."
            )
        )


def encode_file(data: bytes, filename: str) -> dict[str, str]:
    """A ``payload["file"]`` for :func:`bot.scheduling.model.default_message`."""
    return {"filename": filename, "base64": base64.b64encode(data).decode()}
