"""OpenTelemetry traces across HTTP, RPC and events (issue 18, item 4).

A span per entrypoint (``<service>.<method>``: SERVER for HTTP and RPC, CONSUMER for events,
INTERNAL for timers), exported over OTLP/HTTP (protobuf) when configured, off by default:

* configured by ``TRACING: {endpoint: http://collector:4318, sample_ratio: 0.1}`` in the
  service's config, else by the ``OTEL_EXPORTER_OTLP_ENDPOINT`` environment variable (the
  OTLP base URL; ``/v1/traces`` is added); ``OTEL_TRACES_SAMPLER_ARG`` gives the ratio then.
  Unset: ``TracingProvider`` does nothing per worker (one attribute test) and the SDK is not
  even imported — no tracer provider, no export thread;
* the trace context travels as a W3C ``traceparent`` where the correlation id does
  (``logs.Correlation``): in the worker's context data, which nameko copies into the
  ``nameko.traceparent`` header of every RPC request and event it sends, the unit of work
  copies into the outbox rows' headers, and the relay into the events it publishes. At
  ``worker_setup`` the provider starts the span as a child of the ``traceparent`` it received
  (RPC, event) or of the HTTP request's ``traceparent`` header (the gateway), and puts its own
  span's ``traceparent`` in the context data: the services it calls, and the events it writes
  (published later by the relay), continue its trace;
* attributes: ``timebank.correlation_id``, ``timebank.entrypoint.type`` (http / rpc / event /
  timer / ...), ``timebank.outcome`` (ok / refused / error, as the entrypoint metrics), for
  HTTP ``http.request.method``, ``http.route`` (the path template, as the metrics' ``route`` label) and
  ``http.response.status_code``; an error also sets the span's status and records the exception.
  The worker's log lines carry the span's ``trace_id`` beside the ``correlation_id``.

Each service container has its own ``TracerProvider`` (its ``service.name`` resource), so
several services in one test process trace apart; nothing is installed globally. A test
gives ``TRACING: {exporter: InMemorySpanExporter()}`` (exported synchronously).
"""
from __future__ import annotations

import functools
import logging
import os
import re
from dataclasses import dataclass
from typing import Any

from nameko.extensions import DependencyProvider

from .logs import set_trace_id

log = logging.getLogger(__name__)

TRACEPARENT_KEY = "traceparent"  # in the worker's context data, and so nameko's headers
ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"
RATIO_ENV = "OTEL_TRACES_SAMPLER_ARG"
TRACES_PATH = "/v1/traces"
UNTRACED = frozenset({"health", "metrics", "livez", "readyz"})  # probes and scrapes: noise


# -- configuration (pure) --------------------------------------------------------------------
@dataclass(frozen=True)
class TracingSettings:
    """Where spans go: ``endpoint`` (the OTLP/HTTP traces URL) and/or ``exporter`` (an SDK
    ``SpanExporter``, for tests); ``sample_ratio`` of new traces are kept (a child follows its
    parent's decision)."""

    endpoint: str | None = None
    sample_ratio: float = 1.0
    exporter: Any = None

    @property
    def enabled(self) -> bool:
        return bool(self.endpoint) or self.exporter is not None


OFF = TracingSettings()


def traces_url(endpoint: str) -> str:
    """The OTLP traces URL of a base endpoint (``http://collector:4318`` →
    ``http://collector:4318/v1/traces``); a URL that already ends with it is kept."""
    endpoint = endpoint.strip()
    if endpoint.rstrip("/").endswith(TRACES_PATH):
        return endpoint.rstrip("/")
    return endpoint.rstrip("/") + TRACES_PATH


def _ratio(value: Any) -> float:
    try:
        ratio = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"TRACING sample_ratio must be a number in [0, 1], not {value!r}") \
            from None
    if not 0.0 <= ratio <= 1.0:
        raise ValueError(f"TRACING sample_ratio must be in [0, 1], not {ratio}")
    return ratio


def settings_from_config(config: Any, environ: Any = None) -> TracingSettings:
    """The service's tracing settings: its config's ``TRACING`` mapping, else the environment's
    ``OTEL_EXPORTER_OTLP_ENDPOINT`` (and ``OTEL_TRACES_SAMPLER_ARG``); ``OFF`` when neither
    names an endpoint or exporter. ``TRACING: {enabled: false}`` turns it off whatever the
    environment says."""
    environ = os.environ if environ is None else environ
    section = config.get("TRACING") if config is not None else None
    if section is not None and not isinstance(section, dict):
        raise ValueError(f"TRACING must be a mapping, not {type(section).__name__}")
    section = section or {}
    if section.get("enabled", True) is False:
        return OFF
    endpoint = section.get("endpoint") or environ.get(ENDPOINT_ENV) or None
    exporter = section.get("exporter")
    if not endpoint and exporter is None:
        return OFF
    ratio = section.get("sample_ratio", environ.get(RATIO_ENV, 1.0))
    return TracingSettings(endpoint=traces_url(endpoint) if endpoint else None,
                           sample_ratio=_ratio(ratio), exporter=exporter)


