"""Pieces every nameko service class is built from.

    class LedgerService(ServiceBase):
        name = "ledger"
        db = Database()
        relay = OutboxRelay()     # only services that emit events

``ServiceBase`` gives ``/livez`` and ``/readyz`` (the orchestrator's probes, answered outside
the worker pool: ``probes.py``), ``/health`` and ``/metrics`` on the service's own HTTP port,
correlation ids and entrypoint metrics.
"""
from __future__ import annotations

import datetime as dt
import functools
import inspect
import json
import logging
import traceback
from collections.abc import Callable, Mapping
from typing import Any

import eventlet
from kombu.mixins import ConsumerMixin
from marshmallow import ValidationError, fields
from nameko.dependency_providers import Config
from nameko.exceptions import IncorrectSignature
from nameko.extensions import DependencyProvider
from nameko.messaging import QueueConsumer
from nameko.web.handlers import http
from sqlalchemy import text
from werkzeug.wrappers import Response

from . import consumer_audit, idempotency, metrics, probes, remote
from .caller import Caller
from .clock import Clock, clock_from_config
from .contracts import RpcDeclaration, conforms, schema_instance
from .db import DATABASE_UNAVAILABLE, UnitOfWork, make_engine
from .errors import DomainError, Unavailable, validation_error
from .logs import Correlation
from .rpc import QuorumRpc
from .schemas import load
from .timers import scheduled
from .tracing import TRACEPARENT_KEY, TracingProvider

log = logging.getLogger(__name__)

remote.register_errors()

DEFAULT_CONSUMER_POLL_SECONDS = 0.2


def _run_queue_consumer(self, _tokens=1, **kwargs):
    """nameko's ``QueueConsumer.run`` looking up from the broker every
    ``CONSUMER_POLL_SECONDS`` (default 0.2) when idle, instead of kombu's fixed 1 s: a stop
    request is only seen then, and a container stops in two such rounds (about 3 s before,
    in every test and every rolling restart; 0.2-0.5 s now)."""
    interval = float(self.container.config.get("CONSUMER_POLL_SECONDS",
                                               DEFAULT_CONSUMER_POLL_SECONDS))
    kwargs.setdefault("safety_interval", interval)
    return ConsumerMixin.run(self, _tokens, **kwargs)


QueueConsumer.run = _run_queue_consumer

_nameko_on_iteration = QueueConsumer.on_iteration
_nameko_on_consume_ready = QueueConsumer.on_consume_ready
_nameko_on_connection_error = QueueConsumer.on_connection_error


def _kept(queue_consumer, name: str, make: Callable[[Mapping], Any]) -> Any:
    """The kit's state kept on a nameko ``QueueConsumer`` (made from its container's config
    on first use): its consumers' audit and its stall watch."""
    state = getattr(queue_consumer, name, None)
    if state is None:
        state = make(queue_consumer.container.config)
        setattr(queue_consumer, name, state)
    return state


def _audit_of(queue_consumer) -> consumer_audit.ConsumerAudit:
    return _kept(queue_consumer, "_timebank_audit", lambda config: consumer_audit.ConsumerAudit(
        consumer_audit.audit_interval(config)))


def _watch_of(queue_consumer) -> consumer_audit.StallWatch:
    return _kept(queue_consumer, "_timebank_watch", lambda config: consumer_audit.StallWatch(
        consumer_audit.stall_seconds(config)))


def _audited_iteration(self) -> None:
    """nameko's iteration, then now and then the broker's view of every queue the container
    consumes (``consumer_audit``): a consumer the broker dropped makes the loop connect and
    consume again, instead of waiting for ever on a connection that delivers nothing."""
    _watch_of(self).moved()
    _nameko_on_iteration(self)
    consumers = list(self._consumers.values())
    if self.should_stop or not consumers or not _audit_of(self).due():
        return
    queues = [queue.name for consumer in consumers for queue in consumer.queues]
    consumer_audit.look(consumers[0].channel, queues, _audit_of(self))


def _consume_ready(self, connection, channel, consumers, **kwargs) -> None:
    _watch_of(self).moved()
    _audit_of(self).restart()  # a new connection: its consumers are looked at later
    if not getattr(self, "_timebank_watching", False):
        # a plain green thread, not a managed one: it ends by itself with the consumer (a
        # managed thread still sleeping when the container stops is killed, with a warning)
        self._timebank_watching = True
        eventlet.spawn_n(_watch_consumer, self)
    _nameko_on_consume_ready(self, connection, channel, consumers, **kwargs)


