"""Builds the process's domain services, in dependency order, once.

Every collaborator is made here and handed to what needs it through its
constructor: nothing is attached afterwards, nothing is optional, and the order of
the lines below is the order of the dependencies. Adapters (the Discord bot, the
console, the command line) call :func:`bootstrap` and pass on only the services
each part uses. Tests call :func:`build_services` with their own database, index,
model or clock.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from bot.advice_flow import AdviceFlowService, DraftStore
from bot.asking import AskService, AskStore
from bot.care import CareDetector
from bot.clock import Clock, SystemClock
from bot.club import ClubRepository, ClubService, CoachingPracticeLog
from bot.club.social import build_social
from bot.coaching import CoachingService, CoachingStore
from bot.dialogues.wiring import build_dialogues
from bot.guidance import GuidanceService
from bot.guild_config import GuildConfigService
from bot.guild_config.repository import GuildConfigRepository
from bot.guild_knowledge import GuildKnowledge
from bot.limits import limits_from_settings
from bot.llm import ModelGateway
from bot.ops.liveness import Liveness
from bot.ops.metrics import Metrics
from bot.ops.wiring import observe_queue
from bot.privacy import PrivacyService
from bot.privacy.repository import PrivacyRepository
from bot.scheduling.clock_control import SteerableClock, clock_from_settings
from bot.scheduling.scheduler import worker_name
from bot.scheduling.wiring import build_scheduling
from bot.services import Services
from bot.settings import Settings
from bot.storage import Database
from bot.storage.repositories import GuildNoteRepository, StateRepository, UserRepository
from knowledge.service import KnowledgeBase

log = logging.getLogger(__name__)


async def bootstrap(
    settings: Settings,
    *,
    clock: Clock | None = None,
    on_ready: Callable[[], None] | None = None,
) -> Services:
    """Open the database (schema brought to head), then build and start the services.

    ``on_ready`` runs once the library is ready (see :attr:`Services.on_ready`).
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url, busy_timeout=settings.sqlite_busy_timeout)
    await db.migrate_apart()
    log.debug("database ready: %s", db.describe())
    services = build_services(
        settings,
        db,
        KnowledgeBase.from_settings(settings),
        ModelGateway.from_settings(settings),
        clock or clock_from_settings(settings),
        on_ready=on_ready,
    )
    await services.liveness.start()
    await services.limits.open()
    return services


def build_services(
    settings: Settings,
    db: Database,
    knowledge: KnowledgeBase,
    model: ModelGateway,
    clock: Clock | None = None,
    metrics: Metrics | None = None,
    *,
    on_ready: Callable[[], None] | None = None,
) -> Services:
    """Every domain service over one database, index, model and clock."""
    # Same time as the system clock until someone (the console) moves it forward.
    clock = SteerableClock() if clock is None or isinstance(clock, SystemClock) else clock
    metrics = metrics or Metrics()
    worker = worker_name()
    liveness = Liveness(db, worker)
    limits = limits_from_settings(settings, db, clock)
    if model.limits is None:  # a test may have given its gateway limits of its own
        model = dataclasses.replace(model, limits=limits)
    metrics.observe_model_counts(model.counts)
    users = UserRepository(db)
    guild_notes = GuildNoteRepository(db)
    guild_config = GuildConfigService(GuildConfigRepository(db))
    guidance = GuidanceService(knowledge, model, guild_config)
    asking = AskService(
        guidance, AskStore(db), guild_config, CareDetector(knowledge.embeddings), clock.now
    )
    advice_flow = AdviceFlowService(
        DraftStore(db),
        guild_config,
        model,
        settings.advice_model_budget,
        on_verdict=metrics.advice_verdict,
        worker=worker,
        alive=liveness.alive,
    )
    outbox, scheduler = build_scheduling(settings, db, clock, users, worker, liveness)
    observe_queue(metrics, db, clock)
    dialogues = build_dialogues(settings, db, clock, model, knowledge, outbox, guild_config)
    coaching_store = CoachingStore(db)
    coaching = CoachingService(
        coaching_store,
        outbox,
        clock,
        guild_config=guild_config,
        predictions=dialogues.prediction_tally,
    )
    club = ClubService(
        ClubRepository(db), outbox, clock, guild_config, CoachingPracticeLog(coaching_store)
    )
    privacy = PrivacyService(PrivacyRepository(db), clock)
    social = build_social(db, outbox, clock, guild_config, coaching, privacy)
    return Services(
        settings=settings,
        db=db,
        knowledge=knowledge,
        model=model,
        clock=clock,
        metrics=metrics,
        worker=worker,
        liveness=liveness,
        limits=limits,
        state=StateRepository(db),
        users=users,
        guild_notes=guild_notes,
        advice_flow=advice_flow,
        guild_knowledge=GuildKnowledge(guild_notes, knowledge),
        guidance=guidance,
        asking=asking,
        guild_config=guild_config,
        outbox=outbox,
        dialogues=dialogues,
        scheduler=scheduler,
        coaching=coaching,
        club=club,
        social=social,
        privacy=privacy,
        on_ready=on_ready,
    )
