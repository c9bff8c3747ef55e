"""Server configuration: defaults, atomic audited changes, caching across processes."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.guild_config import AdvicePolicy, ConfigError, GuildConfig, GuildConfigService
from bot.guild_config.render import export_json
from bot.guild_config.repository import GuildConfigRepository
from bot.storage import Database
from bot.storage.config_models import ConfigAudit


async def audit_count(database: Database) -> int:
    async with database.session() as session:
        from sqlalchemy import func, select

        return int(await session.scalar(select(func.count()).select_from(ConfigAudit)) or 0)


async def test_untouched_server_gets_defaults_and_changes_are_audited(database: Database) -> None:
    service = GuildConfigService(GuildConfigRepository(database))
    config = await service.get(10)
    assert config == GuildConfig()
    assert config.advice.policy_for(5) is AdvicePolicy.OFF

    changed = config.model_copy(deep=True)
    changed.advice.sensitivity = 0.8
    changed.advice.channel_policies[5] = AdvicePolicy.HOLD
    changes = await service.replace(10, changed, actor_id=77)
    assert {c.key for c in changes} == {"advice.sensitivity", "advice.channel_policies.5"}

    # another process, empty cache
    fresh = await GuildConfigService(GuildConfigRepository(database)).get(10)
    assert fresh.advice.sensitivity == 0.8
    assert fresh.advice.policy_for(99, parent_id=5) is AdvicePolicy.HOLD
    history = await service.history(10)
    assert {(h.key, h.actor_id, h.old, h.new) for h in history} == {
        ("advice.sensitivity", 77, "0.5", "0.8"),
        ("advice.channel_policies.5", 77, "null", '"hold"'),
    }
    assert await service.replace(10, fresh, actor_id=77) == []


async def test_a_change_is_seen_on_the_next_read_without_restart(database: Database) -> None:
    service = GuildConfigService(GuildConfigRepository(database), ttl=3600)
    await service.get(1)
    await service.set_value(1, "moderator_role_ids", "<@&123>", actor_id=2)
    assert (await service.get(1)).moderator_role_ids == [123]


async def test_another_process_picks_up_a_change_after_checking_the_version(
    database: Database,
) -> None:
    writer = GuildConfigService(GuildConfigRepository(database))
    reader = GuildConfigService(GuildConfigRepository(database), ttl=0)
    assert (await reader.get(3)).advice.sensitivity == 0.5
    await writer.set_value(3, "advice.sensitivity", "0.9", actor_id=1)
    # The reader keeps answering from memory and refreshes in the background...
    assert (await reader.get(3)).advice.sensitivity == 0.5
    assert (await reader.refresh(3)).advice.sensitivity == 0.9
    assert reader.cached(3) is not None and reader.cached(3).advice.sensitivity == 0.9  # type: ignore[union-attr]


async def test_a_stale_read_refreshes_in_the_background_without_waiting(database: Database) -> None:
    writer = GuildConfigService(GuildConfigRepository(database))
    reader = GuildConfigService(GuildConfigRepository(database), ttl=0)
    await reader.get(4)
    await writer.set_value(4, "model.enabled", "off", actor_id=1)
    assert (await reader.get(4)).model.enabled is True  # served from memory
    for _ in range(500):  # the background refresh lands on its own
        await asyncio.sleep(0.02)
        if reader.cached(4) is not None and reader.cached(4).model.enabled is False:  # type: ignore[union-attr]
            break
    assert (await reader.get(4)).model.enabled is False


async def test_an_invalid_value_changes_nothing_and_names_the_key(database: Database) -> None:
    service = GuildConfigService(GuildConfigRepository(database))
    with pytest.raises(ConfigError) as caught:
        await service.set_value(5, "advice.sensitivity", "7", actor_id=1)
    assert [p.key for p in caught.value.problems] == ["advice.sensitivity"]
    assert await GuildConfigService(GuildConfigRepository(database)).get(5) == GuildConfig()
    assert await service.history(5) == []


async def test_an_invalid_import_changes_nothing_and_lists_every_problem(
    database: Database,
) -> None:
    service = GuildConfigService(GuildConfigRepository(database))
    await service.set_value(6, "advice.sensitivity", "0.3", actor_id=1)
    before = await audit_count(database)
    document = json.loads(export_json(GuildConfig()))
    document["advice"]["sensitivity"] = -1
    document["dialogues"]["max_depth"] = 99
    document["report_channel_id"] = "the mods"
    with pytest.raises(ConfigError) as caught:
        await service.import_file(6, json.dumps(document).encode(), actor_id=1)
    assert {p.key for p in caught.value.problems} == {
        "advice.sensitivity",
        "dialogues.max_depth",
        "report_channel_id",
    }
    assert (
        await GuildConfigService(GuildConfigRepository(database)).get(6)
    ).advice.sensitivity == 0.3
    assert await audit_count(database) == before


async def test_export_then_import_round_trips_without_audit_changes(database: Database) -> None:
    service = GuildConfigService(GuildConfigRepository(database))
    await service.set_value(7, "advice.channel_policies.<#44>", "hold", actor_id=1)
    await service.set_value(7, "coaching.default_prompts", "One | Two, three", actor_id=1)
    await service.set_value(7, "model.instructions_template", "Hi {server_name}", actor_id=1)
    exported = await service.export_file(7)
    before = await audit_count(database)
    update = await service.import_file(7, exported.encode(), actor_id=2)
    assert update.changes == []
    assert await audit_count(database) == before
    assert await GuildConfigService(GuildConfigRepository(database)).export_file(7) == exported


async def test_reset_one_key_or_everything_is_audited(database: Database) -> None:
    service = GuildConfigService(GuildConfigRepository(database))
    await service.set_value(8, "dialogues.max_depth", "5", actor_id=1)
    await service.set_value(8, "model.tone", "direct", actor_id=1)
    update = await service.reset(8, "dialogues.max_depth", actor_id=2)
    assert [(c.key, c.old, c.new) for c in update.changes] == [("dialogues.max_depth", "5", "3")]
    update = await service.reset(8, None, actor_id=2)
    assert [c.key for c in update.changes] == ["model.tone"]
    assert await GuildConfigService(GuildConfigRepository(database)).get(8) == GuildConfig()
    assert [h.key for h in await service.history(8)][:2] == ["model.tone", "dialogues.max_depth"]


async def test_concurrent_changes_to_different_keys_both_survive(database: Database) -> None:
    service = GuildConfigService(GuildConfigRepository(database))
    await asyncio.gather(
        service.set_value(9, "advice.sensitivity", "0.1", actor_id=1),
        service.set_value(9, "dialogues.max_depth", "6", actor_id=2),
        service.set_value(9, "advice.channel_policies.3", "nudge", actor_id=3),
    )
    stored = await GuildConfigService(GuildConfigRepository(database)).get(9)
    assert (stored.advice.sensitivity, stored.dialogues.max_depth) == (0.1, 6)
    assert stored.advice.channel_policies == {3: AdvicePolicy.NUDGE}


async def test_a_stored_setting_that_no_longer_validates_does_not_break_the_server(
    database: Database,
) -> None:
    from bot.storage.config_models import GuildConfigRow

    async with database.session() as session:
        session.add(
            GuildConfigRow(
                guild_id=11,
                data=json.dumps({"advice": {"sensitivity": 0.2, "retired": 1}, "gone": True}),
                version=1,
            )
        )
    config = await GuildConfigService(GuildConfigRepository(database)).get(11)
    assert config.advice.sensitivity == 0.2
