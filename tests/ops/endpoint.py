"""Reading a bot process's health endpoint (started with TOUCHSTONE_HEALTH_PORT=0)."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.harness import BotProcess

HEALTH_LINE = re.compile(r"health endpoint on (http://127\.0\.0\.1:\d+)")
HEALTH_ENV = {"TOUCHSTONE_HEALTH_PORT": "0"}


async def endpoint_of(bot: BotProcess) -> str:
    await bot.wait_for_log("health endpoint on", timeout=30)
    for line in bot.log_lines:
        if match := HEALTH_LINE.search(line):
            return match.group(1)
    raise AssertionError(f"no health endpoint in the log:\n{bot.log}")


async def healthz(base: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(f"{base}/healthz") as response:
        return response.status, await response.json()


async def metric_samples(base: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """``/metrics`` parsed by Prometheus' own parser: {(sample name, labels): value}."""
    async with aiohttp.ClientSession() as http, http.get(f"{base}/metrics") as response:
        assert response.status == 200
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
