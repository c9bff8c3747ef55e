"""The domain services, built once per process and shared by every adapter.

Adapters (Discord, console, command line) receive a :class:`Services` and never
build storage or indexes themselves, so a rule of the product has one home.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from bot.advice_flow import AdviceFlowService, DraftStore
from bot.asking import AskService, AskStore
from bot.care import CareDetector
from bot.clock import Clock, SystemClock
from bot.club import ClubRepository, ClubService, CoachingPracticeLog
from bot.club.social import ClubSocial, build_social
from bot.coaching import CoachingService, CoachingStore
from bot.dialogues.service import DialogueService
from bot.dialogues.wiring import build_dialogues
from bot.guidance import GuidanceService
from bot.guild_config import GuildConfigService
from bot.guild_knowledge import GuildKnowledge
from bot.limits import UsageLimits, limits_from_settings
from bot.llm import ModelGateway
from bot.ops.coordination import exclusive
from bot.ops.liveness import Liveness
from bot.ops.metrics import Metrics
from bot.ops.wiring import observe_services
from bot.privacy import PrivacyService
from bot.scheduling import Deliverer, Outbox, Scheduler
from bot.scheduling.clock_control import clock_from_settings
from bot.scheduling.scheduler import worker_name
from bot.scheduling.wiring import build_scheduling, start_scheduler
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
    settings: Settings
    db: Database
    knowledge: KnowledgeBase
    model: ModelGateway
    clock: Clock = field(default_factory=SystemClock)
    metrics: Metrics = field(default_factory=Metrics)  # services.metrics.advice_verdict(...) etc.
    #: This process's name: the owner written on the work it claims.
    worker: str = field(init=False)
    #: Which processes sharing the database still run (their claims are theirs).
    liveness: Liveness = field(init=False)
    #: Cooldowns and the model budget, counted in the database: one allowance across
    #: every process sharing it.
    limits: UsageLimits = field(init=False)
    state: StateRepository = field(init=False)
    users: UserRepository = field(init=False)
    guild_notes: GuildNoteRepository = field(init=False)
    advice_flow: AdviceFlowService = field(init=False)
    guild_knowledge: GuildKnowledge = field(init=False)
    guidance: GuidanceService = field(init=False)
    asking: AskService = field(init=False)
    guild_config: GuildConfigService = field(init=False)
    outbox: Outbox = field(init=False)
    dialogues: DialogueService = field(init=False)
    scheduler: Scheduler = field(init=False)
    coaching: CoachingService = field(init=False)
    club: ClubService = field(init=False)
    #: The club's pairs, pushes and forgiving streaks.
    social: ClubSocial = field(init=False)
    privacy: PrivacyService = field(init=False)
    _knowledge_ready: asyncio.Task[IngestReport] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.worker = worker_name()
        self.liveness = Liveness(self.db, self.worker)
        self.limits = limits_from_settings(self.settings, self.db, self.clock)
        if self.model.limits is None:  # a test may have given its gateway its own
            self.model.limits = self.limits
        self.state = StateRepository(self.db)
        self.users = UserRepository(self.db)
        self.guild_notes = GuildNoteRepository(self.db)
        self.guild_knowledge = GuildKnowledge(self.guild_notes, self.knowledge)
        self.guild_config = GuildConfigService(self.db)
        self.guidance = GuidanceService(self.knowledge, self.model, self.guild_config)
        self.asking = AskService(
            self.guidance,
            AskStore(self.db),
            self.guild_config,
            CareDetector(self.knowledge.embeddings),
            self.clock.now,
        )
        self.advice_flow = AdviceFlowService(
            DraftStore(self.db),
            self.guild_config,
            self.model,
            self.settings.advice_model_budget,
            worker=self.worker,
            alive=self.liveness.alive,
        )
        self.outbox, self.scheduler = build_scheduling(self)
        coaching_store = CoachingStore(self.db)
        self.coaching = CoachingService(
            coaching_store, self.outbox, self.clock, guild_config=self.guild_config
        )
        self.club = ClubService(
            ClubRepository(self.db),
            self.outbox,
            self.clock,
            self.guild_config,
            CoachingPracticeLog(coaching_store),
        )
        self.privacy = PrivacyService(self.db, self.clock)
        self.social = build_social(
            self.db, self.outbox, self.clock, self.guild_config, self.coaching, self.privacy
        )
        self.dialogues = build_dialogues(self)
        self.coaching.predictions = self.dialogues.prediction_tally
        observe_services(self)

    @classmethod
    async def start(cls, settings: Settings, *, clock: Clock | None = None) -> Services:
        """Create the data directory, open the database and bring its schema to head."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.resolved_database_url, busy_timeout=settings.sqlite_busy_timeout)
        await db.migrate()
        log.debug("database ready: %s", db.describe())
        services = cls(
            settings=settings,
            db=db,
            knowledge=KnowledgeBase.from_settings(settings),
            model=ModelGateway.from_settings(settings),
            clock=clock or clock_from_settings(settings),
        )
        await services.liveness.start()
        await services.limits.open()
        return services

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
        # Before "ready": /ask judges distress before it acknowledges (see AskService.assess),
        # and the first answers rank sentences with the static vectors; loading either
        # during a burst of interactions would hold every one of them up.
        await asyncio.to_thread(self.knowledge.warm_up)
        await asyncio.to_thread(self.asking.detector.warm_up)
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
