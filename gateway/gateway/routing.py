"""Route declarations: one decorator gives a nameko ``@http`` entrypoint, the
JSON error mapping of DESIGN.md §3, and the route's entry in the OpenAPI document.

    @route("POST", "/api/v1/demands", summary="提交需求 Submit a demand",
           body=SubmitDemand, response=Demand, status=201, tags=["demands"])
    def submit_demand(self, request, caller, body): ...

The wrapped method receives the verified ``caller`` (a dict, or None on public
routes) and the validated JSON ``body`` (when ``body`` is given), and returns
plain data, which is sent as JSON.

The gateway checks access too (DESIGN.md §4: the services check it themselves, the
gateway as a first line): ``roles=`` lists the roles that may call the route at all,
``scoped=`` names the path, query or body fields holding a region code, which must be
inside the caller's scope. Both refuse with the same codes the services use.
"""
from __future__ import annotations

import functools
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import eventlet
from kombu.exceptions import OperationalError as BrokerUnreachable
from marshmallow import Schema
from nameko.exceptions import RemoteError
from nameko.web.handlers import HttpRequestHandler

from timebank_common import idempotency, metrics
from timebank_common.caller import Caller, password_change_required
from timebank_common.errors import BadInput, DomainError, Unauthenticated, validation_error
from timebank_common.schemas import load
from timebank_common.service import json_response
from timebank_common.text import first_problem_in

from . import answers, request_body
from .problems import error_body, error_response
from .schema_cache import schema_of

log = logging.getLogger(__name__)
TRANSIENT_REMOTE_ERRORS = frozenset({"OperationalError"})
"""A service's error that says its database could not run the statement now (a restart cut
the connection, the server refused new ones, a lock or serialization conflict): SQLAlchemy's
``OperationalError``. The request may succeed when retried, so it is a 503 with Retry-After
like a service that does not answer, not a 500 (the chaos run: logins during a restart of
identity's database)."""


class ServiceUnavailable(Exception):
    """An RPC did not answer in time: the service is down or overloaded."""


@dataclass(frozen=True)
class Answer:
    """A route's JSON answer with a success status other than its declared ``status`` (one
    of its ``other_statuses``), e.g. 200 when a batch created nothing."""

    body: object
    status: int
    replayed: bool = False  # an idempotent create's first answer, again (Idempotent-Replayed)


@dataclass
class RouteSpec:
    method: str
    path: str  # werkzeug form: /api/v1/demands/<demand_id>
    summary: str
    tags: list[str]
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    response: type[Schema] | None = None
    many: bool = False
    status: int = 200
    public: bool = False
    roles: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    scoped: list[str] = field(default_factory=list)
    content_type: str = "application/json"  # of the 2xx answer (a route may return a Response)
    other_statuses: dict[int, str] = field(default_factory=dict)  # other 2xx: why (OpenAPI)
    # a create that takes an ``Idempotency-Key`` header (DESIGN.md §3): the wrapped method
    # receives ``idempotency_key`` (None when the header is absent) and passes it to the service
    idempotent: bool = False
    # which rate limit applies (gateway/rate_limits.py); None: derived from the method and path
    rate_class: str | None = None
    # a route that takes a file as its raw body (an import): the media types it accepts (any
    # other is 415) and its size limit (413 above it); the wrapped method receives
    # ``raw_body`` (bytes) and ``media_type``. Every other route takes JSON only.
    raw_body: tuple[str, ...] = ()
    raw_body_max: int = 0
    # open to a login whose one-time password must still be changed (the token's
    # ``pwd_change`` claim): changing it and logging out; every other route answers such a
    # login 403 ``password_change_required`` before any RPC
    password_change_ok: bool = False

    @functools.cached_property
    def openapi_path(self) -> str:
        # cached: the metrics label every request with it (a regex substitution each time
        # was a few per cent of the gateway's own work on a balance read)
        return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", self.path)

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"<(?:[^:>]+:)?([^>]+)>", self.path)

    @property
    def uuid_params(self) -> list[str]:
        return re.findall(r"<uuid:([^>]+)>", self.path)


