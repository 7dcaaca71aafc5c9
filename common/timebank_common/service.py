"""Pieces every nameko service class is built from.

    class LedgerService(ServiceBase):
        name = "ledger"
        db = Database()
        relay = OutboxRelay()     # only services that emit events

``ServiceBase`` gives ``/health`` and ``/metrics`` on the service's own HTTP
port, correlation ids and entrypoint metrics.
"""
from __future__ import annotations

import json

from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from nameko.timer import Timer
from nameko.web.handlers import http
from sqlalchemy import text
from werkzeug.wrappers import Response

from . import metrics
from .db import UnitOfWork, make_engine
from .errors import DomainError
from .logs import Correlation


def rpc(fn):
    """``@rpc`` whose domain errors are expected refusals, not logged as crashes."""
    return Rpc.decorator(expected_exceptions=(DomainError,))(fn)


class ScheduledTimer(Timer):
    """nameko's ``Timer`` with its interval read from the service's configuration."""

    def __init__(self, setting: str, default_seconds: float, **kwargs):
        super().__init__(interval=default_seconds, **kwargs)
        self.setting = setting

    def setup(self):
        self.interval = float(self.container.config.get(self.setting, self.interval))
        super().setup()


def scheduled(setting: str, default_seconds: float):
    """``@scheduled("SWEEP_SECONDS", 3600)``: run a job every N seconds (config key, default).

    Every process of the service runs it, so jobs must be safe to run side by side
    (``FOR UPDATE SKIP LOCKED``, idempotent writes).
    """
    return ScheduledTimer.decorator(setting, default_seconds)


class Database(DependencyProvider):
    """The service's own PostgreSQL database. Injects a unit-of-work factory."""

    def __init__(self):
        self.engine = None
        self.on_commit = None

    def setup(self):
        cfg = self.container.config
        self.engine = make_engine(cfg["DATABASE_URL"], pool_size=int(cfg.get("DB_POOL_SIZE", 10)))

    def stop(self):
        if self.engine is not None:
            self.engine.dispose()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        def unit_of_work() -> UnitOfWork:
            # read when used: the Correlation dependency may be injected after this one
            cid = worker_ctx.data.get("correlation_id")
            return UnitOfWork(self.engine, correlation_id=cid, on_commit=self.on_commit)

        return unit_of_work


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        mimetype="application/json",
        headers=headers,
    )


class GaugeRefresher(DependencyProvider):
    """Injects ``refresh()``: reads outbox backlog and dead letters for a scrape."""

    def get_dependency(self, worker_ctx):
        container = self.container
        database = next((d for d in container.dependencies if isinstance(d, Database)), None)
        engine = database.engine if database is not None else None
        return lambda: metrics.refresh_gauges(container.service_name, engine,
                                              container.config.get("AMQP_URI"))


class ServiceBase:
    """Health check, metrics, correlation ids. Subclasses set ``name`` and ``db``."""

    correlation_id = Correlation()
    entrypoint_metrics = metrics.EntrypointMetrics()
    refresh_gauges = GaugeRefresher()

    @http("GET", "/health")
    def health(self, request):
        checks = {}
        db = getattr(self, "db", None)
        if db is not None:
            try:
                with db() as uow:
                    uow.execute(text("SELECT 1"))
                checks["database"] = "ok"
            except Exception as exc:  # reported, not raised: this is the health check
                checks["database"] = f"error: {exc.__class__.__name__}"
        healthy = all(v == "ok" for v in checks.values())
        return json_response(
            {"service": self.name, "status": "ok" if healthy else "degraded", "checks": checks},
            status=200 if healthy else 503,
        )

    @http("GET", "/metrics")
    def metrics(self, request):
        self.refresh_gauges()
        body, content_type = metrics.exposition()
        return Response(body, status=200, headers={"Content-Type": content_type})

    @rpc
    def ping(self):
        return {"service": self.name, "status": "ok"}
