"""Prometheus metrics every service exports at ``/metrics`` (DESIGN.md §2, issue 2).

* entrypoint calls, latency and outcome (ok / refused / error), per entrypoint;
* outbox backlog and age of the oldest unsent event;
* messages waiting in the service's dead-letter queue;
* events published by the relay and events handled / skipped as duplicates;
* person logins by outcome (success / wrong / locked) and tokens refused as revoked;
* requests refused by the gateway's rate limits, by route class;
* the gateway's HTTP requests by route, method and status, and their latency.

Conventions (issue 18): base units (seconds), ``_total`` on counters, ``_duration_seconds`` on
latencies, no label that repeats the scrape's ``job`` (each process is one service: Prometheus
adds ``job`` and ``instance``), no ``_created`` series. A gauge that is measured now and then
is a ``MeasuredGauge``: absent from ``/metrics`` until its first measurement, so a process that
has not looked yet does not claim 0; where "not measured" must be visible, a ``*_check_ok`` or
``*_last_check_timestamp_seconds`` gauge says so (deploy/monitoring/alerts.yml alerts on them).
"""
from __future__ import annotations

import logging
import time

import eventlet.semaphore
from nameko.extensions import DependencyProvider
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

disable_created_metrics()  # no *_created series beside every counter and histogram

log = logging.getLogger("timebank.entrypoints")



class MeasuredGauge(Collector):
    """A gauge without labels that is absent from the exposition until it is first ``set``
    (a ``prometheus_client.Gauge`` without labels reads 0 from the start), and again after
    ``clear`` — for values measured now and then, where 0 would be a claim."""

    def __init__(self, name: str, documentation: str, registry=REGISTRY):
        self.name, self.documentation = name, documentation
        self._value: float | None = None
        if registry is not None:
            registry.register(self)

    def set(self, value: float) -> None:
        self._value = float(value)

    def clear(self) -> None:
        self._value = None

    def value(self) -> float | None:
        """The last measurement, or None (absent)."""
        return self._value

    def describe(self):
        return [GaugeMetricFamily(self.name, self.documentation)]

    def collect(self):
        value = self._value
        if value is None:
            return []
        return [GaugeMetricFamily(self.name, self.documentation, value=value)]


