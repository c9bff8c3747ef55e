"""Under a burst, work that follows one acknowledgement waits for the others' first
responses (``bot.discord_adapter.acknowledging``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, cast

import discord

from bot.discord_adapter.acknowledging import FirstResponsesFirst, acknowledge


@dataclass
class Response:
    done: bool = False

    def is_done(self) -> bool:
        return self.done


@dataclass
class Pending:
    id: int
    response: Response = field(default_factory=Response)


def interaction(n: int) -> tuple[Pending, discord.Interaction[Any]]:
    pending = Pending(n)
    return pending, cast(discord.Interaction[Any], pending)


async def test_work_after_an_acknowledgement_waits_until_everyone_is_answered() -> None:
    gate = FirstResponsesFirst(max_hold=30.0)
    first, first_i = interaction(1)
    second, second_i = interaction(2)
    gate.received(first_i)
    gate.received(second_i)
    first.response.done = True  # the first person got "thinking…"

    later_work = asyncio.create_task(gate.turn())
    await asyncio.sleep(0.05)
    assert not later_work.done(), "the answer was composed while someone still waited"

    second.response.done = True
    await asyncio.wait_for(later_work, 5)
    assert gate.waiting == 0


async def test_nobody_waiting_means_no_hold() -> None:
    gate = FirstResponsesFirst(max_hold=30.0)
    await asyncio.wait_for(gate.turn(), 1)


async def test_an_interaction_never_answered_holds_work_back_only_for_a_while() -> None:
    gate = FirstResponsesFirst(max_hold=0.2, deadline=30.0)
    _, stuck = interaction(3)
    gate.received(stuck)
    await asyncio.wait_for(gate.turn(), 5)  # released by max_hold, not stuck for ever
    assert gate.waiting == 1


async def test_past_discords_deadline_an_interaction_is_forgotten() -> None:
    gate = FirstResponsesFirst(max_hold=30.0, deadline=0.05)
    _, expired = interaction(4)
    gate.received(expired)
    await asyncio.wait_for(gate.turn(), 5)
    assert gate.waiting == 0


@dataclass
class Deferrable(Response):
    def __post_init__(self) -> None:
        self.deferrals = 0

    async def defer(self, *, ephemeral: bool, thinking: bool) -> None:
        self.deferrals += 1
        self.done = True


@dataclass
class Client:
    first_responses: FirstResponsesFirst


@dataclass
class Incoming:
    id: int
    type: discord.InteractionType
    client: Client
    response: Deferrable = field(default_factory=Deferrable)


async def test_a_submitted_form_is_never_held_before_its_text_is_stored() -> None:
    gate = FirstResponsesFirst(max_hold=30.0)
    _, someone_else = interaction(10)
    gate.received(someone_else)  # still waiting for "thinking…"
    form = Incoming(11, discord.InteractionType.modal_submit, Client(gate))
    command = Incoming(12, discord.InteractionType.application_command, Client(gate))

    await asyncio.wait_for(acknowledge(cast(discord.Interaction[Any], form)), 5)
    assert form.response.deferrals == 1

    held = asyncio.create_task(acknowledge(cast(discord.Interaction[Any], command)))
    await asyncio.sleep(0.05)
    assert command.response.deferrals == 1 and not held.done()
    held.cancel()