# Path parameters that are UUIDs, declared once: ``route`` writes them ``<uuid:name>``, so a
# path whose id is not a UUID matches no route and is answered 404 ``not_found`` before any
# RPC (nothing reaches SQL), and the OpenAPI document declares them ``format: uuid``. Other
# parameters (certificate numbers, region and catalogue codes, API client ids, template keys)
# stay strings; ``test_every_path_parameter_is_classified`` makes a new one choose a side.
UUID_PARAMETERS = frozenset({
    "person_id", "elder_id", "volunteer_id", "proxy_person_id", "carrier_id", "demand_id",
    "series_id", "dispute_id", "record_id", "follow_up_id", "proposal_id", "message_id",
    "task_id", "grant_id", "qualification_id", "link_id", "interest_id", "webhook_id",
    "job_id",
    "export_id",
})
STRING_PARAMETERS = frozenset({
    "number", "code", "region_code", "category", "client_id", "event_type", "role", "locale",
})


def with_uuid_converters(path: str) -> str:
    """``/demands/<demand_id>`` → ``/demands/<uuid:demand_id>`` for the ``UUID_PARAMETERS``."""
    return re.sub(r"<([^:>]+)>",
                  lambda m: f"<uuid:{m[1]}>" if m[1] in UUID_PARAMETERS else m[0], path)


def _plain_path_values(params: dict) -> dict:
    """werkzeug's ``uuid`` converter gives ``UUID`` objects: passed on as canonical strings."""
    return {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in params.items()}


ROUTES: list[RouteSpec] = []


class RouteEndpoint(HttpRequestHandler):
    """nameko's ``@http`` entrypoint for a ``route``: nameko checks, on every request, that
    the path values fit the method's signature (``inspect.getcallargs``, about a tenth of
    the gateway's CPU on a balance read). A route's endpoint takes ``(self, request,
    **params)`` — any path values fit — so the check is skipped for it; any other method
    is checked as nameko would."""

    def check_signature(self, args, kwargs):
        method = getattr(self.container.service_cls, self.method_name)
        if not getattr(method, "takes_any_path_values", False):
            super().check_signature(args, kwargs)


def body_limits(config) -> dict:
    """``MAX_BODY_BYTES`` and ``MAX_JSON_DEPTH`` from the gateway's config (request_body.py)."""
    config = config or {}
    return {"max_bytes": int(config.get("MAX_BODY_BYTES") or request_body.DEFAULT_MAX_BODY_BYTES),
            "max_depth": int(config.get("MAX_JSON_DEPTH") or request_body.DEFAULT_MAX_JSON_DEPTH)}


def _query_values(request) -> dict:
    if getattr(request, "query_string", None) == b"":  # none sent: nothing to parse (most reads)
        return {}
    args = request.args
    return args.to_dict(flat=False) if hasattr(args, "to_dict") else dict(args)


def refuse_unstorable_text(data: object) -> None:
    """400 ``invalid_characters`` for a NUL, a lone surrogate or a control character (other
    than tab and line breaks) anywhere in a body or query string (``timebank_common.text``):
    refused once here rather than by PostgreSQL or the JSON encoder deep in a service."""
    found = first_problem_in(data)
    if found:
        where, problem = found
        raise BadInput("invalid_characters", "请求中含有不允许的字符（空字符、控制字符或无效的 Unicode）",
                       "The request holds characters that are not allowed (NUL, control "
                       "characters or invalid Unicode)", {"field": where, "problem": problem})


def _validated_body(schema_cls: type[Schema], request, config=None) -> dict:
    """Check the body against the owning service's schema, and pass it on as sent.

    The service loads it again with the same schema; passing the raw JSON keeps
    the RPC payload plain JSON (no datetimes)."""
    data = request_body.read_json_object(request, **body_limits(config))
    refuse_unstorable_text(data)
    errors = schema_of(schema_cls).validate(data)
    if errors:
        raise validation_error(errors)
    return data


