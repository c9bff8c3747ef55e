"""The advice flow tells the metrics about every verdict (for /metrics)."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from bot.advice_flow import AdviceFlowService, DraftStore
from bot.advice_flow.model import PostContext
from bot.guild_config import GuildConfigService
from bot.guild_config.repository import GuildConfigRepository
from bot.llm import ModelGateway
from bot.ops.metrics import Metrics
from bot.storage import Database


async def test_every_verdict_is_counted_in_the_metrics(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    await db.migrate()
    try:
        metrics = Metrics()
        flow = AdviceFlowService(
            DraftStore(db), GuildConfigService(GuildConfigRepository(db)), ModelGateway(model=None)
        )
        flow.on_verdict = metrics.advice_verdict
        context = PostContext(post_text="I just started the violin, my first week!")
        await flow.check(context, "Nice! Enjoy it.")
        await flow.check(
            context, "You're doing it wrong. Learn music theory first, honestly just quit."
        )
        families = {f.name: f for f in text_string_to_metric_families(metrics.render().decode())}
        counted = {
            s.labels["verdict"]: s.value
            for s in families["touchstone_advice_checks"].samples
            if s.name.endswith("_total")
        }
        assert counted == {"fine": 1.0, "flagged": 1.0}
    finally:
        await db.dispose()
