"""The console offers the same configuration as /config, on its simulated server."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.bootstrap import build_services
from bot.console.app import CONSOLE_GUILD_ID, CONSOLE_USER_ID, Console
from bot.llm import ModelGateway
from bot.services import Services
from bot.settings import Settings
from bot.storage import Database
from knowledge.service import KnowledgeBase


@pytest.fixture
async def services(database: Database, tmp_path: Path) -> AsyncIterator[Services]:
    knowledge = KnowledgeBase(tmp_path / "chroma", notes_dirs=[])
    services = build_services(
        settings=Settings(data_dir=tmp_path),
        db=database,
        knowledge=knowledge,
        model=ModelGateway(None),
    )
    yield services
    knowledge.close()


async def run(services: Services, *lines: str) -> list[str]:
    out = io.StringIO()
    console = Console(services, stdin=io.StringIO("\n".join([*lines, "quit"]) + "\n"), stdout=out)
    await console.run()
    return out.getvalue().splitlines()


async def test_console_sets_exports_imports_and_shows_history(
    services: Services, tmp_path: Path
) -> None:
    exported = tmp_path / "settings.json"
    broken = tmp_path / "broken.json"
    output = await run(
        services,
        "config set advice.sensitivity 0.8",
        f"config set advice.channel_policies.{555} hold",
        "config set model.instructions_template 'Welcome to {server_name}. {tone}'",
        f"config export {exported}",
        "config set advice.sensitivity 0.2",
        f"config import {exported}",
    )
    assert "advice.sensitivity: 0.5 -> 0.8" in output
    assert "advice.channel_policies.555: none -> hold" in output
    assert "advice.sensitivity: 0.2 -> 0.8" in output  # the import restored the export
    config = await services.guild_config.get(CONSOLE_GUILD_ID)
    assert config.advice.sensitivity == 0.8
    assert config.model.instructions_template == "Welcome to {server_name}. {tone}"

    document = json.loads(exported.read_text())
    document["advice"]["sensitivity"] = 9
    document["dialogues"]["max_depth"] = "deep"
    broken.write_text(json.dumps(document))
    output = await run(
        services,
        f"config import {broken}",
        "config set model.instructions_template 'Answer {member_text}'",
        "config set nonsense 1",
        "config history",
    )
    assert "Nothing was changed:" in output
    assert "- advice.sensitivity: must be <= 1.0" in output
    assert "- dialogues.max_depth: must be a whole number" in output
    assert any(
        line.startswith("- model.instructions_template: unknown placeholder") for line in output
    )
    assert any(line.startswith("- nonsense: unknown key") for line in output)
    history = [line for line in output if f"user {CONSOLE_USER_ID}" in line]
    assert len(history) == 5  # three sets, the manual 0.2, the import back to 0.8
    assert (await services.guild_config.get(CONSOLE_GUILD_ID)).advice.sensitivity == 0.8


async def test_console_reset_asks_before_resetting_everything(services: Services) -> None:
    output = await run(
        services,
        "config set model.tone direct",
        "config set dialogues.max_depth 5",
        "config reset",
        "config show model",
        "config reset dialogues.max_depth",
        "config reset all",
        "config show model",
    )
    assert "This resets every setting; type 'config reset all' to confirm." in output
    shown_before = output.index("MODEL")
    assert "  model.tone = direct" in output[shown_before:]
    assert "dialogues.max_depth: 5 -> 3" in output
    assert "model.tone: direct -> warm" in output
    assert "  model.tone = warm" in output[output.index("model.tone: direct -> warm") :]


async def test_console_refuses_bad_usage_in_one_line(services: Services, tmp_path: Path) -> None:
    output = await run(
        services,
        "config",
        "config set advice.sensitivity",
        f"config import {tmp_path / 'missing.json'}",
        "config show colours",
    )
    assert len(output) == 4
    assert all(line.startswith("error: ") for line in output)
