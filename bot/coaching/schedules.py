"""Coaching schedules: when each recurring DM is due, and the /coach settings that move them.

Split out of :mod:`bot.coaching.service` (which assembles the parts): starting,
pausing, resuming and stopping coaching, and keeping exactly one pending outbox
item per person and recurring kind.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.coaching import text
from bot.coaching.core import CoachingCore
from bot.coaching.model import Profile, ProfileStatus, ScheduleChange, ScheduleView
from bot.coaching.timeparse import (
    InputProblem,
    local_date,
    local_moment,
    parse_date,
    parse_days,
    parse_local_time,
    parse_timezone,
)
from bot.scheduling import DeliveryResult, OutboxItem

ORIENT = "coach.orient"
NUDGE = "coach.nudge"
WEEKLY = "coach.weekly"
MONTHLY = "coach.monthly"
WELCOME = "coach.welcome"
RECURRING = (ORIENT, NUDGE, WEEKLY, MONTHLY)
REVIEW_TIME = "18:00"


class SchedulesMixin(CoachingCore):
    """The recurring DMs' timing and the /coach start, settings, pause, resume and stop."""

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
        if profile.status is ProfileStatus.STOPPED:
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
            "status": ProfileStatus.ACTIVE,
            "paused_until": None,
            "paused_from": None,
            "nudge_enabled": nudge,
        }
        if guild_id is not None:
            values["guild_id"] = guild_id
        profile = await self.store.save_profile(user_id, self.clock.now(), **values)
        await self._reschedule(profile)
        view = self._view(profile, ScheduleChange.STARTED, timezone)
        # A first DM right away: it shows where coaching happens and finds closed DMs now,
        # not at the first morning.
        await self.outbox.schedule(
            user_id,
            WELCOME,
            self.clock.now(),
            {"text": text.welcome(view)},
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
        change = ScheduleChange.SAVED if values else ScheduleChange.SHOWN
        return self._view(profile, change, timezone or None)

    async def pause_until(self, user_id: int, until_text: str) -> ScheduleView:
        profile = await self._require(user_id)
        today = self.today(profile)
        until = parse_date(until_text, today)
        if until < today:
            raise InputProblem("That date has passed; pick today or a later date.")
        if until > today + timedelta(days=366):
            raise InputProblem("Pauses are at most a year; /coach stop ends coaching instead.")
        profile = await self.store.save_profile(
            user_id,
            self.clock.now(),
            status=ProfileStatus.PAUSED,
            paused_until=until,
            paused_from=today,
        )
        await self.store.add_pause(user_id, today, until)
        await self._reschedule(profile)
        return self._view(profile, ScheduleChange.PAUSED)

    async def resume(self, user_id: int) -> ScheduleView:
        profile = await self._require(user_id)
        today = self.today(profile)
        await self.store.end_pauses(user_id, today - timedelta(days=1))
        profile = await self.store.save_profile(
            user_id,
            self.clock.now(),
            status=ProfileStatus.ACTIVE,
            paused_until=None,
            paused_from=None,
        )
        await self._reschedule(profile)
        return self._view(profile, ScheduleChange.RESUMED)

    async def stop(self, user_id: int) -> bool:
        """Stop coaching: True if it was on (``text.coaching_stopped`` words it)."""
        profile = await self.store.profile(user_id)
        if profile is None or profile.status is ProfileStatus.STOPPED:
            return False
        await self.store.save_profile(user_id, self.clock.now(), status=ProfileStatus.STOPPED)
        for kind in RECURRING:
            await self.outbox.cancel_for_user(user_id, kind)
        return True

    async def settings(self, user_id: int) -> ScheduleView:
        return await self.update_settings(user_id)

    async def profile(self, user_id: int) -> Profile | None:
        return await self.store.profile(user_id)

    async def _require(self, user_id: int) -> Profile:
        profile = await self.store.profile(user_id)
        if profile is None:
            raise InputProblem("You haven't started coaching yet: /coach start sets it up.")
        return profile

    def _view(
        self, profile: Profile, change: ScheduleChange, typed_timezone: str | None = None
    ) -> ScheduleView:
        """The schedule in values; ``text.schedule`` words it."""
        next_orient = None
        if profile.status is not ProfileStatus.STOPPED:
            next_orient = self._next_daily(profile, profile.local_time, profile.weekdays)
        return ScheduleView(profile, next_orient, change, typed_timezone)