# -- W3C traceparent (pure) ------------------------------------------------------------------
_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$")


def parse_traceparent(value: Any) -> tuple[int, int, int] | None:
    """(trace id, parent span id, flags) of a W3C ``traceparent``, or None when it is absent or
    invalid (then a new trace starts, as the recommendation says)."""
    if not isinstance(value, str):
        return None
    match = _TRACEPARENT.match(value.strip().lower())
    if match is None:
        return None
    version, trace_id, span_id, flags, rest = match.groups()
    if version == "ff" or (version == "00" and rest):
        return None
    trace, span = int(trace_id, 16), int(span_id, 16)
    if trace == 0 or span == 0:
        return None
    return trace, span, int(flags, 16)


def format_traceparent(trace_id: int, span_id: int, flags: int) -> str:
    return f"00-{trace_id:032x}-{span_id:016x}-{flags:02x}"


def inject(data: dict, trace_id: int, span_id: int, flags: int) -> None:
    """Put the span's ``traceparent`` in ``data`` (a worker's context data, or headers)."""
    data[TRACEPARENT_KEY] = format_traceparent(trace_id, span_id, flags)


def extract(worker_ctx: Any) -> str | None:
    """The ``traceparent`` a worker continues: from its context data (an RPC request's or an
    event's headers), else its HTTP request's ``traceparent`` header."""
    found = worker_ctx.data.get(TRACEPARENT_KEY)
    if found:
        return found
    request = worker_ctx.args[0] if worker_ctx.args else None
    headers = getattr(request, "headers", None)
    if headers is not None and hasattr(headers, "get"):
        return headers.get("traceparent")
    return None


_RULE_VARIABLE = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


@functools.lru_cache(maxsize=1024)
def route_template(rule: str) -> str:
    """A werkzeug rule as the path template the gateway's metrics label and its OpenAPI name
    (``/demands/<uuid:demand_id>`` → ``/demands/{demand_id}``)."""
    return _RULE_VARIABLE.sub(r"{\1}", rule)


def entrypoint_type(entrypoint: Any) -> str:
    """``http``, ``rpc``, ``event``, ``timer`` (or the entrypoint's class name)."""
    for klass in type(entrypoint).__mro__:
        name = klass.__name__
        if name == "HttpRequestHandler":
            return "http"
        if name == "Rpc":
            return "rpc"
        if name in ("EventHandler", "BatchEventHandler"):
            return "event"
        if name == "Timer":
            return "timer"
    return type(entrypoint).__name__


# -- the SDK (imported only when tracing is on) ----------------------------------------------
def make_tracer_provider(service: str, settings: TracingSettings):
    """A ``TracerProvider`` of its own for ``service`` (not installed globally): batched OTLP
    export to ``settings.endpoint``, and/or synchronous export to ``settings.exporter``."""
    from opentelemetry.sdk.resources import Resource  # noqa: PLC0415
    from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
    from opentelemetry.sdk.trace.export import (  # noqa: PLC0415
        BatchSpanProcessor,
        SimpleSpanProcessor,
    )
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased  # noqa: PLC0415

    provider = TracerProvider(resource=Resource.create({"service.name": service}),
                              sampler=ParentBased(TraceIdRatioBased(settings.sample_ratio)))
    if settings.endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter,
        )

        provider.add_span_processor(BatchSpanProcessor(
            OTLPSpanExporter(endpoint=settings.endpoint, timeout=5)))
    if settings.exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(settings.exporter))
    return provider


def _parent_context(traceparent: str | None):
    parsed = parse_traceparent(traceparent)
    if parsed is None:
        return None
    from opentelemetry import trace  # noqa: PLC0415

    trace_id, span_id, flags = parsed
    parent = trace.SpanContext(trace_id, span_id, is_remote=True,
                               trace_flags=trace.TraceFlags(flags))
    return trace.set_span_in_context(trace.NonRecordingSpan(parent))


