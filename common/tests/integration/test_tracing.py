"""Traces across HTTP, RPC and events against real RabbitMQ and PostgreSQL
(``timebank_common.tracing``).

Three tiny services: ``tr_front`` answers HTTP and RPC and asks ``tr_middle`` over RPC;
``tr_middle`` writes an event into its outbox (published by its relay); ``tr_back`` handles
the event. With ``TRACING: {exporter: InMemorySpanExporter()}`` the three spans are one trace,
each the parent of the next; without, nothing is traced and no ``traceparent`` is sent. The
OTLP export is checked against a small HTTP server standing in for the collector.
"""
from __future__ import annotations

import http.server
import threading

import pytest
import requests
from nameko.web.handlers import http as http_entrypoint
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import create_engine, select
from timebank_testing import free_port, wait_for

from timebank_common.db import drop_database, ensure_database
from timebank_common.events import event_handler
from timebank_common.messaging_tables import metadata as messaging_metadata
from timebank_common.messaging_tables import outbox_table
from timebank_common.outbox import OutboxRelay
from timebank_common.rpc import RpcProxy
from timebank_common.service import Database, ServiceBase, json_response, rpc
from timebank_common.tracing import TracingProvider, format_traceparent, parse_traceparent

CALLER_TRACE = 0x0AF7651916CD43DD8448EB211C80319C
CALLER_SPAN = 0xB7AD6B7169203331
CALLER = format_traceparent(CALLER_TRACE, CALLER_SPAN, 1)

HANDLED: list[dict] = []


class Front(ServiceBase):
    name = "tr_front"
    middle = RpcProxy("tr_middle")

    @http_entrypoint("GET", "/things/<int:value>")
    def get_thing(self, request, value):
        return json_response({"event_id": self.middle.work(value)})

    @rpc
    def go(self, value):
        return self.middle.work(value)


class Middle(ServiceBase):
    name = "tr_middle"
    db = Database()
    relay = OutboxRelay()

    @rpc
    def work(self, value):
        with self.db() as uow:
            event = uow.emit("thing_traced", {"value": value}, "130100000000")
            uow.commit()
        return event["event_id"]


class Back(ServiceBase):
    name = "tr_back"

    @event_handler("tr_middle", "thing_traced")
    def on_thing(self, event):
        HANDLED.append({"event_id": event["event_id"], "correlation_id": self.correlation_id})


@pytest.fixture(scope="module")
def middle_db(run_id):
    from timebank_testing import PG_BASE

    url = f"{PG_BASE}/tbtest_{run_id}_tr_middle"
    ensure_database(url)
    engine = create_engine(url)
    messaging_metadata.create_all(engine)
    engine.dispose()
    yield url
    drop_database(url)


@pytest.fixture(autouse=True)
def no_environment_endpoint(monkeypatch):
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)


def outbox_headers(url, event_id):
    engine = create_engine(url)
    with engine.connect() as c:
        headers = c.execute(select(outbox_table.c.headers)
                            .where(outbox_table.c.id == event_id)).scalar_one()
    engine.dispose()
    return headers


def start_three(start_service, service_config, middle_db, **tracing):
    front = start_service(Front, service_config(None, **tracing))
    middle = start_service(Middle, service_config(None, DATABASE_URL=middle_db, **tracing))
    back = start_service(Back, service_config(None, **tracing))
    return front, middle, back


def tracing_of(container) -> TracingProvider:
    return next(d for d in container.dependencies if isinstance(d, TracingProvider))


