"""Cooldowns on expensive commands, checked once for every command at the tree.

A member over a limit gets a short private message saying when they can try again
(``CheckFailure`` goes through the tree's error handler); the command does not run.
The count is in the database; when it cannot be had in time, the command runs (see
:meth:`bot.limits.UsageLimits.check`).
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.limits import LimitExceeded, UsageLimits
from bot.limits.policy import ADVICE_CHECK, ASK, DIALOGUE_START

#: Top-level command names (and context-menu names) -> the limited action they start.
ACTION_OF_COMMAND: dict[str, str] = {
    "ask": ASK,
    "impossible": DIALOGUE_START,
    "crux": DIALOGUE_START,
    "exercise": DIALOGUE_START,
    "advise": ADVICE_CHECK,
    "Reply with care": ADVICE_CHECK,
}


class Cooldown(app_commands.CheckFailure):
    """A friendly refusal; its text is what the member reads."""


class LimitedTree(app_commands.CommandTree[Any]):
    """The command tree with per-person cooldowns on the expensive commands."""

    limits: UsageLimits | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        if (
            self.limits is None
            or interaction.type is not discord.InteractionType.application_command
        ):
            return True
        data: Any = interaction.data or {}
        action = ACTION_OF_COMMAND.get(str(data.get("name", "")))
        if action is None:
            return True
        try:
            await self.limits.check(interaction.user.id, action)
        except LimitExceeded as exc:
            raise Cooldown(str(exc)) from None
        return True
