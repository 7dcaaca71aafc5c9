"""The pure parts of ``timebank_common.tracing``: settings, traceparent in and out, the
entrypoint's kind; and a provider driven by hand (no broker) with the SDK's in-memory
exporter."""
from types import SimpleNamespace

import pytest
from nameko.events import EventHandler
from nameko.rpc import Rpc
from nameko.timer import Timer
from nameko.web.handlers import HttpRequestHandler

from timebank_common import tracing
from timebank_common.batch_events import BatchEventHandler
from timebank_common.errors import NotFound
from timebank_common.rpc import QuorumRpc
from timebank_common.tracing import (
    OFF,
    TracingSettings,
    entrypoint_type,
    extract,
    format_traceparent,
    inject,
    parse_traceparent,
    route_template,
    settings_from_config,
    traces_url,
)

TRACE = 0x4BF92F3577B34DA6A3CE929D0E0E4736
SPAN = 0x00F067AA0BA902B7
HEADER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


# -- settings ------------------------------------------------------------------------------
def test_off_when_nothing_is_configured():
    assert settings_from_config({}, environ={}) is OFF
    assert settings_from_config({"TRACING": {}}, environ={}) is OFF
    assert settings_from_config({"TRACING": None}, environ={}) is OFF
    assert not OFF.enabled


def test_config_key_names_the_endpoint_and_ratio():
    found = settings_from_config(
        {"TRACING": {"endpoint": "http://tempo:4318", "sample_ratio": 0.25}}, environ={})
    assert found == TracingSettings(endpoint="http://tempo:4318/v1/traces", sample_ratio=0.25)
    assert found.enabled


def test_environment_endpoint_when_the_config_has_none():
    found = settings_from_config({}, environ={"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318/",
                                              "OTEL_TRACES_SAMPLER_ARG": "0.5"})
    assert found.endpoint == "http://c:4318/v1/traces"
    assert found.sample_ratio == 0.5


def test_config_wins_over_the_environment_and_can_turn_it_off():
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://env:4318"}
    assert settings_from_config({"TRACING": {"endpoint": "http://cfg:4318"}}, env).endpoint \
        == "http://cfg:4318/v1/traces"
    assert settings_from_config({"TRACING": {"enabled": False}}, env) is OFF


def test_a_test_exporter_alone_turns_it_on():
    exporter = object()
    found = settings_from_config({"TRACING": {"exporter": exporter}}, environ={})
    assert found.enabled and found.exporter is exporter and found.endpoint is None


@pytest.mark.parametrize("ratio", [-0.1, 1.5, "half"])
def test_a_bad_ratio_is_refused(ratio):
    with pytest.raises(ValueError, match="sample_ratio"):
        settings_from_config({"TRACING": {"endpoint": "http://c", "sample_ratio": ratio}}, {})


def test_tracing_must_be_a_mapping():
    with pytest.raises(ValueError, match="mapping"):
        settings_from_config({"TRACING": "http://c:4318"}, environ={})


def test_traces_url():
    assert traces_url("http://c:4318") == "http://c:4318/v1/traces"
    assert traces_url("http://c:4318/v1/traces") == "http://c:4318/v1/traces"
    assert traces_url("https://c/otlp/v1/traces/") == "https://c/otlp/v1/traces"


# -- traceparent ---------------------------------------------------------------------------
def test_traceparent_round_trip():
    assert parse_traceparent(HEADER) == (TRACE, SPAN, 1)
    assert format_traceparent(TRACE, SPAN, 1) == HEADER
    data = {"correlation_id": "abc"}
    inject(data, TRACE, SPAN, 0)
    assert data == {"correlation_id": "abc", "traceparent": HEADER[:-2] + "00"}


@pytest.mark.parametrize("value", [
    None, "", 42, "garbage",
    "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  # zero trace id
    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  # zero span id
    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  # forbidden version
    HEADER + "-extra",  # version 00 has exactly four fields
    "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",  # short trace id
])
def test_invalid_traceparent_starts_a_new_trace(value):
    assert parse_traceparent(value) is None


