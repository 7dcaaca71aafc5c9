"""``/livez`` and ``/readyz`` as orchestrators expect them (issue 18 item 2).

* ``/livez``: the process answers — nothing else is looked at, so a database or broker outage
  never gets a healthy process restarted;
* ``/readyz``: the process can do its work now — its database answers, the database is at the
  migration head of this code, the broker connection is up and every consumer of the process
  (its RPC queue, its handlers' queues, its reply queues) is registered on it. 200 with
  ``{"status": "ok", "checks": {...}}``, else 503 with ``"status": "not_ready"`` and the
  check that failed named in ``checks``.

Why not ``@http``: nameko runs an ``@http`` method in a worker (``container.spawn_worker``),
and a container has ``max_workers`` of them. A service whose workers are all busy (a burst,
a slow database) answered ``/health`` only when one came free — an orchestrator then saw a
process that works hard as a dead one and restarted it, making the burst worse. The
entrypoints here answer in the green thread the web server already gave the request, so a
full worker pool does not delay them (``tests/perf/bench_probes.py`` measures it). They
carry no worker context either: no correlation id, no entrypoint metrics for probes.

Every check runs concurrently and is bounded (``PROBE_TIMEOUT_SECONDS``, default 2); a
probe never waits for the service's own connection pool (its workers may hold every
connection): the database checks use a small engine of their own. Concurrent ``/readyz``
requests share one evaluation, so a probe storm costs the database one query at a time.

``/health`` stays what it was (a worker-pool ``@http``, the gateway's pinging every service):
the local runner, the tests and the chaos tools wait on it to know the whole platform is up.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import eventlet
from eventlet.event import Event
from nameko.messaging import QueueConsumer
from nameko.web.handlers import HttpRequestHandler
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from werkzeug.wrappers import Response

from .batch_events import BatchEventHandler
from .db import _drop_if_closed

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 2.0
OK = "ok"

Check = Callable[[], str]  # "ok", or what is wrong (raising is also "wrong")


# -- the pure parts -----------------------------------------------------------------------
def verdict(checks: Mapping[str, str], advisory: Iterable[str] = ()) -> tuple[int, str]:
    """(HTTP status, ``status``) of a readiness answer: ready when every check that is not
    ``advisory`` says ``ok`` (an advisory one is reported, not waited for)."""
    advisory = set(advisory)
    ready = all(result == OK for name, result in checks.items() if name not in advisory)
    return (200, "ok") if ready else (503, "not_ready")


def failure(exc: BaseException) -> str:
    """A failed check's result: the exception's class and first line (a timeout says so)."""
    if isinstance(exc, eventlet.Timeout):
        return "error: timed out"
    first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"error: {exc.__class__.__name__}" + (f": {first}" if first else "")


def migration_state(current: Iterable[str], head: Iterable[str]) -> str:
    """``ok`` when the database is at this code's head, else what each side has."""
    current, head = set(current), set(head)
    if current == head:
        return OK
    found = ", ".join(sorted(current)) or "no migration applied"
    return f"error: database at {found}, code at {', '.join(sorted(head))}"


def channel_open(channel: Any) -> bool:
    """Whether a kombu consumer's channel is open on a connected connection. py-amqp clears
    ``is_open`` and ``connection`` of every channel when their connection is torn down (a
    broker restart, a missed heartbeat), and its transport's socket goes with it."""
    connection = getattr(channel, "connection", None)
    if not getattr(channel, "is_open", False) or connection is None:
        return False
    connected = getattr(connection, "connected", True)
    return bool(connected)


