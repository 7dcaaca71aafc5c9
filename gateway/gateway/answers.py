"""Every JSON 2xx answer checked against its route's response schema before it goes out.

The check is the schema's load-side ``validate`` (types, formats, enums, required fields,
validators) with unknown fields refused, and ``many=True`` for list answers: what a client
generated from the OpenAPI document would accept. Every JSON route declares one (a unit test
holds that); files (PDF, HTML) and routes that build their own response are not checked.

* ``STRICT_RESPONSES`` on (the gateway's integration tests and the e2e platform): a violation
  is answered 500 ``response_contract_violation`` with the field errors in ``details``.
* off (production): the answer goes out; the errors are logged once per route and
  ``timebank_gateway_response_contract_violations_total{route}`` counts every violation.

Logs and details carry field names and marshmallow's messages only, never the values.
"""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from marshmallow import RAISE

from timebank_common import metrics

from .schema_cache import schema_of

if TYPE_CHECKING:
    from .routing import RouteSpec

log = logging.getLogger(__name__)

# in the kit's metrics module: this module may be imported under two names (tests), and a
# second registration of the same metric would fail
RESPONSE_CONTRACT_VIOLATIONS = metrics.RESPONSE_CONTRACT_VIOLATIONS

_reported: set[str] = set()
_reported_lock = threading.Lock()


class ResponseContractViolation(Exception):
    def __init__(self, route: str, errors: Any):
        super().__init__(route)
        self.route = route
        self.errors = errors


def route_name(spec: RouteSpec) -> str:
    return f"{spec.method} {spec.openapi_path}"


def violations(spec: RouteSpec, answer: Any) -> Any:
    """The schema's errors for ``answer`` (field → messages), or None when it conforms or
    the route declares no response schema."""
    if spec.response is None:
        return None
    errors = schema_of(spec.response, spec.many, RAISE).validate(answer)
    return errors or None


def check_answer(spec: RouteSpec, answer: Any, strict: bool) -> None:
    """Raise ``ResponseContractViolation`` (strict) or log and count (not strict)."""
    errors = violations(spec, answer)
    if errors is None:
        return
    name = route_name(spec)
    RESPONSE_CONTRACT_VIOLATIONS.labels(route=name).inc()
    if strict:
        log.error("response contract violation on %s: %s", name, errors)
        raise ResponseContractViolation(name, errors)
    with _reported_lock:
        first = name not in _reported
        _reported.add(name)
    if first:
        log.error("response contract violation on %s (logged once per route): %s", name, errors)
