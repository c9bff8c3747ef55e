"""The domain services, built once per process and shared by every adapter.

Adapters (Discord, console, command line) receive a :class:`Services` built by
:mod:`bot.bootstrap` and never build storage or indexes themselves, so a rule of the
product has one home.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.advice_flow import AdviceFlowService
from bot.asking import AskService
from bot.clock import Clock
from bot.club import ClubService
from bot.club.social import ClubSocial
from bot.coaching import CoachingService
from bot.dialogues.service import DialogueService
from bot.guidance import GuidanceService
from bot.guild_config import GuildConfigService
from bot.guild_knowledge import GuildKnowledge
from bot.limits import UsageLimits
from bot.llm import ModelGateway
from bot.ops.coordination import exclusive
from bot.ops.liveness import Liveness
from bot.ops.metrics import Metrics
from bot.privacy import PrivacyService
from bot.scheduling import Deliverer, Outbox, Scheduler
from bot.scheduling.wiring import start_scheduler
from bot.settings import Settings
from bot.storage import Database
from bot.storage.repositories import (
    GuildNoteRepository,
    StateRepository,
    UserRepository,
)
from knowledge.service import IngestReport, KnowledgeBase

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What one process runs: built by :func:`bot.bootstrap.build_services`, every
    collaborator required and none attached afterwards."""

    settings: Settings
    db: Database
    knowledge: KnowledgeBase
    model: ModelGateway
    clock: Clock
    metrics: Metrics
    #: This process's name: the owner written on the work it claims.
    worker: str
    #: Which processes sharing the database still run (their claims are theirs).
    liveness: Liveness
    #: Cooldowns and the model budget, counted in the database: one allowance across
    #: every process sharing it.
    limits: UsageLimits
    state: StateRepository
    users: UserRepository
    guild_notes: GuildNoteRepository
    advice_flow: AdviceFlowService
    guild_knowledge: GuildKnowledge
    guidance: GuidanceService
    asking: AskService
    guild_config: GuildConfigService
    outbox: Outbox
    dialogues: DialogueService
    scheduler: Scheduler
    coaching: CoachingService
    club: ClubService
    #: The club's pairs, pushes and forgiving streaks.
    social: ClubSocial
    privacy: PrivacyService
    #: Run once the library is ready, just before "knowledge ready" is logged: the
    #: Discord runner settles the start-up heap there (:mod:`bot.ops.heap`).
    on_ready: Callable[[], None] | None = None
    _knowledge_ready: asyncio.Task[IngestReport] | None = field(default=None, init=False)

    def knowledge_ready(self) -> asyncio.Task[IngestReport]:
        """Index the shipped notes (only what changed) and every server's notes, once.

        Returns the shared task, so the bot can start it in the background at start-up
        and the first question simply awaits it.
        """
        if self._knowledge_ready is None or (
            self._knowledge_ready.done() and self._knowledge_ready.exception() is not None
        ):
            self._knowledge_ready = asyncio.create_task(self._prepare_knowledge())
        return self._knowledge_ready

    async def _prepare_knowledge(self) -> IngestReport:
        # Once across shard processes sharing PostgreSQL: the others wait, then find
        # nothing left to embed.
        async with exclusive(self.db, "knowledge-index"):
            report = await self.knowledge.ensure_index()
            for problem in report.problems:
                log.warning("note skipped: %s", problem)
            restored = await self.guild_knowledge.restore_all()
        # Before "ready": every /ask judges distress, and the first answers rank sentences
        # with the static vectors; loading either during a burst of interactions would
        # hold every one of them up.
        await asyncio.to_thread(self.knowledge.warm_up)
        await asyncio.to_thread(self.asking.detector.warm_up)
        if self.on_ready is not None:
            self.on_ready()
        log.info(
            "knowledge ready: %d notes (%d chunks embedded now), %d server notes",
            report.notes,
            report.chunks_added,
            restored,
        )
        return report

    async def moderator_role_ids(self, guild_id: int) -> tuple[int, ...]:
        """Roles a server configured as moderators."""
        return tuple((await self.guild_config.get(guild_id)).moderator_role_ids)

    def scheduler_start(self, deliverer: Deliverer) -> asyncio.Task[None]:
        """Start sending due outbox items through ``deliverer`` (the Discord adapter's)."""
        return start_scheduler(self, deliverer)

    async def close(self) -> None:
        await self.scheduler.stop()
        if self._knowledge_ready is not None and not self._knowledge_ready.done():
            self._knowledge_ready.cancel()
        self.knowledge.close()
        await self.liveness.stop()
        await self.limits.close()
        await self.db.dispose()
