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
import json
import logging
import re
from dataclasses import dataclass, field

import eventlet
from marshmallow import Schema
from nameko.web.handlers import http

from timebank_common.caller import Caller
from timebank_common.errors import BadInput, DomainError, Unauthenticated, validation_error
from timebank_common.schemas import load
from timebank_common.service import json_response
from timebank_common.text import first_problem_in

log = logging.getLogger(__name__)


class ServiceUnavailable(Exception):
    """An RPC did not answer in time: the service is down or overloaded."""


@dataclass(frozen=True)
class Answer:
    """A route's JSON answer with a success status other than its declared ``status`` (one
    of its ``other_statuses``), e.g. 200 when a batch created nothing."""

    body: object
    status: int


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

    @property
    def openapi_path(self) -> str:
        return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", self.path)

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"<(?:[^:>]+:)?([^>]+)>", self.path)


ROUTES: list[RouteSpec] = []

MALFORMED_JSON = BadInput("malformed_json", "请求体不是有效的 JSON", "The request body is not valid JSON")


def _json_body(request) -> dict:
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise MALFORMED_JSON from None
    if not isinstance(data, dict):
        raise BadInput("body_not_object", "请求体应为 JSON 对象", "The request body must be a JSON object")
    refuse_unstorable_text(data)
    return data


def _query_values(request) -> dict:
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


def _validated_body(schema_cls: type[Schema], request) -> dict:
    """Check the body against the owning service's schema, and pass it on as sent.

    The service loads it again with the same schema; passing the raw JSON keeps
    the RPC payload plain JSON (no datetimes)."""
    data = _json_body(request)
    errors = schema_cls().validate(data)
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


def _error_response(exc: DomainError, request_id: str):
    body = exc.to_body()
    body["request_id"] = request_id
    headers = {"X-Request-Id": request_id}
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    retry_after = exc.details.get("retry_after_seconds") if isinstance(exc.details, dict) else None
    if retry_after is not None:  # 423 account_locked: when to try again
        headers["Retry-After"] = str(int(retry_after))
    return json_response(body, status=exc.status, headers=headers)


def route(method: str, path: str, *, summary: str, tags: list[str], body=None, query=None,
          response=None, many=False, status=200, public=False, roles=None, headers=None,
          scoped=None, content_type="application/json", other_statuses=None, idempotent=False,
          rate_class=None):
    spec = RouteSpec(method, path, summary, tags, body, query, response, many, status, public,
                     list(roles or []), headers or [], list(scoped or []), content_type,
                     dict(other_statuses or {}), idempotent, rate_class)
    ROUTES.append(spec)

    def decorate(fn):
        @functools.wraps(fn)
        def endpoint(self, request, **params):
            request_id = self.correlation_id
            try:
                caller = None if spec.public else self.authenticate(request)
                limits = getattr(self, "rate_limits", None)  # absent on unit tests' bare objects
                if limits is not None:
                    limits.check(spec, request, caller)  # 429 rate_limited (gateway/rate_limits.py)
                if spec.roles:  # the service checks again, with the scope
                    Caller.from_dict(caller).require(*spec.roles)
                refuse_unstorable_text(params)  # the path's values
                refuse_unstorable_text(_query_values(request))
                if spec.body is not None:
                    params["body"] = _validated_body(spec.body, request)
                if spec.query is not None:
                    params["query"] = _plain(load(spec.query(), request.args.to_dict()))
                if caller is not None:
                    check_access(spec, caller, params)
                with eventlet.Timeout(self.rpc_timeout, ServiceUnavailable):
                    result = fn(self, request, caller, **params)
            except DomainError as exc:
                return _error_response(exc, request_id)
            except ServiceUnavailable:
                log.error("RPC timed out on %s %s", method, path)
                return json_response(
                    {"error": "service_unavailable",
                     "message": {"zh": "服务暂时不可用，请稍后重试", "en": "A service is unavailable; please retry"},
                     "details": None, "request_id": request_id},
                    status=503, headers={"X-Request-Id": request_id, "Retry-After": "5"})
            except Exception:
                log.exception("unhandled error on %s %s", method, path)
                return json_response(
                    {"error": "internal_error",
                     "message": {"zh": "系统内部错误，已记录", "en": "Internal error; it has been logged"},
                     "details": None, "request_id": request_id},
                    status=500, headers={"X-Request-Id": request_id})
            if hasattr(result, "status_code"):  # already a Response (PDF, HTML...)
                result.headers["X-Request-Id"] = request_id
                return result
            if isinstance(result, Answer):
                return json_response(result.body, status=result.status,
                                     headers={"X-Request-Id": request_id})
            return json_response(result, status=spec.status, headers={"X-Request-Id": request_id})

        return http(method, path)(endpoint)

    return decorate


def bearer_token(request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("login_required", "请先登录（缺少 Bearer 令牌）",
                              "Log in first (no Bearer token)")
    return token.strip()