def _plain(data: dict) -> dict:
    """Loaded query values made JSON-safe for RPC (datetimes as ISO 8601)."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def check_access(spec: RouteSpec, caller: dict, params: dict) -> None:
    """The route's ``roles`` and ``scoped`` region fields, before any RPC is made."""
    who = Caller.from_dict(caller)
    if spec.roles:
        who.require(*spec.roles)
    sources = (params, params.get("body") or {}, params.get("query") or {})
    for name in spec.scoped:
        code = next((src[name] for src in sources if src.get(name)), None)
        if code:
            who.require_scope(str(code))


def _error_response(exc: DomainError, request_id: str, request=None):
    body = exc.to_body()
    body["request_id"] = request_id
    headers = {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    retry_after = exc.details.get("retry_after_seconds") if isinstance(exc.details, dict) else None
    if retry_after is not None:  # 423 account_locked, 429 rate_limited: when to try again
        headers["Retry-After"] = str(int(retry_after))
    return error_response(request, body, exc.status, headers)


def strict_responses(config) -> bool:
    """``STRICT_RESPONSES``: a 2xx answer that breaks its schema is a 500 (answers.py)."""
    value = (config or {}).get("STRICT_RESPONSES")
    return str(value).lower() in ("1", "true", "yes", "on")


def _checked_answer(spec: RouteSpec, result, status: int, request_id: str, config, request,
                    headers: dict[str, str] | None = None):
    """The JSON answer, after its check against the route's response schema."""
    try:
        answers.check_answer(spec, result, strict_responses(config))
    except answers.ResponseContractViolation as violation:
        return error_response(request, error_body(
            "response_contract_violation", "系统内部错误：应答不符合接口约定，已记录",
            "Internal error: the answer broke the API contract; it has been logged",
            {"fields": violation.errors}, request_id), 500)
    return json_response(result, status=status, headers={"X-Request-Id": request_id, **(headers or {})})


class RouteMetrics:
    """A route's ``timebank_http_requests_total`` and ``..._duration_seconds`` series, each
    looked up once (``labels()`` takes a lock and builds its key on every call: two of them
    per request were as much as the route's token check)."""

    def __init__(self, spec: RouteSpec):
        self.spec = spec
        self._duration: Any = None  # the duration series, once looked up
        self._requests: dict[int, Any] = {}  # status code → its counter

    def record(self, status: int, seconds: float) -> None:
        counter = self._requests.get(status)
        if counter is None:
            counter = self._requests[status] = metrics.HTTP_REQUESTS.labels(
                self.spec.openapi_path, self.spec.method, str(status))
        counter.inc()
        if self._duration is None:
            self._duration = metrics.HTTP_REQUEST_DURATION.labels(self.spec.openapi_path,
                                                                  self.spec.method)
        self._duration.observe(seconds)


def route(method: str, path: str, *, summary: str, tags: list[str], body=None, query=None,
          response=None, many=False, status=200, public=False, roles=None, headers=None,
          scoped=None, content_type="application/json", other_statuses=None, idempotent=False,
          rate_class=None, raw_body=(), raw_body_max=0, password_change_ok=False):
    path = with_uuid_converters(path)
    if raw_body and (body is not None or raw_body_max <= 0):
        raise TypeError(f"{method} {path}: a raw body needs raw_body_max and no JSON body")
    spec = RouteSpec(method, path, summary, tags, body, query, response, many, status, public,
                     list(roles or []), headers or [], list(scoped or []), content_type,
                     dict(other_statuses or {}), idempotent, rate_class, tuple(raw_body),
                     raw_body_max, password_change_ok)
    ROUTES.append(spec)

    def decorate(fn):
        observed = RouteMetrics(spec)

        @functools.wraps(fn)
        def endpoint(self, request, **params):
            started = time.perf_counter()
            status = 500  # an exception that escapes becomes nameko's 500
            try:
                response = answer(self, request, **params)
                status = response.status_code
                return response
            finally:
                observed.record(status, time.perf_counter() - started)

        def answer(self, request, **params):
            request_id = self.correlation_id
            config = getattr(self, "config", None)
            params = _plain_path_values(params)
            try:
                # any body sent to the API is JSON, but a file to a route that takes one
                request_body.check_media_type(request, spec.raw_body)
                caller = None if spec.public else self.authenticate(request)
                if caller is not None and caller.get("password_change_required") \
                        and not spec.password_change_ok:
                    raise password_change_required()  # a one-time password, not yet changed
                limits = getattr(self, "rate_limits", None)  # absent on unit tests' bare objects
                if limits is not None:
                    limits.check(spec, request, caller)  # 429 rate_limited (gateway/rate_limits.py)
                if spec.roles:  # the service checks again, with the scope
                    Caller.from_dict(caller).require(*spec.roles)
                refuse_unstorable_text(params)  # the path's values
                refuse_unstorable_text(_query_values(request))
                if spec.body is not None:
                    params["body"] = _validated_body(spec.body, request, config)
                if spec.raw_body:
                    params["raw_body"] = request_body.file_body(request, spec.raw_body_max)
                    params["media_type"] = request.mimetype
                if spec.idempotent:
                    params["idempotency_key"] = idempotency.valid_key(
                        request.headers.get(idempotency.HEADER))
                if spec.query is not None:
                    params["query"] = _plain(load(schema_of(spec.query), request.args.to_dict()))
                if caller is not None:
                    check_access(spec, caller, params)
                with eventlet.Timeout(self.rpc_timeout, ServiceUnavailable):
                    result = fn(self, request, caller, **params)
            except DomainError as exc:
                return _error_response(exc, request_id, request)
            except (ServiceUnavailable, RemoteError, BrokerUnreachable) as exc:
                # BrokerUnreachable: the request was not handed to RabbitMQ (its node died or
                # was cut off and the failover round ran out); retried, it may go through
                if isinstance(exc, RemoteError) and exc.exc_type not in TRANSIENT_REMOTE_ERRORS:
                    log.exception("unhandled error on %s %s", method, path)
                    return error_response(request, error_body(
                        "internal_error", "系统内部错误，已记录",
                        "Internal error; it has been logged", None, request_id), 500)
                log.error("%s on %s %s", "RPC timed out" if isinstance(exc, ServiceUnavailable)
                          else f"broker unreachable ({exc})" if isinstance(exc, BrokerUnreachable)
                          else f"service's database unavailable ({exc})", method, path)
                return error_response(request, error_body(
                    "service_unavailable", "服务暂时不可用，请稍后重试",
                    "A service is unavailable; please retry", None, request_id),
                    503, headers={"Retry-After": "5"})
            except Exception:
                log.exception("unhandled error on %s %s", method, path)
                return error_response(request, error_body(
                    "internal_error", "系统内部错误，已记录", "Internal error; it has been logged",
                    None, request_id), 500)
            if hasattr(result, "status_code"):  # already a Response (PDF, HTML...)
                result.headers["X-Request-Id"] = request_id
                return result
            if not isinstance(result, Answer):
                body, replayed = idempotency.unwrap(result) if spec.idempotent else (result, False)
                result = Answer(body, spec.status, replayed)
            headers = {idempotency.REPLAYED_HEADER: "true"} if result.replayed else {}
            return _checked_answer(spec, result.body, result.status, request_id, config, request,
                                   headers)

        endpoint.takes_any_path_values = True  # type: ignore[attr-defined]
        return RouteEndpoint.decorator(method, path)(endpoint)

    return decorate


def bearer_token(request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("login_required", "请先登录（缺少 Bearer 令牌）",
                              "Log in first (no Bearer token)")
    return token.strip()