def test_a_later_version_may_carry_more_fields_and_upper_case_is_read():
    assert parse_traceparent("01" + HEADER[2:] + "-what-comes-next") == (TRACE, SPAN, 1)
    assert parse_traceparent(HEADER.upper()) == (TRACE, SPAN, 1)


class Worker:
    """What the provider reads of nameko's ``WorkerContext`` (hashable, as nameko's)."""

    def __init__(self, entrypoint, data, args):
        self.entrypoint, self.data, self.args = entrypoint, data, args


def worker(entrypoint=None, data=None, args=()):
    return Worker(entrypoint, dict(data or {}), args)


def test_extract_prefers_the_context_data_then_the_http_header():
    request = SimpleNamespace(headers={"traceparent": "from-http"})
    assert extract(worker(data={"traceparent": HEADER}, args=(request,))) == HEADER
    assert extract(worker(args=(request,))) == "from-http"
    assert extract(worker(args=("not a request",))) is None
    assert extract(worker()) is None


def test_route_template_is_the_metrics_label():
    assert route_template("/api/v1/demands/<uuid:demand_id>/records/<rid>") == \
        "/api/v1/demands/{demand_id}/records/{rid}"
    assert route_template("/health") == "/health"


def test_entrypoint_types():
    assert entrypoint_type(HttpRequestHandler("GET", "/x")) == "http"
    assert entrypoint_type(Rpc()) == "rpc"
    assert entrypoint_type(QuorumRpc()) == "rpc"
    assert entrypoint_type(EventHandler("a", "b")) == "event"
    assert entrypoint_type(BatchEventHandler("a", "b")) == "event"
    assert entrypoint_type(Timer(interval=1)) == "timer"
    assert entrypoint_type(object()) == "object"


# -- the provider, by hand ------------------------------------------------------------------
def provider_with(config):
    provider = tracing.TracingProvider()
    provider.container = SimpleNamespace(config=config, service_name="svc")
    provider.setup()
    return provider


def method_entrypoint(entrypoint, name):
    entrypoint.method_name = name
    return entrypoint


def test_off_the_provider_does_nothing():
    provider = provider_with({})
    assert provider.tracer_provider is None
    ctx = worker(method_entrypoint(Rpc(), "do"), data={"traceparent": HEADER})
    provider.worker_setup(ctx)
    provider.worker_result(ctx, "ok")
    provider.worker_teardown(ctx)
    assert ctx.data == {"traceparent": HEADER}  # passed on as it came


@pytest.fixture
def exported():
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    return InMemorySpanExporter()


def test_rpc_span_continues_the_callers_trace_and_passes_its_own_on(exported):
    from opentelemetry.trace import SpanKind

    provider = provider_with({"TRACING": {"exporter": exported}})
    ctx = worker(method_entrypoint(QuorumRpc(), "do"),
                 data={"traceparent": HEADER, "correlation_id": "cid-1"})
    provider.worker_setup(ctx)
    provider.worker_result(ctx, {"answer": 1})
    (span,) = exported.get_finished_spans()
    assert span.name == "svc.do" and span.kind == SpanKind.SERVER
    assert span.context.trace_id == TRACE and span.parent.span_id == SPAN
    assert span.attributes["timebank.correlation_id"] == "cid-1"
    assert span.attributes["timebank.entrypoint.type"] == "rpc"
    assert span.attributes["timebank.outcome"] == "ok"
    assert ctx.data["traceparent"] == format_traceparent(TRACE, span.context.span_id, 1)
    assert span.resource.attributes["service.name"] == "svc"
    provider.stop()
    assert provider.tracer_provider is None


