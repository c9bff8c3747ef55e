"""A flow service on a real database (SQLite and PostgreSQL), with an optional fake model."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.advice_flow import AdviceFlowService, DraftStore
from bot.guild_config import GuildConfigService
from bot.guild_config.model import AdvicePolicy, GuildConfig
from bot.guild_config.repository import GuildConfigRepository
from bot.llm import ModelGateway
from bot.storage import Database
from tests.llm_fakes import RecordingChatModel

GUILD = 10
CHANNEL = 20
FORUM = 30
THREAD = 31
WRITER = 100
POSTER = 200
MODERATOR = 300

ALICE = "I've just started running again! Did 2km today, mostly walking, but I'm proud of it."
BOB = (
    "You need to get a gait analysis before you run another step. Make sure you do 80% of runs "
    "in zone 2. Don't run two days in a row. You should be doing strength work twice a week, "
    "and watch out for shin splints. Also get proper shoes, the cheap ones will wreck your knees."
)
KIND = "That's a great start, well done! How did it feel to be out there again?"
NEUTRAL_POST = "Posting my running log for this week."

Configure = Callable[..., Awaitable[None]]


def make_flow(database: Database, model: RecordingChatModel | None = None) -> AdviceFlowService:
    return AdviceFlowService(
        DraftStore(database),
        GuildConfigService(GuildConfigRepository(database)),
        ModelGateway(model=model, timeout=5.0),
        model_budget=0.5,
    )


@pytest.fixture
def flow(database: Database) -> AdviceFlowService:
    return make_flow(database)


@pytest.fixture
def configure(flow: AdviceFlowService) -> Configure:
    """Set the test server's advice settings the way a moderator's /config would."""

    async def apply(
        *,
        sensitivity: float = 0.5,
        policies: dict[int, AdvicePolicy] | None = None,
        sharing_tags: tuple[str, ...] = (),
        details_tags: tuple[str, ...] = (),
    ) -> None:
        config = GuildConfig()
        config.advice.sensitivity = sensitivity
        config.advice.channel_policies = dict(policies or {})
        config.advice.sharing_tags = list(sharing_tags)
        config.advice.details_tags = list(details_tags)
        await flow.guild_config.replace(GUILD, config, MODERATOR)

    return apply