def _connection_attempt_failed(self, exc, interval) -> None:
    _watch_of(self).moved()  # a broker that refuses is not a stalled consumer
    _nameko_on_connection_error(self, exc, interval)


def _watch_consumer(queue_consumer) -> None:
    """Beside the consuming thread until it ends: a thread still for
    ``CONSUMER_STALL_SECONDS`` gets ``ConsumerStalled`` raised where it waits
    (``consumer_audit``'s docstring), its stack logged first."""
    watch = _watch_of(queue_consumer)
    if watch.stall_seconds <= 0:
        return
    while True:
        eventlet.sleep(min(5.0, watch.stall_seconds / 4))
        thread = getattr(queue_consumer, "_gt", None)
        if thread is None or thread.dead or queue_consumer.should_stop:
            return
        if watch.stalled():
            log.error("the broker consumer made no progress for %.0f s; connecting again. "
                      "It was waiting at:\n%s", watch.stall_seconds,
                      "".join(traceback.format_stack(thread.gr_frame)) if thread.gr_frame
                      else "(no frame)")
            thread.kill(consumer_audit.ConsumerStalled(
                f"no progress for {watch.stall_seconds:.0f} s"))


QueueConsumer.on_iteration = _audited_iteration
QueueConsumer.on_consume_ready = _consume_ready
QueueConsumer.on_connection_error = _connection_attempt_failed


class ContractBroken(Exception):
    """An RPC answered something its declaration does not allow (raised only with
    ``CHECK_CONTRACTS``, as in every test): a bug in the service or in its contract."""


def rpc(fn: Callable[..., Any] | None = None, *, args: Mapping[str, Any] | None = None,
        returns: Any = None, internal: bool = False, idempotent: bool = False) -> Any:
    """A nameko RPC (on the service's quorum queue, ``rpc.QuorumRpc``) whose domain errors are
    expected refusals, not logged as crashes, with its contract declared next to it::

        @rpc(args={"data": SubmitDemand}, returns=DemandOut)
        def submit(self, caller, data): ...

    The method receives ``caller`` as a ``Caller`` (a missing one is 401 ``login_required``)
    and each argument named in ``args`` loaded with its schema or field (a refusal is 400
    ``validation_failed``); ``returns`` is the schema or field its answer conforms to
    (``Schema(many=True)`` for a list; None: it answers nothing), checked when the service
    runs with ``CHECK_CONTRACTS``. ``internal=True``: asked by other services only.
    ``idempotent=True``: a create or a state change that takes an ``idempotency_key``
    (``idempotency.py``); given one, it runs once per caller and key, its use case's units of
    work inside the transaction that stores the key and answer, and the RPC answers
    ``idempotency.envelope(answer, replayed)``. ``docs/rpc-and-events.md`` is generated from
    these declarations."""
    if fn is not None:  # bare @rpc: not yet declared
        return QuorumRpc.decorator(expected_exceptions=(DomainError,))(fn)
    declaration = RpcDeclaration(dict(args or {}), returns, internal, idempotent)

    def decorate(method: Callable[..., Any]) -> Any:
        signature = inspect.signature(method)
        unknown = set(declaration.args) - set(signature.parameters)
        if unknown:
            raise TypeError(f"{method.__qualname__} declares arguments it does not take: "
                            f"{sorted(unknown)}")
        takes_key = "idempotency_key" in signature.parameters

        @functools.wraps(method)
        def entrypoint(self, *call_args, **call_kwargs):
            key = call_kwargs.pop("idempotency_key", None) if idempotent and not takes_key \
                else None
            try:
                bound = signature.bind(self, *call_args, **call_kwargs)
            except TypeError as exc:
                raise IncorrectSignature(str(exc)) from None
            values = bound.arguments
            if "caller" in values:
                values["caller"] = Caller.from_dict(values["caller"])
            for name, declared in declaration.args.items():
                if name in values:
                    values[name] = load_declared(name, declared, values[name])
            if takes_key:
                key = values.get("idempotency_key")

            def call() -> Any:
                return _checked(self, method, declaration,
                                method(*bound.args, **bound.kwargs))

            try:
                if idempotent and key is not None:
                    return _run_once(self, method.__name__, bound, idempotency.valid_key(key),
                                     call)
                return call()
            except DATABASE_UNAVAILABLE as exc:
                raise database_unavailable(method, exc) from exc

        entrypoint.rpc_declaration = declaration  # type: ignore[attr-defined]
        return QuorumRpc.decorator(expected_exceptions=(DomainError,))(entrypoint)

    return decorate