def consumer_checks(queue_consumer: Any, batch_handlers: Iterable[Any] = ()) -> dict[str, str]:
    """``broker`` and ``consumers`` of a nameko ``QueueConsumer`` (the one connection every
    consumer of the container shares): the connection is up when its consuming thread runs,
    has been ready once, and every consumer's channel is open on a connected connection; the
    consumers are attached when every registered provider has one, and every batch event
    handler (``batch_events``, a consumer on a connection of its own) has its consuming
    thread running and is not stopping. Whether that connection is up cannot be seen from
    outside the handler (its connection and channel are locals of its loop)."""
    if queue_consumer is None:
        return {"broker": "error: no broker consumer in this process",
                "consumers": "error: none"}
    thread = getattr(queue_consumer, "_gt", None)
    ready = getattr(queue_consumer, "_consumers_ready", None)
    consumers = dict(getattr(queue_consumer, "_consumers", {}))
    providers = list(getattr(queue_consumer, "_providers", ()))
    if thread is None or getattr(thread, "dead", False):
        broker = "error: the consuming thread is not running"
    elif ready is None or not ready.ready():
        broker = "error: not connected yet"
    elif not consumers or not all(channel_open(c.channel) for c in consumers.values()):
        broker = "error: connection lost (reconnecting)"
    else:
        broker = OK
    missing = sorted([_queue_name(p) for p in providers if p not in consumers]
                     + [_queue_name(h) for h in batch_handlers if not _consuming(h)])
    attached = f"error: not consuming {', '.join(missing)}" if missing else OK
    if not providers:
        attached = "error: no consumer registered"
    return {"broker": broker, "consumers": attached if broker == OK else broker}


def _consuming(batch_handler: Any) -> bool:
    thread = getattr(batch_handler, "_thread", None)
    return thread is not None and not getattr(thread, "dead", False) \
        and not getattr(batch_handler, "_stopping", False)


def _queue_name(provider: Any) -> str:
    queue = getattr(provider, "queue", None)
    return str(getattr(queue, "name", None) or type(provider).__name__)


def run_checks(checks: Mapping[str, Check], timeout: float) -> dict[str, str]:
    """Every check at once, each bounded by ``timeout`` seconds; their results by name."""
    results: dict[str, str] = {}

    def run(name: str, check: Check) -> None:
        try:
            with eventlet.Timeout(timeout):
                results[name] = check()
        except BaseException as exc:  # eventlet.Timeout is one; the probe reports, not raises
            results[name] = failure(exc)

    pool = eventlet.GreenPool(max(1, len(checks)))
    for name, check in checks.items():
        pool.spawn_n(run, name, check)
    pool.waitall()
    return {name: results[name] for name in checks}


# -- the entrypoints ----------------------------------------------------------------------
class ProbeEndpoint(HttpRequestHandler):
    """An ``@http`` entrypoint answered by ``answer()`` in the web server's green thread, not
    in a worker: the decorated method is never called (its docstring says what it answers)."""

    def handle_request(self, request):
        request.shallow = False
        try:
            status, body = self.answer()
        except Exception as exc:  # a bug in a probe: say so, as a 500 the orchestrator sees
            log.exception("probe %s failed", self.url)
            status, body = 500, {"status": "error", "error": failure(exc)}
        body = {"service": self.container.service_name, **body}
        return Response(json.dumps(body, ensure_ascii=False, default=str), status=status,
                        mimetype="application/json", headers={"Cache-Control": "no-store"})

    def answer(self) -> tuple[int, dict]:
        raise NotImplementedError


class Liveness(ProbeEndpoint):
    """``/livez``: answering is the proof; no dependency is looked at."""

    def answer(self) -> tuple[int, dict]:
        return 200, {"status": "ok"}