def test_http_span_has_route_status_and_the_request_header_as_parent(exported):
    provider = provider_with({"TRACING": {"exporter": exported}})
    request = SimpleNamespace(headers={"traceparent": HEADER})
    ctx = worker(method_entrypoint(HttpRequestHandler("GET", "/api/v1/things/<uuid:id>"),
                                   "get_thing"), args=(request,))
    provider.worker_setup(ctx)
    provider.worker_result(ctx, SimpleNamespace(status_code=404))
    (span,) = exported.get_finished_spans()
    assert span.parent.span_id == SPAN
    assert span.attributes["http.route"] == "/api/v1/things/{id}"
    assert span.attributes["http.request.method"] == "GET"
    assert span.attributes["http.response.status_code"] == 404
    assert span.attributes["timebank.outcome"] == "ok"


def test_errors_and_refusals(exported):
    from opentelemetry.trace import SpanKind, StatusCode

    provider = provider_with({"TRACING": {"exporter": exported}})
    refused = worker(method_entrypoint(EventHandler("a", "b"), "on_b"))
    provider.worker_setup(refused)
    provider.worker_result(refused, None, (NotFound, NotFound("no_such"), None))
    failed = worker(method_entrypoint(Rpc(), "boom"))
    provider.worker_setup(failed)
    provider.worker_result(failed, None, (RuntimeError, RuntimeError("x"), None))
    on_b, boom = exported.get_finished_spans()
    assert on_b.kind == SpanKind.CONSUMER and on_b.parent is None
    assert on_b.attributes["timebank.outcome"] == "refused"
    assert on_b.attributes["timebank.error.code"] == "no_such"
    assert on_b.attributes["messaging.destination.name"] == "a.b"
    assert on_b.status.status_code == StatusCode.UNSET
    assert boom.attributes["timebank.outcome"] == "error"
    assert boom.status.status_code == StatusCode.ERROR
    assert boom.events[0].name == "exception"


def test_probes_are_not_traced_and_a_killed_worker_ends_its_span(exported):
    provider = provider_with({"TRACING": {"exporter": exported}})
    probe = worker(method_entrypoint(HttpRequestHandler("GET", "/health"), "health"))
    provider.worker_setup(probe)
    provider.worker_result(probe, SimpleNamespace(status_code=200))
    killed = worker(method_entrypoint(Rpc(), "slow"))
    provider.worker_setup(killed)
    provider.worker_teardown(killed)
    assert [s.name for s in exported.get_finished_spans()] == ["svc.slow"]


def test_sampling_ratio_zero_keeps_no_new_trace_but_a_sampled_parent_is_followed(exported):
    provider = provider_with({"TRACING": {"exporter": exported, "sample_ratio": 0}})
    fresh = worker(method_entrypoint(Rpc(), "fresh"))
    provider.worker_setup(fresh)
    provider.worker_result(fresh, None)
    # not sampled (bit 0 of the flags; bit 1 says the trace id is random): the callee follows
    assert parse_traceparent(fresh.data["traceparent"])[2] & 0x01 == 0
    child = worker(method_entrypoint(Rpc(), "child"), data={"traceparent": HEADER})
    provider.worker_setup(child)
    provider.worker_result(child, None)
    assert [s.name for s in exported.get_finished_spans()] == ["svc.child"]


def test_log_lines_carry_the_trace_id_while_the_worker_runs(exported):
    import json
    import logging

    from timebank_common.logs import JsonFormatter

    def line():
        record = logging.LogRecord("t", logging.INFO, __file__, 1, "hello", None, None)
        return json.loads(JsonFormatter("svc").format(record))

    provider = provider_with({"TRACING": {"exporter": exported}})
    ctx = worker(method_entrypoint(Rpc(), "do"), data={"traceparent": HEADER})
    provider.worker_setup(ctx)
    assert line()["trace_id"] == f"{TRACE:032x}"
    provider.worker_result(ctx, None)
    provider.worker_teardown(ctx)
    assert "trace_id" not in line()


def test_off_the_sdk_is_not_even_imported():
    import os
    import subprocess
    import sys

    script = ("import sys, timebank_common.service, timebank_common.tracing as t\n"
              "p = t.TracingProvider()\n"
              "p.container = type('C', (), {'config': {}, 'service_name': 's'})()\n"
              "p.setup()\n"
              "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, env=env).stdout.strip().splitlines()[-1]
    assert found == "[]"
