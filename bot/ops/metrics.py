"""Touchstone's Prometheus metrics, in a registry of their own.

A private :class:`~prometheus_client.CollectorRegistry` (not the process-global default)
lets tests and the console build as many :class:`Metrics` as they like, and keeps
third-party libraries' metrics out of Touchstone's endpoint.

Other code records through the small methods below (``command_finished``,
``advice_verdict``...), so metric names and labels live in one place. Values that
have to be read from elsewhere (gateway latency, the outbox queue) are refreshed
just before each scrape by async *refreshers*, because reading them may need the
database and prometheus_client collectors are synchronous.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter as TallyCounter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

#: Seconds; Discord's interaction deadline is 3 s, so the buckets are dense below it.
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0)

Refresher = Callable[[], Awaitable[None]]


class ModelCallsCollector(Collector):
    """Exports :class:`bot.llm.ModelGateway`'s ``counts`` (``<prompt>.calls`` and
    ``<prompt>.fallbacks``) live, so the gateway keeps no dependency on prometheus."""

    def __init__(self, counts: Mapping[str, int]) -> None:
        self.counts = counts

    def collect(self) -> Iterable[CounterMetricFamily]:
        calls = CounterMetricFamily(
            "touchstone_model_calls", "Calls that reached the language model.", labels=["prompt"]
        )
        fallbacks = CounterMetricFamily(
            "touchstone_model_fallbacks",
            "Model calls that fell back to the offline behaviour (timeout, error, empty).",
            labels=["prompt"],
        )
        for key, value in sorted(dict(self.counts).items()):
            prompt, _, kind = key.rpartition(".")
            if kind == "calls":
                calls.add_metric([prompt], float(value))
            elif kind == "fallbacks":
                fallbacks.add_metric([prompt], float(value))
        yield calls
        yield fallbacks


class Metrics:
    """Every metric Touchstone exports, with helpers to record them."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.commands = Counter(
            "touchstone_commands",
            "Slash and context-menu commands handled, by command and outcome "
            "(ok, refused: the user was told why, error: a bug was logged).",
            ["command", "outcome"],
            registry=r,
        )
        self.command_seconds = Histogram(
            "touchstone_command_duration_seconds",
            "From INTERACTION_CREATE arriving in the bot to the command handler finishing "
            "(the first response is sent within this; deferred commands include their answer).",
            ["command"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.gateway_latency = Gauge(
            "touchstone_gateway_latency_seconds",
            "Heartbeat round trip to the Discord gateway, per shard run by this process.",
            ["shard"],
            registry=r,
        )
        self.gateway_connected = Gauge(
            "touchstone_gateway_connected",
            "1 when the shard's gateway connection is open, per shard run by this process.",
            ["shard"],
            registry=r,
        )
        self.queue_depth = Gauge(
            "touchstone_scheduler_queue_depth",
            "Outbox items waiting to be sent (due: their time has come; pending: all waiting; "
            "claimed: being sent). Shared by every process on the same database.",
            ["state"],
            registry=r,
        )
        self.advice_checks = Counter(
            "touchstone_advice_checks",
            "Advice checks of a draft reply, by verdict.",
            ["verdict"],
            registry=r,
        )
        self.scrape_errors = Counter(
            "touchstone_metrics_refresh_errors",
            "Refreshers that failed or timed out while preparing a scrape.",
            registry=r,
        )
        self._refreshers: list[tuple[str, Refresher]] = []
        self._model_counts: list[Mapping[str, int]] = []

    # --- recording -------------------------------------------------------------------

    def command_finished(self, command: str, seconds: float, outcome: str = "ok") -> None:
        self.commands.labels(command=command, outcome=outcome).inc()
        if seconds >= 0:
            self.command_seconds.labels(command=command).observe(seconds)

    def advice_verdict(self, verdict: str | bool) -> None:
        """Count one advice check. ``True``/``False`` mean flagged/fine; a string is a
        verdict name (e.g. ``"flagged"``, ``"fine"``, ``"asked_for_depth"``)."""
        if isinstance(verdict, bool):
            verdict = "flagged" if verdict else "fine"
        self.advice_checks.labels(verdict=verdict).inc()

    def set_queue_depth(self, depths: Mapping[str, int]) -> None:
        for state, value in depths.items():
            self.queue_depth.labels(state=state).set(value)

    def set_gateway(self, shards: Iterable[tuple[int, bool, float | None]]) -> None:
        """``(shard_id, connected, latency or None)`` for each shard this process runs."""
        for shard_id, connected, latency in shards:
            label = str(shard_id)
            self.gateway_connected.labels(shard=label).set(1 if connected else 0)
            if latency is not None:
                self.gateway_latency.labels(shard=label).set(latency)

    def observe_model_counts(self, counts: TallyCounter[str] | Mapping[str, int]) -> None:
        """Export a model gateway's counters (once per mapping)."""
        if any(existing is counts for existing in self._model_counts):
            return
        self._model_counts.append(counts)
        self.registry.register(ModelCallsCollector(counts))

    # --- scraping --------------------------------------------------------------------

    def add_refresher(self, name: str, refresher: Refresher) -> None:
        """``refresher`` updates some gauges; it runs before each scrape, time-limited."""
        self._refreshers.append((name, refresher))

    async def refresh(self, timeout: float = 2.0) -> None:
        """Run every refresher concurrently; a slow or failing one leaves its last values."""

        async def run(name: str, refresher: Refresher) -> None:
            try:
                async with asyncio.timeout(timeout):
                    await refresher()
            except Exception as exc:
                self.scrape_errors.inc()
                log.debug("metrics refresher %s failed: %s", name, type(exc).__name__)

        await asyncio.gather(*(run(name, fn) for name, fn in self._refreshers))

    def render(self) -> bytes:
        """The Prometheus text exposition of everything in the registry."""
        payload: bytes = generate_latest(self.registry)
        return payload

    async def scrape(self, timeout: float = 2.0) -> bytes:
        await self.refresh(timeout)
        return self.render()


def sample_value(
    metrics: Metrics, name: str, labels: Mapping[str, str] | None = None
) -> float | None:
    """A sample's current value (for tests and diagnostics)."""
    value: Any = metrics.registry.get_sample_value(name, dict(labels or {}))
    return None if value is None else float(value)