ENTRYPOINT_CALLS = Counter(
    "timebank_entrypoint_calls_total", "Entrypoint calls by outcome (ok / refused / error)",
    ["entrypoint", "outcome"],
)
ENTRYPOINT_DURATION = Histogram(
    "timebank_entrypoint_duration_seconds", "Entrypoint latency",
    ["entrypoint"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
OUTBOX_BACKLOG = MeasuredGauge(
    "timebank_outbox_backlog", "Unsent outbox rows (read at each scrape; absent when the "
    "database could not be read, see timebank_outbox_check_ok)")
OUTBOX_OLDEST_AGE = MeasuredGauge(
    "timebank_outbox_oldest_age_seconds", "Age of the oldest unsent outbox row (0: none)")
OUTBOX_CHECK_OK = MeasuredGauge(
    "timebank_outbox_check_ok", "1 when this scrape read the outbox, 0 when the database could "
    "not be read (the outbox gauges are then absent)")
OUTBOX_PUBLISHED = Counter("timebank_outbox_published_total", "Events published by the relay")
DEAD_LETTERS = MeasuredGauge(
    "timebank_dead_letters", "Messages waiting in the service's dead-letter queue (read at "
    "each scrape; absent when the broker could not be reached, see timebank_dead_letters_check_ok)")
DEAD_LETTERS_CHECK_OK = MeasuredGauge(
    "timebank_dead_letters_check_ok", "1 when this scrape read the dead-letter queue's depth "
    "from the broker, 0 when the broker could not be reached (timebank_dead_letters is then "
    "absent)")
EVENTS_HANDLED = Counter(
    "timebank_events_handled_total", "Events handled, by outcome (done / duplicate)",
    ["event_type", "outcome"],
)
TIMER_OVERRUNS = Counter(
    "timebank_timer_overruns_total", "Ticks of a scheduled job still running after "
    "TIMER_OVERRUN_SECONDS (the next tick started beside them; the log says where each was)",
    ["entrypoint"],
)
HTTP_REQUESTS = Counter(
    "timebank_http_requests_total", "The gateway's API requests by route (its path template), "
    "method and status code", ["route", "method", "code"])
HTTP_REQUEST_DURATION = Histogram(
    "timebank_http_request_duration_seconds", "The gateway's API latency by route and method",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
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


class BrokerProbe:
    """Reads queue depths (passively: nothing is taken off a queue) over one long-lived broker
    connection, opened at first use and opened again after a failure, instead of a connection
    per scrape. ``broker_probe(amqp_uri)`` gives the process's one probe per broker."""

    def __init__(self, amqp_uri: str, timeout: float = 2.0):
        self.amqp_uri, self.timeout = amqp_uri, timeout
        self._conn = None
        self._channel = None
        self._lock = eventlet.semaphore.Semaphore()

    def depths(self, queues) -> dict[str, int] | None:
        """Ready messages of each queue (0 for a queue not declared yet), or None when the
        broker cannot be reached."""
        with self._lock:
            for _ in range(2):  # a connection the broker dropped since the last use: once more
                fresh = self._conn is None
                try:
                    return {name: self._depth(name) for name in queues}
                except Exception as exc:  # noqa: BLE001 - any failure: broker unreachable
                    log.debug("queue depths from %s: %r", self.amqp_uri.split("@")[-1], exc)
                    self._close()
                    if fresh:  # a new connection failed: the broker is away, no second wait
                        break
            return None

    def _depth(self, queue: str) -> int:
        from amqp.exceptions import NotFound  # noqa: PLC0415

        try:
            _, count, _ = self._open_channel().queue_declare(queue, passive=True)
            return int(count)
        except NotFound:  # not declared yet: holds nothing
            self._channel = None  # the broker closed the channel
            return 0

    def _open_channel(self):
        from kombu import Connection  # noqa: PLC0415

        if self._conn is None:
            conn = Connection(self.amqp_uri, connect_timeout=self.timeout, heartbeat=0,
                              transport_options={"read_timeout": self.timeout,
                                                 "write_timeout": self.timeout})
            conn.ensure_connection(max_retries=max(1, len(conn.alt)), interval_start=0,
                                   interval_step=0, timeout=self.timeout)
            self._conn = conn
        if self._channel is None:
            self._channel = self._conn.channel()
        return self._channel

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        conn, self._conn, self._channel = self._conn, None, None
        if conn is not None:
            try:
                conn.release()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass


_PROBES: dict[str, BrokerProbe] = {}


def broker_probe(amqp_uri: str) -> BrokerProbe:
    """The process's probe of the broker at ``amqp_uri``: every metric read from the broker
    (the dead letters, reporting's waiting events) shares its one connection."""
    probe = _PROBES.get(amqp_uri)
    if probe is None:
        probe = _PROBES[amqp_uri] = BrokerProbe(amqp_uri)
    return probe


class DeadLetterProbe:
    """The depth of ``<service>.dead-letters`` through a ``BrokerProbe`` (its own, unless
    one is given); ``depth()`` is None when the broker cannot be reached."""

    def __init__(self, amqp_uri: str, service: str, timeout: float = 2.0,
                 broker: BrokerProbe | None = None):
        self.queue = dead_letter_queue_name(service)
        self.broker = broker or BrokerProbe(amqp_uri, timeout)

    def depth(self) -> int | None:
        found = self.broker.depths([self.queue])
        return None if found is None else found[self.queue]

    def close(self) -> None:
        self.broker.close()


def refresh_gauges(engine, probe: DeadLetterProbe | None) -> None:
    """Read the outbox backlog and the dead-letter depth now (called on each scrape,
    so every service reports them, whether or not it runs a relay or a handler). What cannot
    be read is left absent, with its ``*_check_ok`` gauge at 0 — never a stale or made-up 0."""
    from .outbox import backlog  # noqa: PLC0415  (outbox imports this module)

    if engine is not None:
        try:
            count, age = backlog(engine)
        except Exception:  # noqa: BLE001 - database down: /health says so
            OUTBOX_BACKLOG.clear()
            OUTBOX_OLDEST_AGE.clear()
            OUTBOX_CHECK_OK.set(0)
        else:
            OUTBOX_BACKLOG.set(count)
            OUTBOX_OLDEST_AGE.set(age)
            OUTBOX_CHECK_OK.set(1)
    if probe is not None:
        depth = probe.depth()
        if depth is None:
            DEAD_LETTERS.clear()
            DEAD_LETTERS_CHECK_OK.set(0)
        else:
            DEAD_LETTERS.set(depth)
            DEAD_LETTERS_CHECK_OK.set(1)


def exposition() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST


class EntrypointMetrics(DependencyProvider):
    """Counts and times every entrypoint of the service it is attached to."""

    def __init__(self):
        self._started = {}
        # each series looked up once: ``labels()`` takes a lock and builds its key on every
        # call, and every worker of every service passes here (two per call)
        self._durations: dict[str, Histogram] = {}
        self._calls: dict[tuple[str, str], Counter] = {}

    def worker_setup(self, worker_ctx):
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self._started.pop(worker_ctx, None)
        service = self.container.service_name
        name = worker_ctx.entrypoint.method_name
        if started is not None:
            duration = self._durations.get(name)
            if duration is None:
                duration = self._durations[name] = ENTRYPOINT_DURATION.labels(name)
            duration.observe(time.perf_counter() - started)
        if exc_info is None:
            outcome = "ok"
        else:
            from .errors import DomainError

            outcome = "refused" if isinstance(exc_info[1], DomainError) else "error"
        calls = self._calls.get((name, outcome))
        if calls is None:
            calls = self._calls[(name, outcome)] = ENTRYPOINT_CALLS.labels(name, outcome)
        calls.inc()
        if name not in ("health", "metrics", "ping"):
            elapsed_ms = (time.perf_counter() - started) * 1000 if started is not None else -1
            log.info("%s.%s %s %.1f ms", service, name, outcome, elapsed_ms)

    def worker_teardown(self, worker_ctx):
        self._started.pop(worker_ctx, None)
