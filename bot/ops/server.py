"""The optional HTTP endpoint: ``/healthz`` (JSON, 200 or 503) and ``/metrics``.

Bound to 127.0.0.1 by default: health and metrics describe the deployment and are for
the machine's own supervisor and a scraper, not the internet. It is off unless
``TOUCHSTONE_HEALTH_PORT`` is set.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.ops.health import HealthChecks
from bot.ops.metrics import Metrics

log = logging.getLogger(__name__)


class OpsServer:
    def __init__(
        self, checks: HealthChecks, metrics: Metrics, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.checks = checks
        self.metrics = metrics
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics_page)
        return app

    async def healthz(self, _request: web.Request) -> web.Response:
        report = await self.checks.run()
        return web.json_response(report.as_json(), status=200 if report.ok else 503)

    async def metrics_page(self, _request: web.Request) -> web.Response:
        body = await self.metrics.scrape()
        response = web.Response(body=body)
        response.headers["Content-Type"] = self.metrics.content_type
        return response

    async def start(self) -> int:
        """Listen; returns the port (useful with port 0)."""
        runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        for address in runner.addresses:
            if isinstance(address, tuple) and len(address) >= 2:
                self.port = int(address[1])
                break
        log.info("health endpoint on http://%s:%d (/healthz, /metrics)", self.host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