class TracingProvider(DependencyProvider):
    """A span per entrypoint of the service it is attached to (see the module's docstring).
    Injects nothing: nameko injects dependencies before ``worker_setup`` starts the span."""

    def __init__(self) -> None:
        self.settings = OFF
        self.tracer_provider: Any = None
        self.tracer: Any = None
        self._spans: dict[Any, Any] = {}

    def setup(self) -> None:
        self.settings = settings_from_config(self.container.config)
        if not self.settings.enabled:
            return
        self.tracer_provider = make_tracer_provider(self.container.service_name, self.settings)
        self.tracer = self.tracer_provider.get_tracer("timebank_common.tracing")
        log.info("tracing on: %s", self.settings.endpoint or "a test's exporter")

    def stop(self) -> None:
        if self.tracer_provider is not None:
            try:
                self.tracer_provider.shutdown()  # flushes what the batch processor holds
            except Exception:  # noqa: BLE001 - a collector away at shutdown loses its spans
                log.warning("tracing: spans not flushed at stop", exc_info=True)
            self.tracer_provider = self.tracer = None

    def kill(self) -> None:
        # no flush: a killed container does not wait for a collector (the export thread is a
        # daemon; the spans it holds are lost)
        self.tracer_provider = self.tracer = None

    def worker_setup(self, worker_ctx) -> None:
        tracer = self.tracer
        if tracer is None:
            return
        entrypoint = worker_ctx.entrypoint
        method = entrypoint.method_name
        if method in UNTRACED:
            return
        from opentelemetry.trace import SpanKind  # noqa: PLC0415

        kind_name = entrypoint_type(entrypoint)
        kind = {"http": SpanKind.SERVER, "rpc": SpanKind.SERVER,
                "event": SpanKind.CONSUMER}.get(kind_name, SpanKind.INTERNAL)
        attributes = {"timebank.entrypoint.type": kind_name}
        cid = worker_ctx.data.get("correlation_id")
        if cid:
            attributes["timebank.correlation_id"] = str(cid)
        if kind_name == "http":
            attributes["http.request.method"] = str(getattr(entrypoint, "method", ""))
            attributes["http.route"] = route_template(str(getattr(entrypoint, "url", "")))
        elif kind_name == "rpc":
            attributes["rpc.system"] = "nameko"
            attributes["rpc.service"] = self.container.service_name
            attributes["rpc.method"] = method
        elif kind_name == "event":
            attributes["messaging.system"] = "rabbitmq"
            source = getattr(entrypoint, "source_service", None)
            event_type = getattr(entrypoint, "event_type", None)
            if source and event_type:
                attributes["messaging.destination.name"] = f"{source}.{event_type}"
        span = tracer.start_span(f"{self.container.service_name}.{method}", kind=kind,
                                 context=_parent_context(extract(worker_ctx)),
                                 attributes=attributes)
        self._spans[worker_ctx] = span
        context = span.get_span_context()
        if context.is_valid:
            inject(worker_ctx.data, context.trace_id, context.span_id, int(context.trace_flags))
            if context.trace_flags.sampled:
                set_trace_id(f"{context.trace_id:032x}")

    def worker_result(self, worker_ctx, result=None, exc_info=None) -> None:
        span = self._spans.pop(worker_ctx, None)
        if span is None:
            return
        try:
            _finish(span, worker_ctx, result, exc_info)
        finally:
            span.end()

    def worker_teardown(self, worker_ctx) -> None:
        if self.tracer is None:
            return
        set_trace_id(None)
        span = self._spans.pop(worker_ctx, None)  # worker_result not called (killed)
        if span is not None:
            span.end()


def _finish(span: Any, worker_ctx: Any, result: Any, exc_info: Any) -> None:
    from opentelemetry.trace import Status, StatusCode  # noqa: PLC0415

    from .errors import DomainError  # noqa: PLC0415

    status: int | None = None
    if entrypoint_type(worker_ctx.entrypoint) == "http":
        # nameko answers an escaped exception with 500, a string or tuple without a code 200
        status = 500 if exc_info is not None else int(getattr(result, "status_code", 200))
        span.set_attribute("http.response.status_code", status)
    if exc_info is None:
        outcome = "error" if status is not None and status >= 500 else "ok"
    elif isinstance(exc_info[1], DomainError):
        outcome = "refused"
        code = getattr(exc_info[1], "code", None)
        if code:
            span.set_attribute("timebank.error.code", str(code))
    else:
        outcome = "error"
        span.record_exception(exc_info[1])
    span.set_attribute("timebank.outcome", outcome)
    if outcome == "error":
        description = type(exc_info[1]).__name__ if exc_info is not None else f"HTTP {status}"
        span.set_status(Status(StatusCode.ERROR, description))
