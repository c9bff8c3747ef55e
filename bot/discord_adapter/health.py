"""Discord glue for operations: the gateway health check and command timings.

The domain-neutral parts (checks, metrics, the HTTP endpoint) live in :mod:`bot.ops`;
this module only knows what Discord adds: which shards are connected, their heartbeat
latency, and when a command arrived and finished.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.discord_adapter.errors import message_for
from bot.ops.health import CheckResult, HealthChecks
from bot.ops.server import OpsServer
from bot.ops.wiring import health_checks, ops_server

if TYPE_CHECKING:
    from bot.discord_adapter.client import TouchstoneBot

log = logging.getLogger(__name__)

#: Arrival times of interactions not yet finished; bounded so abandoned ones can't pile up.
MAX_TRACKED = 2000


class DiscordHealth:
    """Installs the listeners at construction; :meth:`start` opens the endpoint if set."""

    def __init__(self, bot: TouchstoneBot) -> None:
        self.bot = bot
        self.metrics = bot.services.metrics
        self.checks: HealthChecks = health_checks(bot.services)
        self.checks.add("gateway", self.gateway_check)
        self.server: OpsServer | None = None
        self._arrivals: OrderedDict[int, float] = OrderedDict()
        bot.add_listener(self._on_interaction, "on_interaction")
        bot.add_listener(self._on_completion, "on_app_command_completion")
        self._tree_on_error = bot.tree.on_error
        bot.tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        self.metrics.add_refresher("gateway", self._refresh_gateway)

    # --- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        settings = self.bot.services.settings
        if settings.shard_ids is not None:
            if self.bot.services.db.is_sqlite:
                log.warning(
                    "this process runs shards %s of several on SQLite: processes on other "
                    "machines cannot share it; use PostgreSQL (TOUCHSTONE_DATABASE_URL)",
                    settings.shard_ids,
                )
            if settings.chroma_url is None:
                log.warning(
                    "this process runs shards %s with a local chroma directory: give every "
                    "process the same chroma server (TOUCHSTONE_CHROMA_URL)",
                    settings.shard_ids,
                )
        self.server = ops_server(self.bot.services, self.checks)
        if self.server is not None:
            try:
                await self.server.start()
            except OSError as exc:
                log.error(
                    "health endpoint not started: cannot listen on %s:%s (%s)",
                    settings.health_host,
                    settings.health_port,
                    exc.strerror or type(exc).__name__,
                )
                self.server = None

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
            self.server = None

    # --- gateway ----------------------------------------------------------------------

    def expected_shards(self) -> list[int]:
        if self.bot.shard_ids is not None:
            return sorted(self.bot.shard_ids)
        return list(range(self.bot.shard_count or 1))

    def shard_states(self) -> list[tuple[int, bool, float | None]]:
        states = []
        for shard_id in self.expected_shards():
            shard = self.bot.shards.get(shard_id)
            connected = shard is not None and not shard.is_closed()
            latency = shard.latency if shard is not None else None
            if latency is not None and not math.isfinite(latency):
                latency = None
            states.append((shard_id, connected, latency))
        return states

    async def gateway_check(self) -> CheckResult:
        if self.bot.is_closed():
            return CheckResult(False, "closed")
        states = self.shard_states()
        down = [shard_id for shard_id, connected, _ in states if not connected]
        if not self.bot.is_ready():
            return CheckResult(False, "connecting")
        if down:
            return CheckResult(False, f"shards not connected: {down}")
        return CheckResult(True, f"shards connected: {[s for s, _, _ in states]}")

    async def _refresh_gateway(self) -> None:
        self.metrics.set_gateway(self.shard_states())

    # --- command timings --------------------------------------------------------------

    async def _on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.type is not discord.InteractionType.application_command:
            return
        self._arrivals.setdefault(interaction.id, time.monotonic())
        while len(self._arrivals) > MAX_TRACKED:
            self._arrivals.popitem(last=False)

    def _elapsed(self, interaction: discord.Interaction[Any]) -> float:
        started = self._arrivals.pop(interaction.id, None)
        if started is not None:
            return time.monotonic() - started
        # Not seen arriving (e.g. evicted): measure from Discord's creation time instead.
        return (discord.utils.utcnow() - interaction.created_at).total_seconds()

    async def _on_completion(
        self,
        interaction: discord.Interaction[Any],
        command: app_commands.Command[Any, Any, Any] | app_commands.ContextMenu,
    ) -> None:
        self.metrics.command_finished(command.qualified_name, self._elapsed(interaction), "ok")

    async def _on_tree_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        try:
            if interaction.type is discord.InteractionType.application_command:
                name = interaction.command.qualified_name if interaction.command else "unknown"
                _text, is_bug = message_for(error)
                outcome = "error" if is_bug else "refused"
                self.metrics.command_finished(name, self._elapsed(interaction), outcome)
        finally:
            await self._tree_on_error(interaction, error)
