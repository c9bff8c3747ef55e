"""A burst of interactions arriving together, as in a busy server.

Shared by the load test (every interaction must be acknowledged within Discord's
3 seconds) and by ``bench.interaction_bench`` (which prints the latencies), so both
measure exactly the same traffic.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from tests.fakediscord.interactions import FakeInteraction
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import User
from tests.fakediscord.world import PracticeClub

QUESTIONS = (
    "I keep putting off my first experiment because the setup is a pain",
    "how do I practise a little every day without burning out?",
    "my friend and I argue in circles about remote work",
    "I feel stuck and the goal seems impossible",
    "what should I do in the first five minutes of a research day?",
)
POST = "I just started learning the cello last week, so proud of my first scale!"


@dataclass(frozen=True)
class BurstResult:
    interactions: list[FakeInteraction]

    def latencies_ms(self) -> list[float]:
        """Milliseconds from INTERACTION_CREATE to the accepted first response."""
        return [
            (i.callback.at - i.dispatched_at) * 1000
            for i in self.interactions
            if i.callback is not None
        ]

    @property
    def unacknowledged(self) -> list[FakeInteraction]:
        return [i for i in self.interactions if not i.acknowledged]

    @property
    def rejected(self) -> list[FakeInteraction]:
        return [i for i in self.interactions if i.rejections]


def add_members(fake: FakeDiscord, club: PracticeClub, count: int) -> list[User]:
    """Extra plain members, so the burst comes from many people (per-user limits apply)."""
    users = []
    for n in range(count):
        user = fake.add_user(f"load_member_{n}")
        fake.add_member(club.guild, user)
        users.append(user)
    return users


async def fire_burst(
    fake: FakeDiscord,
    club: PracticeClub,
    users: Sequence[User],
    total: int = 200,
    *,
    mix: str = "full",
) -> BurstResult:
    """Send ``total`` interactions at once and wait until each is answered or expired.

    ``mix="full"``: /ask, /practice log, "Reply with care" on a beginner's post,
    /impossible and /about in equal shares; ``mix="ping"``: only /about (the baseline
    bot answers any interaction the same way).
    """
    post = await fake.send_message(club.general, club.member, POST)
    people = itertools.cycle(users)

    async def one(n: int) -> FakeInteraction:
        user = next(people)
        kind = n % 5 if mix == "full" else 4
        if kind == 0:
            return await fake.send_slash_command(
                club.guild, club.general, user, "ask", {"question": QUESTIONS[n % len(QUESTIONS)]}
            )
        if kind == 1:
            return await fake.send_slash_command(
                club.guild,
                club.general,
                user,
                "practice",
                {"minutes": 15, "skill": "cello"},
                subcommand="log",
            )
        if kind == 2:
            return await fake.send_message_command(user, "Reply with care", post)
        if kind == 3:
            return await fake.send_slash_command(
                club.guild,
                club.general,
                user,
                "impossible",
                {"goal": "play a Bach suite by spring"},
            )
        return await fake.send_slash_command(club.guild, club.general, user, "about")

    interactions = await asyncio.gather(*(one(n) for n in range(total)))
    await asyncio.gather(*(settle(i) for i in interactions))
    return BurstResult(list(interactions))


async def settle(interaction: FakeInteraction, within: float = 4.0) -> None:
    """Wait for the first response; past Discord's deadline, stop waiting (it's a failure)."""
    try:
        await interaction.first_response(timeout=within)
    except (TimeoutError, AssertionError):
        return