def test_http_rpc_and_event_spans_are_one_trace(start_service, service_config, middle_db):
    exported = InMemorySpanExporter()
    front, _, _ = start_three(start_service, service_config, middle_db,
                              TRACING={"exporter": exported})
    address = front.config["WEB_SERVER_ADDRESS"]
    answer = requests.get(f"http://{address}/things/7", timeout=15,
                          headers={"traceparent": CALLER, "X-Request-Id": "req-traced-1"})
    assert answer.status_code == 200
    event_id = answer.json()["event_id"]
    wait_for(lambda: any(h["event_id"] == event_id for h in HANDLED), what="the event handled")
    wait_for(lambda: len(exported.get_finished_spans()) >= 3, what="three spans")

    spans = {s.name: s for s in exported.get_finished_spans()}
    http_span, rpc_span, event_span = (spans["tr_front.get_thing"], spans["tr_middle.work"],
                                       spans["tr_back.on_thing"])
    # one trace, the caller's; each span the child of the one before
    assert {s.context.trace_id for s in (http_span, rpc_span, event_span)} == {CALLER_TRACE}
    assert http_span.parent.span_id == CALLER_SPAN
    assert rpc_span.parent.span_id == http_span.context.span_id
    assert event_span.parent.span_id == rpc_span.context.span_id
    assert [http_span.kind, rpc_span.kind, event_span.kind] == \
        [SpanKind.SERVER, SpanKind.SERVER, SpanKind.CONSUMER]
    # the correlation id as today, on every span
    assert {s.attributes["timebank.correlation_id"] for s in spans.values()} == {"req-traced-1"}
    assert http_span.attributes["http.route"] == "/things/{value}"
    assert http_span.attributes["http.response.status_code"] == 200
    assert [s.attributes["timebank.entrypoint.type"] for s in (http_span, rpc_span, event_span)] \
        == ["http", "rpc", "event"]
    assert all(s.attributes["timebank.outcome"] == "ok" for s in spans.values())
    # the outbox row kept the writing span's traceparent for the relay's later publish
    stored = parse_traceparent(outbox_headers(middle_db, event_id)["traceparent"])
    assert stored[:2] == (CALLER_TRACE, rpc_span.context.span_id)
    assert {s.resource.attributes["service.name"] for s in spans.values()} == \
        {"tr_front", "tr_middle", "tr_back"}


def test_an_rpc_without_a_trace_starts_one(start_service, service_config, middle_db, rpc):
    exported = InMemorySpanExporter()
    start_three(start_service, service_config, middle_db, TRACING={"exporter": exported})
    with rpc("tr_front") as front:
        event_id = front.go(8)
    wait_for(lambda: any(h["event_id"] == event_id for h in HANDLED), what="the event handled")
    wait_for(lambda: len(exported.get_finished_spans()) >= 3, what="three spans")
    spans = {s.name: s for s in exported.get_finished_spans()}
    go = spans["tr_front.go"]
    assert go.parent is None and go.kind == SpanKind.SERVER
    assert spans["tr_middle.work"].parent.span_id == go.context.span_id
    assert spans["tr_back.on_thing"].parent.span_id == spans["tr_middle.work"].context.span_id
    assert len({s.context.trace_id for s in spans.values()}) == 1


def test_off_nothing_is_traced_nor_sent(start_service, service_config, middle_db):
    containers = start_three(start_service, service_config, middle_db)
    assert all(tracing_of(c).tracer_provider is None for c in containers)
    # nothing installed globally either: the API's default proxy is still in place
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    address = containers[0].config["WEB_SERVER_ADDRESS"]
    answer = requests.get(f"http://{address}/things/9", timeout=15)
    event_id = answer.json()["event_id"]
    wait_for(lambda: any(h["event_id"] == event_id for h in HANDLED), what="the event handled")
    assert "traceparent" not in outbox_headers(middle_db, event_id)


class Collector(http.server.BaseHTTPRequestHandler):
    """Takes OTLP/HTTP trace exports (protobuf), as a collector would, and keeps them."""

    received: list[tuple[str, str, bytes]] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Collector.received.append((self.path, self.headers.get("Content-Type", ""), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def collector():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Collector.received.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_spans_are_exported_over_otlp_http(start_service, service_config, collector, rpc):
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    container = start_service(Back, service_config(None, TRACING={"endpoint": collector}))
    with rpc("tr_back") as back:
        assert back.ping()["status"] == "ok"
    container.stop()  # the batch processor flushes at stop
    wait_for(lambda: Collector.received, what="an export at the collector")

    path, content_type, body = Collector.received[0]
    assert path == "/v1/traces"
    assert content_type == "application/x-protobuf"
    export = ExportTraceServiceRequest.FromString(body)
    (resource_spans,) = export.resource_spans
    service_name = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert service_name["service.name"] == "tr_back"
    names = [s.name for scope in resource_spans.scope_spans for s in scope.spans]
    assert names == ["tr_back.ping"]


def test_a_collector_that_is_away_costs_the_spans_not_the_requests(
        start_service, service_config, rpc):
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    container = start_service(Back, service_config(None, TRACING={"endpoint": closed}))
    with rpc("tr_back") as back:
        for _ in range(3):
            assert back.ping()["status"] == "ok"
    container.stop()  # the flush at stop fails, and is only logged
