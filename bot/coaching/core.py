"""What every part of the coaching service shares: its collaborators and small helpers.

:class:`CoachingService` is assembled from one mixin per sub-feature (schedules,
orient prompts, practice log, pushes, reviews); this base declares the attributes
they all read (set by the service's dataclass fields) and the helpers more than one
of them needs, so each part type-checks on its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Protocol

from bot.clock import Clock
from bot.coaching.model import Profile, ProfileStatus, PushStatus, PushView
from bot.coaching.store import CoachingStore
from bot.coaching.streaks import current_streak
from bot.coaching.timeparse import EVERY_DAY, InputProblem, local_date
from bot.guild_config import GuildConfigService
from bot.guild_config.model import CoachingConfig
from bot.scheduling import Outbox
from bot.storage.coaching_models import PracticePush
from bot.text_input import EMPTY_TEXT_MESSAGE, has_visible_text, trim

MAX_NOTE = 1000
MAX_SKILL = 100


def clean_skill(text: str) -> str:
    skill = " ".join(trim(text).split())
    if not has_visible_text(skill):
        raise InputProblem("Which skill? e.g. 'writing' or 'piano scales'.")
    if len(skill) > MAX_SKILL:
        raise InputProblem(f"Keep the skill name under {MAX_SKILL} characters.")
    return skill


def clean_note(text: str | None, what: str) -> str | None:
    """None when left blank; refused when only invisible characters were typed."""
    if text is None or not text.strip():
        return None
    if not has_visible_text(text):
        raise InputProblem(f"'{what}': {EMPTY_TEXT_MESSAGE}")
    if len(text) > MAX_NOTE:
        raise InputProblem(f"'{what}' is limited to {MAX_NOTE} characters.")
    return trim(text)


class PredictionCount(Protocol):
    """How many predictions a person checked in a period, and how they went."""

    def describe(self) -> str: ...


#: (user, since, until) -> the count of the predictions checked (the dialogues' follow-ups).
PredictionSource = Callable[[int, datetime, datetime], Awaitable[PredictionCount]]


class CoachingCore:
    """The attributes and shared helpers of :class:`bot.coaching.service.CoachingService`."""

    store: CoachingStore
    outbox: Outbox
    clock: Clock
    guild_config: GuildConfigService
    predictions: PredictionSource | None
    freeze_allowance: Callable[[int], Awaitable[int]] | None
    practice_listeners: list[Callable[[int, int], Awaitable[None]]]

    def today(self, profile: Profile | None) -> date:
        return local_date(self.clock.now(), profile.timezone if profile else "UTC")

    @staticmethod
    def off_on(profile: Profile, day: date) -> bool:
        """No DMs that day: stopped, or inside a planned pause."""
        if profile.status is ProfileStatus.STOPPED:
            return True
        return (
            profile.status is ProfileStatus.PAUSED
            and profile.paused_until is not None
            and day <= profile.paused_until
        )

    async def _server_section(self, guild_id: int | None) -> CoachingConfig | None:
        if guild_id is None:
            return None
        return (await self.guild_config.get(guild_id)).coaching

    async def _streak(self, user_id: int, profile: Profile | None) -> int:
        return current_streak(
            await self.store.practised_days(user_id),
            self.today(profile),
            profile.weekdays if profile else EVERY_DAY,
            await self.store.pauses(user_id),
            await self.freeze_allowance(user_id) if self.freeze_allowance else 0,
        )

    async def _push_view(self, push: PracticePush) -> PushView:
        minutes = await self.store.minutes_since(push.user_id, push.skill, push.started_at)
        return PushView(
            push.id,
            push.skill,
            push.target_hours,
            minutes / 60,
            PushStatus(push.status),
            push.test,
            push.test_before,
        )