class Readiness(ProbeEndpoint):
    """``/readyz``: the process's own connections and state (module docstring).

    ``extra`` adds checks: ``{"name": factory}``, each factory called with the container at
    setup and returning a ``Check`` (or None when it does not apply); ``advisory`` names the
    checks reported without deciding readiness."""

    def __init__(self, method: str, url: str, extra: Mapping[str, Callable[[Any], Check | None]]
                 | None = None, advisory: Iterable[str] = (), **kwargs):
        super().__init__(method, url, **kwargs)
        self.extra = dict(extra or {})
        self.advisory = tuple(advisory)
        self.checks: dict[str, Check] = {}
        self.engine: Engine | None = None
        self.head: set[str] | None = None
        self.at_head = False
        self.timeout = DEFAULT_TIMEOUT_SECONDS
        self._running: Event | None = None

    def setup(self):
        super().setup()
        config = self.container.config
        self.timeout = float(config.get("PROBE_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT_SECONDS)
        checks: dict[str, Check] = {}
        url = config.get("DATABASE_URL") if _has_database(self.container) else None
        if url:
            self.engine = probe_engine(url, self.timeout)
            checks["database"] = self.check_database
            self.head = head_of(self.container.service_name)
            if self.head is not None:
                checks["migrations"] = self.check_migrations
        queue_consumer = next((ext for ext in self.container.subextensions
                               if isinstance(ext, QueueConsumer)), None)
        batch_handlers = [ep for ep in self.container.entrypoints
                          if isinstance(ep, BatchEventHandler)]
        checks["broker"] = lambda: consumer_checks(queue_consumer, batch_handlers)["broker"]
        checks["consumers"] = \
            lambda: consumer_checks(queue_consumer, batch_handlers)["consumers"]
        for name, factory in self.extra.items():
            check = factory(self.container)
            if check is not None:
                checks[name] = check
        self.checks = checks

    def stop(self):
        super().stop()
        self._dispose()

    def kill(self):
        super().kill()
        self._dispose()

    def _dispose(self):
        if self.engine is not None:
            self.engine.dispose()

    def check_database(self) -> str:
        assert self.engine is not None  # a check only set up with its engine
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return OK

    def check_migrations(self) -> str:
        """At head once is at head for this process: the head of its code does not change, and
        a database a later release migrated further (a rolling upgrade, expand before contract)
        must not take the older processes still serving out of rotation."""
        if self.at_head:
            return OK
        assert self.engine is not None
        with self.engine.connect() as conn:
            exists = conn.execute(text("SELECT to_regclass('alembic_version')")).scalar()
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalars() \
                .all() if exists else []
        state = migration_state(current, self.head or set())
        self.at_head = state == OK
        return state

    def answer(self) -> tuple[int, dict]:
        """One evaluation at a time: a request arriving during one gets its result."""
        if self._running is not None:
            return self._running.wait()
        self._running = running = Event()
        try:
            checks = run_checks(self.checks, self.timeout)
            status, word = verdict(checks, self.advisory)
            result = (status, {"status": word, "checks": checks})
        except Exception as exc:
            running.send_exception(exc)
            raise
        finally:
            self._running = None
        running.send(result)
        return result


def _has_database(container) -> bool:
    from .service import Database  # the kit's service module imports this one

    return any(isinstance(dep, Database) for dep in container.dependencies)


def probe_engine(url: str, timeout: float) -> Engine:
    """The probes' own engine: one connection kept (a second while two checks overlap), so a
    probe never queues behind the workers for the service's pool; the server gives up on a
    statement, and the driver on connecting, within the probe's timeout."""
    millis = max(1, int(timeout * 1000))
    engine = create_engine(url, pool_size=1, max_overflow=1, pool_timeout=timeout,
                           pool_pre_ping=False, hide_parameters=True,
                           connect_args={"connect_timeout": max(1, int(timeout + 0.999)),
                                         "options": f"-c statement_timeout={millis}"})
    event.listen(engine, "checkout", _drop_if_closed)  # a restarted server's closed connection
    return engine


def head_of(service: str) -> set[str] | None:
    """The migration head of ``service``'s code, or None when it has no migrations folder
    (the gateway, a service defined in a test)."""
    from . import migrations

    try:
        folder = migrations.migrations_dir(service)
    except ImportError:
        return None
    if not folder.is_dir():
        return None
    return migrations.head_revisions(service)


livez = Liveness.decorator
readyz = Readiness.decorator
