"""Daily coaching: orient prompts each chosen morning, a practice log, pushes, reviews.

Every recurring DM is one outbox item at a time: when an occurrence is sent (or
skipped), its after-hook schedules the next one, and at start-up
:meth:`CoachingService.ensure_schedules` re-creates any that a crash lost. Keys
name the person, the kind and the local date, so nothing is ever scheduled twice.

The service is assembled from one part per sub-feature, each in its own module:
:mod:`~bot.coaching.schedules`, :mod:`~bot.coaching.orient` (prompts and answers),
:mod:`~bot.coaching.practice`, :mod:`~bot.coaching.pushes` and
:mod:`~bot.coaching.reviews`; this class holds what they share and registers the
recurring DM kinds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.coaching.core import PredictionCount, PredictionSource
from bot.coaching.orient import OrientMixin
from bot.coaching.practice import PracticeMixin
from bot.coaching.reviews import ReviewsMixin
from bot.coaching.schedules import MONTHLY, NUDGE, ORIENT, WEEKLY, SchedulesMixin
from bot.coaching.store import CoachingStore
from bot.guild_config import GuildConfigService
from bot.scheduling import Outbox

__all__ = ["CoachingService", "PredictionCount", "PredictionSource"]


@dataclass
class CoachingService(SchedulesMixin, OrientMixin, PracticeMixin, ReviewsMixin):
    store: CoachingStore
    outbox: Outbox
    clock: Clock
    #: The server's configuration (its ``coaching`` section holds the members' defaults).
    guild_config: GuildConfigService
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
