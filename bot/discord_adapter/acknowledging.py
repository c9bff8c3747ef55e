"""First responses first: work that follows an acknowledgement waits its turn.

Discord drops an interaction that is not answered within 3 seconds, and every answer
is a little work on the one event-loop thread. Under a burst, the work that follows
each acknowledgement (reading the database, composing an answer) used to run between
the acknowledgements still owed to others, so the last people of a burst waited for
everyone else's answers before they even saw "thinking…".

:class:`FirstResponsesFirst` counts the interactions received and not yet answered.
:func:`acknowledge` defers an interaction and then, while others are still waiting for
their first response, holds the caller back, for at most :data:`MAX_HOLD` seconds, so
the loop sends the pending acknowledgements first. Nothing is dropped or reordered
within one interaction; a follow-up has 15 minutes, a first response 3 seconds.

A submitted form is never held: what its handler does next is store the typed text,
and nothing may stand between saying "received" and storing it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import discord

#: Past Discord's deadline an interaction can no longer be answered: stop waiting for it.
DEADLINE = 3.0
#: The longest that work after an acknowledgement is held back.
MAX_HOLD = 1.0
#: How often the pending set is looked at while it is not empty (seconds).
POLL = 0.003


class FirstResponsesFirst:
    """The interactions of this process still owed a first response."""

    def __init__(self, *, max_hold: float = MAX_HOLD, deadline: float = DEADLINE) -> None:
        self.max_hold = max_hold
        self.deadline = deadline
        self._waiting: dict[int, tuple[discord.Interaction[Any], float]] = {}
        self._clear = asyncio.Event()
        self._clear.set()
        self._watcher: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def received(self, interaction: discord.Interaction[Any]) -> None:
        """Called as the gateway event is parsed, before any handler runs."""
        self._waiting[interaction.id] = (interaction, time.monotonic())
        self._clear.clear()
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.get_running_loop().create_task(self._watch())

    def _forget_answered(self) -> None:
        now = time.monotonic()
        for key, (interaction, at) in list(self._waiting.items()):
            if interaction.response.is_done() or now - at > self.deadline:
                del self._waiting[key]

    async def _watch(self) -> None:
        """One poller for the whole set (discord.py has no "answered" callback)."""
        while True:
            self._forget_answered()
            if not self._waiting:
                self._clear.set()
                return
            await asyncio.sleep(POLL)

    async def turn(self) -> None:
        """Return once nobody is waiting for a first response, or after ``max_hold``."""
        if self._clear.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._clear.wait(), self.max_hold)


def gate_of(interaction: discord.Interaction[Any]) -> FirstResponsesFirst | None:
    gate = getattr(interaction.client, "first_responses", None)
    return gate if isinstance(gate, FirstResponsesFirst) else None


async def wait_turn(interaction: discord.Interaction[Any]) -> None:
    """Let the acknowledgements still owed to others go out first (see the module)."""
    gate = gate_of(interaction)
    if gate is not None:
        await gate.turn()


async def acknowledge(
    interaction: discord.Interaction[Any], *, ephemeral: bool = True, thinking: bool = True
) -> None:
    """Defer ``interaction`` ("thinking…", or a silent update for a component with
    ``thinking=False``), then wait for the acknowledgements owed to others, unless it
    is a form submission (its text is stored next, at once)."""
    await interaction.response.defer(ephemeral=ephemeral, thinking=thinking)
    if interaction.type is not discord.InteractionType.modal_submit:
        await wait_turn(interaction)