def database_unavailable(method: Callable[..., Any], exc: Exception) -> Unavailable:
    """A transient database failure as the 503 a client retries (with the same
    ``Idempotency-Key`` for a create), not a 500: nothing was committed (the unit of work rolled
    back) or, if the commit itself was cut, the retry finds the first result."""
    log.warning("%s: the database did not serve the request: %s", method.__qualname__,
                str(exc).splitlines()[0][:300])
    return Unavailable("database_unavailable", "数据库暂时繁忙或不可用，请稍后重试",
                       "The database is busy or unavailable; please retry")


def _checked(service: Any, method: Callable[..., Any], declaration: RpcDeclaration,
             result: Any) -> Any:
    """``result``, after checking it against the method's declaration (``CHECK_CONTRACTS``;
    ``strict`` also loads it back as a client would, ``loads_back``)."""
    mode = service.config.get("CHECK_CONTRACTS")
    if mode:
        problems = conforms(declaration.returns, result)
        if mode == "strict" and not problems:
            problems = loads_back(declaration.returns, result)
        if problems:
            log.error("%s broke its contract: %s", method.__qualname__, problems)
            raise ContractBroken(f"{method.__qualname__}: " + "; ".join(problems[:20]))
    return result


def _run_once(service: Any, name: str, bound: inspect.BoundArguments, key: str,
              call: Callable[[], Any]) -> dict[str, Any]:
    """An idempotent RPC given a key: ``idempotency.once`` around the method, whose
    ``self.db`` is, while it runs, the factory of units of work nested in the key's
    transaction (the service instance is this worker's own, so nothing else sees the swap).
    The fingerprint covers the operation and every argument but the caller and the key.
    A service that keeps personal data encrypted seals the stored answer with its
    ``answer_cipher``."""
    operation = f"{service.name}.{name}"
    arguments = {name: value for name, value in bound.arguments.items()
                 if name not in ("self", "caller", "idempotency_key")}
    service_db = service.db

    def create(nested_db: Any) -> Any:
        service.db = nested_db
        try:
            return call()
        finally:
            service.db = service_db

    answer, replayed = idempotency.once(
        service_db, caller=idempotency.caller_id(bound.arguments["caller"]), key=key,
        operation=operation, print_=idempotency.fingerprint(operation, arguments),
        now=service.clock.now(), action=create,
        wait_seconds=float(service.config.get("IDEMPOTENCY_WAIT_SECONDS",
                                              idempotency.DEFAULT_WAIT_SECONDS)),
        cipher=getattr(service, "answer_cipher", None))
    return idempotency.envelope(answer, replayed)


def loads_back(declared: Any, result: Any) -> list[str]:
    """What a client loading ``result`` (as JSON) with ``declared`` would refuse: a field
    always present but not ``required``, a null not ``allow_none``, a value outside its
    validators, a key not declared. The gateway's strict mode applies the same load-side
    check to its answers, so a service whose tests run with ``CHECK_CONTRACTS: strict``
    proves its contracts exact on every answer those tests see."""
    if declared is None or isinstance(declared, fields.Field):
        return []
    sent = json.loads(json.dumps(result, default=_json_default))
    errors = schema_instance(declared).validate(sent)
    return [f"answer: {errors}"] if errors else []


