"""A configured model's second opinion on close calls, through the real OpenAI client
against the fake OpenAI-compatible server (structured output)."""

from __future__ import annotations

import json

from bot.advice import AdviceChecker
from bot.advice_flow import AdviceFlowService, DraftStore
from bot.advice_flow.second_opinion import Opinion
from bot.guild_config import GuildConfigService
from bot.guild_config.model import GuildConfig
from bot.guild_config.repository import GuildConfigRepository
from bot.llm import ModelGateway
from bot.settings import load_settings
from bot.storage import Database
from tests.advice_flow.conftest import ALICE, BOB, GUILD, MODERATOR, WRITER
from tests.advice_flow.test_drafts import context
from tests.llm_fakes import steerable_openai_server

# Two small unasked tips: a close call once the server's cut sits near its score.
MILD = "Well done! You'll want proper shoes at some point."


async def flow_with(database: Database, base_url: str) -> AdviceFlowService:
    settings = load_settings(
        llm_model="openai:touchstone-test", llm_base_url=base_url, llm_api_key="sk-test-1"
    )
    flow = AdviceFlowService(
        DraftStore(database),
        GuildConfigService(GuildConfigRepository(database)),
        ModelGateway.from_settings(settings),
        model_budget=5.0,
    )
    # Put the server's cut just under MILD's offline score: a close call, flagged offline.
    score = AdviceChecker().check(ALICE, MILD).score
    assert 0.2 <= score - 0.05 <= 0.8, f"MILD ({score}) must be a close call some cut can reach"
    config = GuildConfig()
    config.advice.sensitivity = round(min(1.0, max(0.0, (0.8 - (score - 0.05)) / 0.6)), 3)
    await flow.guild_config.replace(GUILD, config, MODERATOR)
    return flow


def opinion(overwhelming: bool, reason: str) -> str:
    return Opinion(overwhelming=overwhelming, confidence="high", reason=reason).model_dump_json()


async def test_on_a_close_call_the_models_opinion_decides_and_is_shown(
    database: Database,
) -> None:
    async with steerable_openai_server(
        opinion(False, "One friendly tip; it reads as care.")
    ) as llm:
        flow = await flow_with(database, llm.base_url)
        draft = await flow.start(WRITER, context(ALICE), MILD)
        assert not draft.flagged and draft.report.verdict_source == "model"
        assert "it reads as care" in draft.report.reasons[0].message
        (request,) = llm.received
        # Structured output was asked for, and the member's text went only as data.
        assert "response_format" in request or "tools" in request
        assert MILD not in request["messages"][0]["content"]
        assert MILD in json.dumps(request["messages"][-1]["content"])


async def test_a_broken_answer_leaves_the_offline_verdict(database: Database) -> None:
    async with steerable_openai_server("not json at all") as llm:
        flow = await flow_with(database, llm.base_url)
        draft = await flow.start(WRITER, context(ALICE), MILD)
        assert draft.flagged and draft.report.verdict_source == "checker"
        llm.mode = "slow"
        llm.delay = 30
        flow.model_budget = 0.3
        slow = await flow.start(WRITER, context(ALICE), MILD)
        assert slow.flagged and slow.report.verdict_source == "checker"


async def test_clear_cases_never_ask_the_model(database: Database) -> None:
    async with steerable_openai_server(opinion(False, "fine")) as llm:
        flow = await flow_with(database, llm.base_url)
        bob = await flow.start(WRITER, context(ALICE), BOB)
        assert bob.flagged and bob.report.verdict_source == "checker"
        kind = await flow.start(WRITER, context(ALICE), "Congrats!! How did it feel?")
        assert not kind.flagged
        assert [r for r in llm.received if "response_format" in r or "tools" in r] == []
