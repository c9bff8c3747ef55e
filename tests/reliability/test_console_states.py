"""Random lines typed into the console at every dialogue and DM state (issue 14).

Whatever a person types while a question waits on them (an answer, a half command,
a command word, junk), the console prints something and carries on: no traceback, no
"failed unexpectedly", no error in the log, and exit code 0 when the input ends.

One in-process console on real services (SQLite, the shipped notes, no model). Each
example acts as a new console person, so the states of earlier examples don't leak.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bootstrap import build_services
from bot.console.app import Console
from bot.llm import ModelGateway
from bot.scheduling.clock_control import clock_from_settings
from bot.services import Services
from bot.settings import load_settings
from bot.storage import Database
from knowledge.service import KnowledgeBase
from tests.reliability.nasty import nasty_text

IMPOSSIBLE = ["impossible Write a novel", "20", "no time; no ideas", "concrete", "concrete"]
IMPOSSIBLE_END = ["hard", "inconvenient", "write at lunch", "ask a friend", "it works; 40%"]
CRUX = ["crux maya Remote work is better", "yes", "I agree", "/as maya answer I agree"]
CRUX_MORE = ["It is", "/as maya answer It is not", "60", "/as maya answer 30", "none"]
SOLO = ["crux solo rest/run Exercise today", "ready", "Rest heals", "Running clears my head"]
EXERCISE = ["exercise resolve cycle", "my inbox", "tried filters"]
INTERNAL = [
    "crux solo Rest or run",
    "ready",
    "the part that wants rest",
    "the part that wants movement",
    "My legs are sore",
    "Soreness is real",
]
MURPHY = ["exercise murphyjitsu", "Ship the beta by Friday", "no", "Signup breaks", "Test it"]
#: The follow-up's "What happened?" waits in DMs a week after the dialogue.
FOLLOW_UP = [*IMPOSSIBLE, *IMPOSSIBLE_END, "1 week", "/clock advance 8d"]

#: Each state is the lines that lead to it: every step of each dialogue, and the DM prompts.
STATES: list[list[str]] = [
    *(IMPOSSIBLE[:n] for n in range(1, len(IMPOSSIBLE) + 1)),
    *(IMPOSSIBLE + IMPOSSIBLE_END[:n] for n in range(1, len(IMPOSSIBLE_END) + 1)),
    *(CRUX[:n] for n in range(1, len(CRUX) + 1)),
    *(CRUX + CRUX_MORE[:n] for n in range(1, len(CRUX_MORE) + 1)),
    *(SOLO[:n] for n in range(1, len(SOLO) + 1)),
    *(EXERCISE[:n] for n in range(1, len(EXERCISE) + 1)),
    *(INTERNAL[:n] for n in range(1, len(INTERNAL) + 1)),
    *(MURPHY[:n] for n in range(1, len(MURPHY) + 1)),
    FOLLOW_UP,
    ["orient"],  # replaced by "coach start" at the next hour and a clock advance
    ["orient", "first answer"],
    ["impossible Write a novel", "/dialogue pause"],
]
COMMANDISH = st.sampled_from(
    [
        "quit my day job first",
        "help from family",
        "ask my partner tonight",
        "answer",
        "answer 20%",
        "dm",
        "dm hello",
        "as",
        "as maya",
        "as maya yes",
        "/",
        "/ ",
        "//help",
        "/help",
        "/help as",
        "/nonsense",
        "/dialogue end",
        "/dialogue pause",
        "/dialogue resume",
        "/clock advance 1d",
        "1",
        "2",
        "99",
        "yes",
        "no",
        "concrete",
        "impossible",
        "none",
        "'",
        '"',
        "name:",
        'exercise name:"resolve cycle"',
    ]
)
#: A line is one line: what a person can type before pressing Enter.
LINE = st.one_of(COMMANDISH, nasty_text).map(lambda text: " ".join(text.splitlines()))


@dataclass
class World:
    loop: asyncio.AbstractEventLoop
    services: Services
    errors: list[logging.LogRecord]
    users: Iterator[int]

    def play(self, lines: list[str]) -> tuple[int, str]:
        out = io.StringIO()
        console = Console(
            self.services, stdin=io.StringIO("".join(f"{x}\n" for x in lines)), stdout=out
        )
        console.context.user_id = console.context.home_id = next(self.users)
        code = self.loop.run_until_complete(asyncio.wait_for(console.run(), 120))
        return code, out.getvalue()

    def setup_lines(self, state: list[str]) -> list[str]:
        if state[:1] != ["orient"]:
            return state
        now = self.services.clock.now().astimezone(UTC) + timedelta(hours=1)
        return [f"coach start UTC {now:%H}:30", "clock advance 2h", *state[1:]]


class _Collect(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("console-states")
    loop = asyncio.new_event_loop()
    config = load_settings(
        data_dir=root, simulated_clock_start=datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    )

    async def build() -> Services:
        db = Database(config.resolved_database_url)
        await db.migrate()
        services = build_services(
            settings=config,
            db=db,
            knowledge=KnowledgeBase(root / "chroma"),
            model=ModelGateway(None),
            clock=clock_from_settings(config),
        )
        return services

    services = loop.run_until_complete(build())
    errors: list[logging.LogRecord] = []
    handler = _Collect(errors)
    logging.getLogger().addHandler(handler)
    try:
        yield World(loop, services, errors, itertools.count(10_000))
    finally:
        logging.getLogger().removeHandler(handler)
        loop.run_until_complete(services.close())
        loop.close()


def test_every_state_is_reached_and_waits_for_a_plain_line(world: World) -> None:
    """The states really are waiting states (else the property below proves little)."""
    for state in STATES:
        if "/dialogue pause" in state:
            continue
        code, out = world.play(world.setup_lines(state))
        assert code == 0, out
        assert "type your answer as a plain line" in out or "answer as a plain line" in out, (
            state,
            out,
        )


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.sampled_from(STATES), st.lists(LINE, min_size=1, max_size=4))
def test_random_lines_at_any_state_never_crash(
    world: World, state: list[str], lines: list[str]
) -> None:
    code, out = world.play([*world.setup_lines(state), *lines])
    assert code == 0, out
    assert "failed unexpectedly" not in out, (state, lines, out)
    assert "Traceback" not in out
    assert not world.errors, [record.getMessage() for record in world.errors]
