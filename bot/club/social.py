"""The club's social side assembled: pairs, pushes and forgiving streaks, wired to the
coaching practice log (one log, one truth) and to each other."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.club.pairs import PairService
from bot.club.practice import CoachingPracticeLog
from bot.club.push import PushService
from bot.club.social_store import SocialStore
from bot.club.store import ClubRepository
from bot.club.streaks import StreakCare
from bot.coaching import CoachingService
from bot.guild_config import GuildConfigService
from bot.privacy import PrivacyService
from bot.scheduling import Outbox
from bot.storage.database import Database


@dataclass
class ClubSocial:
    pairs: PairService
    push: PushService
    streaks: StreakCare

    async def ensure_schedules(self) -> int:
        """Recreate every recurring post a crash may have lost (idempotent)."""
        return (
            await self.pairs.ensure_schedules()
            + await self.push.ensure_schedules()
            + await self.streaks.ensure_schedules()
        )

    async def member_erased(self, user_id: int) -> None:
        """``/mydata delete`` ends the member's pairs the way leaving does."""
        await self.pairs.member_erased(user_id)


def build_social(
    db: Database,
    outbox: Outbox,
    clock: Clock,
    guild_config: GuildConfigService,
    coaching: CoachingService,
    privacy: PrivacyService,
) -> ClubSocial:
    clubs, store = ClubRepository(db), SocialStore(db)

    async def timezone_of(user_id: int) -> str | None:
        profile = await coaching.store.profile(user_id)
        return profile.timezone if profile else None

    social = ClubSocial(
        pairs=PairService(clubs, store, outbox, clock, timezone_of),
        push=PushService(
            clubs, store, outbox, clock, guild_config, CoachingPracticeLog(coaching.store)
        ),
        streaks=StreakCare(store, coaching.store, outbox, clock),
    )
    coaching.freeze_allowance = social.streaks.allowance
    coaching.practice_listeners.append(social.push.practice_logged)
    privacy.before_erase.append(social.member_erased)
    return social
