"""Building the dialogue service from its collaborators (one line in bot.bootstrap)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from bot.dialogues.facilitator import Facilitator
from bot.dialogues.model import DialogueSettings, Similarity
from bot.dialogues.records import FOLLOWUP_KIND, TIMER_KIND, ServerRules
from bot.dialogues.service import DialogueService
from bot.scheduling.registry import KindRegistry

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.guild_config import GuildConfigService
    from bot.llm import ModelGateway
    from bot.scheduling.outbox import Outbox
    from bot.settings import Settings
    from bot.storage import Database
    from knowledge.embeddings import MiniLMEmbeddings
    from knowledge.service import KnowledgeBase


def embedding_similarity(embeddings: MiniLMEmbeddings) -> Similarity:
    """Cosine similarity of meaning with the offline MiniLM model, in a worker thread."""

    def compute(left: Sequence[str], right: Sequence[str]) -> list[list[float]]:
        vectors = embeddings.embed_array([*left, *right])
        a, b = vectors[: len(left)], vectors[len(left) :]
        scores: list[list[float]] = np.clip(a @ b.T, -1.0, 1.0).tolist()
        return scores

    async def similarity(left: Sequence[str], right: Sequence[str]) -> list[list[float]]:
        return await asyncio.to_thread(compute, left, right)

    return similarity


def build_dialogues(
    settings: Settings,
    db: Database,
    clock: Clock,
    model: ModelGateway,
    knowledge: KnowledgeBase,
    outbox: Outbox,
    guild_config: GuildConfigService,
) -> DialogueService:
    async def rules(guild_id: int) -> ServerRules:
        return await server_rules(guild_config, guild_id)

    dialogues = DialogueService(
        db,
        clock,
        settings=DialogueSettings(
            max_depth=settings.dialogue_max_depth,
            reminder_after_hours=settings.dialogue_reminder_hours,
            expire_after_days=settings.dialogue_expiry_days,
        ),
        facilitator=Facilitator(model, knowledge),
        similarity=embedding_similarity(knowledge.embeddings),
        outbox=lambda: outbox,
        rules=rules,
    )
    register_kinds(outbox.kinds, dialogues)
    return dialogues


def register_kinds(kinds: KindRegistry, dialogues: DialogueService) -> None:
    """The dialogues' outbox kinds that need more than their payload's text."""
    # A step's timer ping is checked at send time: none once the step is over.
    kinds.register(TIMER_KIND, dialogues.render_timer)
    # Once "What happened?" is sent, the person's DM reply is its answer.
    kinds.register(FOLLOWUP_KIND, None, dialogues.followup_sent)


async def server_rules(guild_config: GuildConfigService, guild_id: int) -> ServerRules:
    """The dialogue section of the server's configuration, as the engine needs it."""
    section = (await guild_config.get(guild_id)).dialogues
    return ServerRules(
        enabled=frozenset(d.value for d in section.enabled),
        max_depth=section.max_depth,
        public_summaries=section.public_summaries,
        thread_channel_id=section.thread_channel_id,
    )
