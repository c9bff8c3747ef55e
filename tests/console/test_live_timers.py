"""Issue 14 #4: in an interactive console, due timers and DMs arrive by themselves, and
a step's "time is up" ping never arrives once the step (or the exercise) is over.

One in-process console on real services (SQLite, the shipped notes, no model) and a
simulated clock, fed line by line as a person types: lines wait in a queue, so the
console sits at its prompt between them, exactly as at a terminal.
"""

from __future__ import annotations

import asyncio
import io
import queue
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.bootstrap import build_services
from bot.clock import SimulatedClock
from bot.console.app import Console
from bot.llm import ModelGateway
from bot.settings import load_settings
from bot.storage import Database
from knowledge.service import KnowledgeBase

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PING = "How far did you get?"


class TypedLines(io.TextIOBase):
    """Standard input a person types into: readline waits for the next line."""

    def __init__(self) -> None:
        self.lines: queue.Queue[str] = queue.Queue()

    def type(self, line: str) -> None:
        self.lines.put(line + "\n")

    def close_input(self) -> None:
        self.lines.put("")

    def readline(self, size: int | None = -1) -> str:
        return self.lines.get()


@dataclass
class Session:
    console: Console
    stdin: TypedLines
    out: io.StringIO
    clock: SimulatedClock
    task: asyncio.Task[int]

    async def see(self, text: str, after: int = 0, timeout: float = 20.0) -> int:
        """Wait until ``text`` is printed (after position ``after``); its position."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.out.getvalue().find(text, after)
            if found >= 0:
                return found
            if self.task.done():
                break
            await asyncio.sleep(0.02)
        raise AssertionError(f"{text!r} never printed:\n{self.out.getvalue()}")

    async def type(self, line: str, then: str) -> int:
        """Type a line and wait for its reply."""
        mark = len(self.out.getvalue())
        self.stdin.type(line)
        return await self.see(then, mark)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped notes indexed once for the module (it takes a while on a small box)."""
    path = tmp_path_factory.mktemp("live-console") / "chroma"
    knowledge = KnowledgeBase(path)
    try:
        asyncio.run(knowledge.ensure_index())
    finally:
        knowledge.close()
    return path


@pytest.fixture
async def live(tmp_path: Path, index: Path) -> AsyncIterator[Session]:
    config = load_settings(data_dir=tmp_path)
    db = Database(config.resolved_database_url)
    await db.migrate()
    clock = SimulatedClock(START)
    services = build_services(
        settings=config,
        db=db,
        knowledge=KnowledgeBase(index),
        model=ModelGateway(None),
        clock=clock,
    )
    stdin, out = TypedLines(), io.StringIO()
    console = Console(services, stdin=stdin, stdout=out, live=True, tick_seconds=0.05)
    task = asyncio.create_task(console.run())
    try:
        yield Session(console, stdin, out, clock, task)
    finally:
        stdin.close_input()
        assert await asyncio.wait_for(task, 30) == 0
        await services.close()


async def _to_the_timer_step(live: Session) -> None:
    await live.type("exercise resolve cycle", "waiting for you")
    await live.type("my inbox is out of control", "timer is running")


async def test_a_due_timer_rings_by_itself_while_the_person_types_nothing(
    live: Session,
) -> None:
    await _to_the_timer_step(live)
    mark = len(live.out.getvalue())
    live.clock.advance(timedelta(minutes=5, seconds=1))  # time passes; nothing is typed
    found = await live.see(PING, mark)
    assert "[DM to you]" in live.out.getvalue()[mark:found]


async def test_a_morning_dm_arrives_by_itself(live: Session) -> None:
    await live.type("coach start UTC 09:00", "Morning prompts")
    mark = len(live.out.getvalue())
    live.clock.advance(timedelta(hours=1, minutes=1))
    await live.see("MORNING ORIENT", mark)


async def test_ending_an_exercise_cancels_its_timer_ping(live: Session) -> None:
    await _to_the_timer_step(live)
    await live.type("/dialogue end", "Ended by you")
    mark = len(live.out.getvalue())
    # Moving the clock sends everything due on the way: the stale ping must not be there.
    await live.type("/clock advance 10m", "Simulated time")
    live.clock.advance(timedelta(minutes=10))
    await live.console.tick()
    assert PING not in live.out.getvalue()[mark:], live.out.getvalue()[mark:]


async def test_answering_the_timed_step_early_cancels_its_ping(live: Session) -> None:
    await _to_the_timer_step(live)
    await live.type("Filtered newsletters into a folder", "Step 3")
    mark = len(live.out.getvalue())
    await live.type("/clock advance 10m", "Simulated time")
    await live.console.tick()
    assert PING not in live.out.getvalue()[mark:], live.out.getvalue()[mark:]
