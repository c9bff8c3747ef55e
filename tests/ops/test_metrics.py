"""The metrics registry and the HTTP endpoint, in-process."""

from __future__ import annotations

import asyncio
from collections import Counter

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.ops import CheckResult, HealthChecks, Metrics, OpsServer
from bot.ops.metrics import sample_value


def families(text: str) -> dict[str, list[tuple[str, dict[str, str], float]]]:
    """Parse the exposition with Prometheus' own parser (raises on anything malformed)."""
    return {
        family.name: [(s.name, dict(s.labels), s.value) for s in family.samples]
        for family in text_string_to_metric_families(text)
    }


def test_every_metric_is_exported_and_parses() -> None:
    metrics = Metrics()
    counts: Counter[str] = Counter({"ask.calls": 3, "ask.fallbacks": 1, "gentler.calls": 2})
    metrics.observe_model_counts(counts)
    metrics.observe_model_counts(counts)  # idempotent: no duplicate registration
    metrics.command_finished("ask", 0.42)
    metrics.command_finished("ask", 1.5, "error")
    metrics.command_finished("coach start", 0.05, "refused")
    metrics.advice_verdict(True)
    metrics.advice_verdict(False)
    metrics.advice_verdict("asked_for_depth")
    metrics.set_queue_depth({"pending": 7, "due": 2, "claimed": 0})
    metrics.set_gateway([(0, True, 0.041), (1, False, None)])
    counts["ask.calls"] += 1  # live: read at scrape time

    parsed = families(metrics.render().decode())
    assert ("touchstone_commands_total", {"command": "ask", "outcome": "ok"}, 1.0) in parsed[
        "touchstone_commands"
    ]
    buckets = [s for s in parsed["touchstone_command_duration_seconds"] if s[0].endswith("_count")]
    assert ("touchstone_command_duration_seconds_count", {"command": "ask"}, 2.0) in buckets
    assert ("touchstone_model_calls_total", {"prompt": "ask"}, 4.0) in parsed[
        "touchstone_model_calls"
    ]
    assert ("touchstone_model_fallbacks_total", {"prompt": "ask"}, 1.0) in parsed[
        "touchstone_model_fallbacks"
    ]
    assert {
        labels["verdict"]: value for _, labels, value in parsed["touchstone_advice_checks"]
    } == {
        "flagged": 1.0,
        "fine": 1.0,
        "asked_for_depth": 1.0,
    }
    assert ("touchstone_scheduler_queue_depth", {"state": "due"}, 2.0) in parsed[
        "touchstone_scheduler_queue_depth"
    ]
    assert ("touchstone_gateway_latency_seconds", {"shard": "0"}, 0.041) in parsed[
        "touchstone_gateway_latency_seconds"
    ]
    assert ("touchstone_gateway_connected", {"shard": "1"}, 0.0) in parsed[
        "touchstone_gateway_connected"
    ]


def test_registries_are_independent() -> None:
    first, second = Metrics(), Metrics()
    first.command_finished("about", 0.1)
    assert (
        sample_value(first, "touchstone_commands_total", {"command": "about", "outcome": "ok"}) == 1
    )
    assert (
        sample_value(second, "touchstone_commands_total", {"command": "about", "outcome": "ok"})
        is None
    )


async def test_a_failing_or_slow_refresher_does_not_break_the_scrape() -> None:
    metrics = Metrics()

    async def broken() -> None:
        raise RuntimeError("database down")

    async def slow() -> None:
        await asyncio.sleep(30)

    async def good() -> None:
        metrics.set_queue_depth({"pending": 3})

    for name, fn in (("broken", broken), ("slow", slow), ("good", good)):
        metrics.add_refresher(name, fn)
    text = (await metrics.scrape(timeout=0.2)).decode()
    parsed = families(text)
    assert ("touchstone_scheduler_queue_depth", {"state": "pending"}, 3.0) in parsed[
        "touchstone_scheduler_queue_depth"
    ]
    assert sample_value(metrics, "touchstone_metrics_refresh_errors_total") == 2


async def test_health_checks_time_limited_and_never_leak_exception_text() -> None:
    checks = HealthChecks(timeout=0.2)

    async def fine() -> bool:
        return True

    async def hangs() -> bool:
        await asyncio.sleep(30)
        return True

    async def explodes() -> CheckResult:
        raise ConnectionError("password=hunter2 host=db")

    checks.add("fine", fine)
    checks.add("hangs", hangs)
    checks.add("explodes", explodes)
    report = await checks.run()
    body = report.as_json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["fine"]["ok"] is True
    assert body["checks"]["hangs"]["ok"] is False
    assert "0.2 s" in body["checks"]["hangs"]["detail"]
    assert body["checks"]["explodes"]["detail"] == "check failed: ConnectionError"
    assert "hunter2" not in repr(body)


async def test_endpoint_serves_healthz_and_metrics_on_loopback() -> None:
    state = {"up": True}

    async def database() -> bool:
        return state["up"]

    checks = HealthChecks()
    checks.add("database", database)
    metrics = Metrics()
    metrics.command_finished("about", 0.01)
    server = OpsServer(checks, metrics, port=0)
    port = await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
                assert (await response.json())["status"] == "ok"
            state["up"] = False
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 503
                body = await response.json()
                assert body["checks"]["database"]["ok"] is False
            async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert response.status == 200
                assert response.headers["Content-Type"].startswith("text/plain")
                assert "touchstone_commands" in families(await response.text())
            async with http.get(f"http://127.0.0.1:{port}/other") as response:
                assert response.status == 404
    finally:
        await server.stop()
