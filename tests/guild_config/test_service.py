"""Server configuration: defaults, atomic changes with an audit trail, cache invalidation."""

from __future__ import annotations

from bot.guild_config import AdvicePolicy, GuildConfig, GuildConfigService
from bot.storage import Database


async def test_untouched_server_gets_defaults_and_changes_are_audited(database: Database) -> None:
    service = GuildConfigService(database)
    config = await service.get(10)
    assert config == GuildConfig()
    assert config.advice.policy_for(5) is AdvicePolicy.OFF

    changed = config.model_copy(deep=True)
    changed.advice.sensitivity = 0.8
    changed.advice.channel_policies[5] = AdvicePolicy.HOLD
    changes = await service.replace(10, changed, actor_id=77)
    assert {c.key for c in changes} == {"advice.sensitivity", "advice.channel_policies"}

    fresh = await GuildConfigService(database).get(10)  # another process, empty cache
    assert fresh.advice.sensitivity == 0.8
    assert fresh.advice.policy_for(99, parent_id=5) is AdvicePolicy.HOLD
    history = await service.history(10)
    assert {(h.key, h.actor_id) for h in history} == {
        ("advice.sensitivity", 77),
        ("advice.channel_policies", 77),
    }
    assert await service.replace(10, fresh, actor_id=77) == []


async def test_a_change_is_seen_on_the_next_read_without_restart(database: Database) -> None:
    service = GuildConfigService(database, ttl=3600)
    before = await service.get(1)
    updated = before.model_copy(update={"moderator_role_ids": [123]})
    await service.replace(1, updated, actor_id=2)
    assert (await service.get(1)).moderator_role_ids == [123]
