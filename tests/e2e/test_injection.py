"""Hostile member text through the real bot process.

* Prompt injection: each known injection string travels through /ask, the advice
  check's gentler version and the dialogue facilitator to an OpenAI-compatible fake;
  every request it received keeps our instructions and carries the member's text only
  inside the <data> block.
* Bad input: property-based slash-command options and form fields (empty, huge, emoji,
  right-to-left, markdown, mentions, NUL bytes...): every interaction is answered, the
  fake Discord rejects nothing the bot sent, and the bot logs no traceback.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.advice_flow.gentler_model import GENTLER_SPEC
from bot.dialogues.facilitator import REPHRASE
from bot.guidance import ANSWER_SPEC
from bot.llm.prompts import DATA_PREAMBLE
from tests.e2e.conftest import StartBot
from tests.e2e.harness import BotProcess
from tests.e2e.members import club_member
from tests.e2e.test_faults import ADVICE_DRAFT, ADVICE_POST, answered, said
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import PracticeClub
from tests.llm_fakes import FakeLLMServer, steerable_openai_server
from tests.reliability.injections import INJECTIONS, arrived, decode_data_block, strings_in
from tests.reliability.nasty import nasty_text

pytestmark = pytest.mark.e2e
NO_LIMITS = {
    "TOUCHSTONE_LIMIT_ASK_PER_MINUTE": "0",
    "TOUCHSTONE_LIMIT_DIALOGUE_STARTS_PER_10_MINUTES": "0",
    "TOUCHSTONE_LIMIT_ADVICE_CHECKS_PER_MINUTE": "0",
}


def requests_for(llm: FakeLLMServer, instructions: str) -> list[tuple[str, str]]:
    """(system, user) of each request whose system message starts with ``instructions``."""
    found = []
    for body in llm.received:
        messages: list[dict[str, Any]] = body["messages"]
        assert [m["role"] for m in messages] == ["system", "user"], messages
        system, user = str(messages[0]["content"]), str(messages[1]["content"])
        if system.startswith(instructions):
            found.append((system, user))
    return found


def carried(pairs: list[tuple[str, str]], injection: str) -> bool:
    """Whether the injection reached the model (inside the data block: decoding checks it)."""
    return any(
        arrived(injection, t) for _, user in pairs for t in strings_in(decode_data_block(user))
    )


def assert_instructions_kept(pairs: list[tuple[str, str]], injections: tuple[str, ...]) -> None:
    assert pairs, "the model was never asked"
    assert len({system for system, _ in pairs}) == 1, "the instructions varied with member text"
    system = pairs[0][0]
    assert system.endswith(DATA_PREAMBLE)
    for injection in injections:
        assert injection not in system


async def test_injections_through_every_model_path_stay_data(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    async with steerable_openai_server("Start with a five-minute version [1].") as llm:
        await start_bot(
            env={
                "TOUCHSTONE_LLM_MODEL": "openai:test-model",
                "TOUCHSTONE_LLM_BASE_URL": llm.base_url,
                "TOUCHSTONE_LLM_API_KEY": "sk-test-0123456789",
                "TOUCHSTONE_LLM_TIMEOUT": "10",
                **NO_LIMITS,
            }
        )
        for injection in INJECTIONS:
            asked = await club_member(fake, club).run(
                "/ask", question=f"How do I practise deliberately? {injection}"[:500]
            )
            await answered(asked, timeout=30)
        ask_requests = requests_for(llm, ANSWER_SPEC.instructions)
        assert_instructions_kept(ask_requests, INJECTIONS)
        # A question the notes don't cover is answered offline without asking the model.
        reached = [i for i in INJECTIONS if carried(ask_requests, i)]
        assert len(reached) >= 20, f"only {len(reached)} injections reached the model"

        for injection in INJECTIONS[:6]:
            post = await fake.send_message(club.general, club.member, f"{ADVICE_POST} {injection}")
            opened = await fake.send_message_command(club.moderator, "Reply with care", post)
            await opened.first_response(timeout=5)
            assert opened.modal is not None
            form = await fake.send_modal_submit(
                opened.modal["custom_id"], {"reply": f"{ADVICE_DRAFT} {injection}"[:1800]}
            )
            await form.wait_for(lambda i: "pile of advice" in said(i), 30)
        await fake.wait_for(
            lambda: all(
                carried(requests_for(llm, GENTLER_SPEC.instructions), i) for i in INJECTIONS[:6]
            ),
            30,
            "every draft's gentler version to be asked for",
        )
        gentler = requests_for(llm, GENTLER_SPEC.instructions)
        assert_instructions_kept(gentler, INJECTIONS)
        assert all(carried(gentler, injection) for injection in INJECTIONS[:6])

        for injection in INJECTIONS[6:9]:
            started = await club_member(fake, club).run("/impossible", goal=injection[:200])
            await started.wait_for(lambda i: "started" in said(i), 30)
        await fake.wait_for(lambda: len(requests_for(llm, REPHRASE.instructions)) >= 3, 30)
        rephrase = requests_for(llm, REPHRASE.instructions)
        assert_instructions_kept(rephrase, INJECTIONS)
        assert all(carried(rephrase, injection[:200].strip()) for injection in INJECTIONS[6:9])


# ------------------------------------------------------------------------ bad input

COMMANDS: list[tuple[str, str | None, str, dict[str, object]]] = [
    ("ask", None, "question", {}),
    ("note", None, "name", {}),
    ("practice", "log", "skill", {"minutes": 5}),
    ("practice", "log", "noticed", {"minutes": 5, "skill": "piano"}),
    ("coach", "start", "timezone", {}),
    ("impossible", None, "goal", {}),
    ("techniques", None, "tag", {}),
]


@pytest.fixture
async def hostile_bot(start_bot: StartBot) -> BotProcess:
    return await start_bot(env=NO_LIMITS)


def rejected_sends(fake: FakeDiscord) -> list[str]:
    return [
        f"{r.method} {r.path}: {r.status} {r.error_code}"
        for r in fake.requests
        if r.status == 400 or r.error_code == 50035
    ]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(command=st.sampled_from(COMMANDS), text=nasty_text)
async def test_hostile_command_options_get_a_clear_answer(
    hostile_bot: BotProcess,
    fake_discord: FakeDiscord,
    practice_club: PracticeClub,
    command: tuple[str, str | None, str, dict[str, object]],
    text: str,
) -> None:
    fake, club = fake_discord, practice_club
    name, subcommand, option, others = command
    interaction = await club_member(fake, club).run(
        f"/{name} {subcommand or ''}", {**others, option: text}
    )
    await interaction.first_response(timeout=5)
    await interaction.wait_for(lambda i: bool(said(i)) or bool(i.modal), 30)
    assert interaction.rejections == []
    assert rejected_sends(fake) == []
    assert "Traceback" not in hostile_bot.log, hostile_bot.log[-3000:]
    assert "Something went wrong" not in said(interaction), (name, option, text)


async def test_hostile_form_fields_get_a_clear_answer(
    hostile_bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    from tests.reliability.nasty import SAMPLES

    fake, club = fake_discord, practice_club
    post = await fake.send_message(club.general, club.member, ADVICE_POST)
    for sample in SAMPLES:
        if not sample.strip():
            continue  # Discord's client refuses an empty required field
        opened = await fake.send_message_command(club.moderator, "Reply with care", post)
        await opened.first_response(timeout=5)
        assert opened.modal is not None
        form = await fake.send_modal_submit(opened.modal["custom_id"], {"reply": sample[:4000]})
        await form.first_response(timeout=5)
        await form.wait_for(lambda i: bool(said(i)), 30)
        assert form.rejections == []
        assert "Something went wrong" not in said(form), sample
    assert rejected_sends(fake) == []
    assert "Traceback" not in hostile_bot.log, hostile_bot.log[-3000:]
