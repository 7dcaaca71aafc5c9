"""Structured (JSON-lines) logs with a correlation id that follows a request.

The gateway takes ``X-Request-Id`` (or makes one) and stores it in the nameko
worker context; nameko copies context data into RPC headers, the unit of work
copies it into outbox rows, and the relay into event headers. ``Correlation``
puts it back into each worker's context, and every log line carries it.
"""
from __future__ import annotations

import json
import logging
import re
import threading
import uuid

from nameko.extensions import DependencyProvider

_local = threading.local()  # green-thread local once eventlet has patched threading

CORRELATION_KEY = "correlation_id"


def current_correlation_id() -> str | None:
    return getattr(_local, "correlation_id", None)


def set_trace_id(trace_id: str | None) -> None:
    """The trace the worker's span belongs to (``tracing.TracingProvider``, when tracing is
    on): its log lines then carry ``trace_id``, to go from a line to its trace."""
    _local.trace_id = trace_id


class Correlation(DependencyProvider):
    """Ensures every worker has a correlation id; injects it (a string).

    nameko injects dependencies before it calls ``worker_setup``, so the id is
    settled in ``get_dependency``: from the caller's context data (RPC, events),
    else the HTTP request's ``X-Request-Id``, else a new one.
    """

    def get_dependency(self, worker_ctx):
        cid = worker_ctx.data.get(CORRELATION_KEY)
        if not cid:
            request = worker_ctx.args[0] if worker_ctx.args else None
            headers = getattr(request, "headers", None)
            cid = (headers.get("X-Request-Id") if headers is not None else None) or uuid.uuid4().hex
            worker_ctx.data[CORRELATION_KEY] = cid
        return cid

    def worker_setup(self, worker_ctx):
        _local.correlation_id = worker_ctx.data.get(CORRELATION_KEY)

    def worker_teardown(self, worker_ctx):
        _local.correlation_id = None


# What a database error carries besides its parameters (which the kit's engines hide): the
# server's DETAIL ("Failing row contains (王秀英, ...)", "Key (phone)=(139...)") and the value
# an input-syntax error quotes. Each runs to the end of its line, or of its line in a repr
# (where a line break is the two characters backslash and n).
_TO_LINE_END = r"(?:(?!\\n)[^\n])*"
_PERSONAL_DATA = (
    (re.compile(r"(DETAIL:)" + _TO_LINE_END), r"\1 [hidden: may hold personal data]"),
    (re.compile(r"(\[parameters: )" + _TO_LINE_END), r"\1hidden]"),
    (re.compile(r'(invalid input syntax for type [\w ]+: )"' + _TO_LINE_END),
     r'\1"[hidden]"'),
    # a password in a URL: nameko's "Error connecting to broker at ..." masks only the first
    # URL of a failover AMQP_URI ("amqp://u:********@a;amqp://u:secret@b;..."), not the others
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s;]+:)[^@\s;/]+@"), r"\1********@"),
)


def scrub(text: str) -> str:
    """``text`` without the parts of a database error that may hold personal data, nor a
    password written in a URL."""
    for pattern, replacement in _PERSONAL_DATA:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": scrub(record.getMessage()),
            "correlation_id": current_correlation_id(),
        }
        trace_id = getattr(_local, "trace_id", None)
        if trace_id:
            entry["trace_id"] = trace_id
        if record.exc_info:
            entry["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(service: str, level: str = "INFO") -> None:
    import time

    handler = logging.StreamHandler()
    formatter = JsonFormatter(service)
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("amqp", "kombu", "nameko", "alembic"):
        logging.getLogger(noisy).setLevel("WARNING")
