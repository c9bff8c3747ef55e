"""Streaks that forgive: a small monthly allowance of freeze days, and an opt-in
reminder when a streak is at risk, once a day at the member's chosen time.

The streak rule itself lives in :mod:`bot.coaching.streaks` (pauses and rest days stay
neutral there); this module keeps the member's choices and sends the reminder. The
reminder is keyed per member and local date (``club.streak:USER:2026-04-02``), so it
goes out once however many processes run, counts against the daily DM cap like any
unasked-for DM, and says nothing when there's no streak to lose or practice is logged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.clock import Clock
from bot.club.social_model import StreakChoice
from bot.club.social_store import SocialStore
from bot.coaching import CoachingStore, Profile, ProfileStatus
from bot.coaching.streaks import MAX_FREEZES_PER_MONTH, is_rest_day, streak_run
from bot.coaching.timeparse import InputProblem, local_date, local_moment, parse_local_time
from bot.scheduling import DeliveryResult, Outbox, OutboxItem, OutgoingMessage
from bot.wording import plural

REMIND = "club.streak"
EVERY_DAY = "0123456"


@dataclass
class StreakCare:
    store: SocialStore
    coaching: CoachingStore
    outbox: Outbox
    clock: Clock

    def __post_init__(self) -> None:
        self.outbox.kinds.register(REMIND, self._render, self._after)

    async def allowance(self, user_id: int) -> int:
        """Freeze days a month (for :class:`bot.coaching.CoachingService`)."""
        return (await self.store.streak_choice(user_id)).freezes_per_month

    async def settings(
        self,
        user_id: int,
        *,
        freezes: int | None = None,
        remind: bool | None = None,
        remind_time: str | None = None,
    ) -> str:
        choice = await self.store.streak_choice(user_id)
        if freezes is not None:
            if not 0 <= freezes <= MAX_FREEZES_PER_MONTH:
                raise InputProblem(f"Freeze days: 0 to {MAX_FREEZES_PER_MONTH} a month.")
            choice = replace(choice, freezes_per_month=freezes)
        if remind_time:
            choice = replace(choice, remind_time=parse_local_time(remind_time))
        if remind is not None:
            choice = replace(choice, remind=remind)
        await self.store.save_streak_choice(choice)
        await self.outbox.cancel_for_user(user_id, REMIND)
        if choice.remind:
            await self._schedule(choice)
        return self.describe(choice, await self.coaching.profile(user_id))

    @staticmethod
    def describe(choice: StreakChoice, profile: Profile | None) -> str:
        freezes = (
            f"Freeze days: {choice.freezes_per_month} a month, each keeps your streak "
            "through a missed day"
            if choice.freezes_per_month
            else "No freeze days: a missed planned day ends a streak"
        )
        zone = profile.timezone if profile else "UTC"
        remind = (
            f"a DM at {choice.remind_time} ({zone}) on days your streak is at risk"
            if choice.remind
            else "no streak reminders"
        )
        return f"{freezes}; {remind}. Pauses (/coach pause) keep working as before."

    async def ensure_schedules(self) -> int:
        choices = await self.store.streak_reminded()
        for choice in choices:
            await self._schedule(choice)
        return len(choices)

    def _zone(self, profile: Profile | None) -> str:
        return profile.timezone if profile else "UTC"

    async def _schedule(self, choice: StreakChoice) -> None:
        profile = await self.coaching.profile(choice.user_id)
        zone = self._zone(profile)
        now = self.clock.now()
        day = local_date(now, zone)
        moment = local_moment(day, choice.remind_time, zone)
        if moment <= now:
            day += timedelta(days=1)
            moment = local_moment(day, choice.remind_time, zone)
        await self.outbox.schedule(
            choice.user_id,
            REMIND,
            moment,
            {"local_date": day.isoformat()},
            key=f"{REMIND}:{choice.user_id}:{day.isoformat()}",
        )

    async def _render(self, item: OutboxItem) -> OutgoingMessage | None:
        choice = await self.store.streak_choice(item.user_id)
        if not choice.remind:
            return None
        profile = await self.coaching.profile(item.user_id)
        day = date.fromisoformat(item.payload["local_date"])
        practised = await self.coaching.practised_days(item.user_id)
        pauses = await self.coaching.pauses(item.user_id)
        weekdays = profile.weekdays if profile else EVERY_DAY
        if day in practised or is_rest_day(day, weekdays, pauses):
            return None
        if profile is not None and profile.status is ProfileStatus.STOPPED:
            return None
        run = streak_run(practised, day, weekdays, pauses, choice.freezes_per_month)
        if run.days == 0:
            return None
        left = choice.freezes_per_month - sum(
            1 for d in run.frozen if (d.year, d.month) == (day.year, day.month)
        )
        cover = (
            f" If today slips, one of your {plural(left, 'freeze day')} left this month covers it."
            if left > 0
            else ""
        )
        return OutgoingMessage(
            title="Your streak is at risk",
            text=(
                f"Your {plural(run.days, 'day')} streak is waiting for today's practice. "
                f"Five focused minutes keep it going, then /practice log.{cover}\n\n"
                "/club streak remind:off stops these."
            ),
        )

    async def _after(self, item: OutboxItem, result: DeliveryResult | None) -> None:
        choice = await self.store.streak_choice(item.user_id)
        if choice.remind:
            await self._schedule(choice)