def _json_default(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def load_declared(name: str, declared: Any, value: Any) -> Any:
    """``value`` loaded with the schema or field an RPC declares for argument ``name``."""
    if isinstance(declared, fields.Field):
        try:
            return declared.deserialize(value)
        except ValidationError as exc:
            raise validation_error({name: exc.messages}) from None
    return load(schema_instance(declared), value)


class IdempotencyPurge:
    """Mixin of a service that takes idempotent creates (``@rpc(idempotent=True)``): every
    ``IDEMPOTENCY_PURGE_SECONDS`` (default 3600) it deletes the keys older than
    ``IDEMPOTENCY_KEEP_HOURS`` (default and minimum 24), by the service's clock."""

    @scheduled("IDEMPOTENCY_PURGE_SECONDS", 3600)
    def purge_idempotency_keys(self) -> None:
        keep = dt.timedelta(hours=float(self.config.get("IDEMPOTENCY_KEEP_HOURS", 24)))  # type: ignore[attr-defined]
        deleted = idempotency.purge(self.db, self.clock.now(), keep)  # type: ignore[attr-defined]
        if deleted:
            log.info("purged %d idempotency keys", deleted)


class ServiceClock(DependencyProvider):
    """The clock the service's configuration names (``clock.clock_from_config``): ``CLOCK``
    (an object, for a service run inside a test), ``CLOCK_START`` (a shifted clock), else
    the machine's. Injected as the ``Clock`` itself: ``self.clock.now()``."""

    def __init__(self) -> None:
        self.clock: Clock | None = None

    def setup(self) -> None:
        self.clock = clock_from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.clock


class Database(DependencyProvider):
    """The service's own PostgreSQL database. Injects a unit-of-work factory."""

    def __init__(self):
        self.engine = None
        self.on_commit = None
        self.clock: Clock | None = None

    def setup(self):
        cfg = self.container.config
        overflow = cfg.get("DB_POOL_OVERFLOW")
        self.engine = make_engine(cfg["DATABASE_URL"], pool_size=int(cfg.get("DB_POOL_SIZE", 10)),
                                  max_overflow=None if overflow is None else int(overflow))
        self.clock = clock_from_config(cfg)  # the events' occurred_at

    def stop(self):
        if self.engine is not None:
            self.engine.dispose()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        def unit_of_work() -> UnitOfWork:
            # read when used: the Correlation dependency may be injected after this one
            cid = worker_ctx.data.get("correlation_id")
            # the worker's span (tracing.TracingProvider), or the caller's when tracing is off
            traceparent = worker_ctx.data.get(TRACEPARENT_KEY)
            return UnitOfWork(self.engine, correlation_id=cid, on_commit=self.on_commit,
                              clock=self.clock, traceparent=traceparent)

        return unit_of_work


def json_response(body, status: int = 200, headers: dict | None = None,
                  mimetype: str = "application/json") -> Response:
    """``body`` as JSON; ``mimetype`` e.g. ``application/problem+json`` for RFC 9457 errors."""
    return Response(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        mimetype=mimetype,
        headers=headers,
    )


class GaugeRefresher(DependencyProvider):
    """Injects ``refresh()``: reads outbox backlog and dead letters for a scrape, the dead
    letters over the process's one broker connection for metrics (``metrics.broker_probe``)."""

    probe: metrics.DeadLetterProbe | None = None

    def setup(self):
        amqp_uri = self.container.config.get("AMQP_URI")
        if amqp_uri:
            self.probe = metrics.DeadLetterProbe(amqp_uri, self.container.service_name,
                                                 broker=metrics.broker_probe(amqp_uri))

    def stop(self):
        if self.probe is not None:
            self.probe.close()

    def get_dependency(self, worker_ctx):
        return self.refresh

    def refresh(self) -> None:
        # the service's database looked up here, at a scrape, not for every worker of every
        # entrypoint (get_dependency runs for each)
        database = next((d for d in self.container.dependencies if isinstance(d, Database)),
                        None)
        metrics.refresh_gauges(database.engine if database is not None else None, self.probe)


class ServiceBase:
    """Probes, health check, metrics, correlation ids, traces. Subclasses set ``name`` and
    ``db``."""

    config = Config()
    correlation_id = Correlation()
    clock = ServiceClock()
    entrypoint_metrics = metrics.EntrypointMetrics()
    tracing = TracingProvider()
    refresh_gauges = GaugeRefresher()

    @probes.livez("GET", "/livez")
    def livez(self, request):
        """The process answers (``probes.Liveness``, outside the worker pool; never called)."""

    @probes.readyz("GET", "/readyz")
    def readyz(self, request):
        """Database reachable and at the migration head, broker connected, consumers attached
        (``probes.Readiness``, outside the worker pool; never called)."""

    @http("GET", "/health")
    def health(self, request):
        """The database answers, from a worker: what the local runner and the tests wait on.
        An orchestrator asks ``/livez`` and ``/readyz``, which answer while every worker is
        busy."""
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

    @rpc(returns=fields.Dict(keys=fields.String(), values=fields.String()), internal=True)
    def ping(self):
        """Whether the service answers: its name and ``ok``."""
        return {"service": self.name, "status": "ok"}
