"""Prometheus metrics every service exports at ``/metrics`` (DESIGN.md §2, issue 2).

* entrypoint calls, latency and outcome (ok / refused / error), per entrypoint;
* outbox backlog and age of the oldest unsent event;
* messages waiting in the service's dead-letter queue;
* events published by the relay and events handled / skipped as duplicates;
* person logins by outcome (success / wrong / locked) and tokens refused as revoked;
* requests refused by the gateway's rate limits, by route class.
"""
from __future__ import annotations

import logging
import time

from nameko.extensions import DependencyProvider
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

log = logging.getLogger("timebank.entrypoints")

ENTRYPOINT_CALLS = Counter(
    "timebank_entrypoint_calls_total", "Entrypoint calls by outcome",
    ["service", "entrypoint", "outcome"],
)
ENTRYPOINT_SECONDS = Histogram(
    "timebank_entrypoint_seconds", "Entrypoint latency",
    ["service", "entrypoint"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
OUTBOX_BACKLOG = Gauge("timebank_outbox_backlog", "Unsent outbox rows", ["service"])
OUTBOX_OLDEST_AGE = Gauge("timebank_outbox_oldest_age_seconds", "Age of the oldest unsent outbox row", ["service"])
OUTBOX_PUBLISHED = Counter("timebank_outbox_published_total", "Events published by the relay", ["service"])
DEAD_LETTERS = Gauge("timebank_dead_letters", "Messages waiting in the dead-letter queue", ["service"])
EVENTS_HANDLED = Counter(
    "timebank_events_handled_total", "Events handled, by outcome (done / duplicate)",
    ["service", "event_type", "outcome"],
)

RESPONSE_CONTRACT_VIOLATIONS = Counter(
    "timebank_gateway_response_contract_violations_total",
    "2xx answers that did not match their route's response schema (gateway/answers.py)", ["route"])
RATE_LIMITED = Counter(
    "timebank_rate_limited_total",
    "Requests the gateway's rate limits refused (429), by route class; storage_error counts "
    "requests let through because the counters could not be reached",
    ["rate_class"],
)
LOGIN_ATTEMPTS = Counter(
    "timebank_login_attempts_total",
    "Person logins by outcome: success, wrong (phone or password), locked (refused while locked)",
    ["outcome"],
)
REVOKED_TOKENS_REFUSED = Counter(
    "timebank_revoked_tokens_refused_total", "Requests refused because their token was revoked",
)


def dead_letter_queue_name(service: str) -> str:
    return f"{service}.dead-letters"


def refresh_gauges(service: str, engine, amqp_uri: str | None) -> None:
    """Read the outbox backlog and the dead-letter depth now (called on each scrape,
    so every service reports them, whether or not it runs a relay or a handler)."""
    from .outbox import backlog  # noqa: PLC0415  (outbox imports this module)

    if engine is not None:
        try:
            count, age = backlog(engine)
            OUTBOX_BACKLOG.labels(service).set(count)
            OUTBOX_OLDEST_AGE.labels(service).set(age)
        except Exception:  # database down: /health says so; keep the last values
            pass
    if amqp_uri:
        from kombu import Connection  # noqa: PLC0415

        try:
            with Connection(amqp_uri, connect_timeout=2) as conn:
                channel = conn.channel()
                _, count, _ = channel.queue_declare(dead_letter_queue_name(service), passive=True)
                DEAD_LETTERS.labels(service).set(count)
        except Exception:  # no dead-letter queue yet (no handler ran), or broker away
            DEAD_LETTERS.labels(service).set(0)


def exposition() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST


class EntrypointMetrics(DependencyProvider):
    """Counts and times every entrypoint of the service it is attached to."""

    def __init__(self):
        self._started = {}

    def worker_setup(self, worker_ctx):
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        from .errors import DomainError

        started = self._started.pop(worker_ctx, None)
        service = self.container.service_name
        name = worker_ctx.entrypoint.method_name
        if started is not None:
            ENTRYPOINT_SECONDS.labels(service, name).observe(time.perf_counter() - started)
        if exc_info is None:
            outcome = "ok"
        elif isinstance(exc_info[1], DomainError):
            outcome = "refused"
        else:
            outcome = "error"
        ENTRYPOINT_CALLS.labels(service, name, outcome).inc()
        if name not in ("health", "metrics", "ping"):
            elapsed_ms = (time.perf_counter() - started) * 1000 if started is not None else -1
            log.info("%s.%s %s %.1f ms", service, name, outcome, elapsed_ms)

    def worker_teardown(self, worker_ctx):
        self._started.pop(worker_ctx, None)
