"""Issue 13 #8 and #9 through the fake Discord: templates are placeholders only, and
pathological /config import files get a clear message, never a traceback."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import StartBot
from tests.e2e.harness import BotProcess
from tests.e2e.members import club_member
from tests.e2e.test_config import Moderator, final, text_of
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import PracticeClub
from tests.llm_fakes import openai_compatible_server

pytestmark = pytest.mark.e2e
BAD_TEMPLATES = ["Server {server_name:d}", "{server_name:>300000000}", "{server_name.upper}"]


def assert_clean_log(bot: BotProcess) -> None:
    assert "Traceback" not in bot.log, bot.log
    assert " ERROR " not in bot.log and "ERROR:" not in bot.log, bot.log


async def test_templates_with_format_specs_are_refused_at_set_and_import(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    club, mod = practice_club, Moderator(fake_discord, practice_club)
    async with openai_compatible_server(reply="Start with five minutes a day [1].") as (
        base_url,
        received,
    ):
        bot = await start_bot(
            env={
                "TOUCHSTONE_LLM_MODEL": "openai:gpt-4o-mini",
                "TOUCHSTONE_LLM_BASE_URL": base_url,
                "TOUCHSTONE_LLM_API_KEY": "sk-test-not-a-secret",
            }
        )
        before = await mod.export()
        for template in BAD_TEMPLATES:
            refused = await mod.text("set", key="model.instructions_template", value=template)
            assert "Nothing was changed" in refused, refused
            assert "not allowed" in refused and "{server_name}" in refused, refused

            document = json.loads(before)
            document["model"]["instructions_template"] = template
            imported = await mod.text(
                "import", file=("settings.json", json.dumps(document).encode())
            )
            assert "Nothing was changed" in imported and "not allowed" in imported, imported
        assert await mod.export() == before

        interaction = await club_member(fake_discord, club).run(
            "/ask", question="How do I practise deliberately?"
        )
        assert "five minutes a day" in text_of(await final(interaction))
        assert len(received) == 1
        assert_clean_log(bot)


@pytest.mark.parametrize(
    ("raw", "limit"),
    [
        (b"[" * 60_000, "levels deep; the limit is 32"),
        (b'{"advice": {"sensitivity": 1' + b"0" * 5_000 + b"}}", "the limit is 100"),
        (b'{"advice": ' + b"[" * 500 + b"]" * 500 + b"}", "the limit is 32"),
        (b"{" + b" " * (200 * 1024) + b"}", "64 KB"),
    ],
    ids=["brackets", "long-integer", "deep-nesting", "huge-file"],
)
async def test_pathological_imports_state_the_limit_without_a_traceback(
    bot: BotProcess,
    fake_discord: FakeDiscord,
    practice_club: PracticeClub,
    raw: bytes,
    limit: str,
) -> None:
    mod = Moderator(fake_discord, practice_club)
    reply = await mod.text("import", file=("settings.json", raw))
    assert "nothing was changed" in reply.lower(), reply
    assert limit in reply, reply
    assert "Something went wrong" not in reply
    assert_clean_log(bot)
