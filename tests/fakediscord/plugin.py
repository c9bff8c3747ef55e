"""pytest fixtures for the fake Discord.

Register with ``pytest_plugins = ["tests.fakediscord.plugin"]`` (in
``tests/conftest.py``). ``fake_discord`` is a started server with the default
world; ``practice_club`` gives handles on that world's objects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .mentions import mention_leaks
from .server import FakeDiscord
from .world import PracticeClub, build_practice_club


@pytest.fixture
async def fake_discord(request: pytest.FixtureRequest) -> AsyncIterator[FakeDiscord]:
    """A running fake Discord on 127.0.0.1 (free port) with the "Practice Club" world.

    The world's handles are on ``fake_discord.club`` (also the ``practice_club``
    fixture). The server stops, closing gateway sockets, after the test.
    """
    fake = FakeDiscord()
    build_practice_club(fake)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    if request.node.get_closest_marker("mentions_unchecked"):
        return  # tests of the fake itself drive plain discord.py clients
    leaks = mention_leaks(fake.requests)
    assert not leaks, "messages sent with mentions parsed:\n" + "\n".join(leaks)


@pytest.fixture
def practice_club(fake_discord: FakeDiscord) -> PracticeClub:
    """Handles on the default world's guild, users, roles and channels."""
    assert fake_discord.club is not None
    return fake_discord.club
