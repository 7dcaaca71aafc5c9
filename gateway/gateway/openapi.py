"""The OpenAPI 3 document, generated from the route registry and marshmallow schemas."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from timebank_common import idempotency

from .problems import PROBLEM_JSON
from .routing import ROUTES, RouteSpec
from .schemas import Error, Problem

_ERRORS = {
    "400": "输入有误 Bad input",
    "401": "未登录或令牌无效 Not authenticated",
    "403": "无权限或超出管辖范围 Forbidden or out of scope",
    "404": "不存在 Not found",
    "409": "状态冲突 Conflict with the current state",
    "422": "违反规则 Rule violation",
    "429": "请求过于频繁 Too many requests (rate limit of the route's class); see Retry-After",
    "503": "服务暂不可用 Service unavailable",
}
# refusals of a request that carries a body (gateway/request_body.py)
_BODY_ERRORS = {
    "413": "请求体过大 body_too_large: the body is larger than the gateway accepts",
    "415": "请求体须为 JSON unsupported_media_type: the body must be application/json",
}
_CREDENTIALS_REFUSED = "凭证无效 The credentials (password, refresh token or client secret) " \
                       "were refused"
_DESCRIPTION = (
    "河北省互助养老时间银行平台 — HTTP gateway. Times are ISO 8601 with offset, durations "
    "integer minutes, regions 12-digit codes.\n\n"
    "Errors are `{error, message: {zh, en}, details, request_id}` (`details` null when there is "
    "nothing to add); a client whose Accept prefers `application/problem+json` gets RFC 9457 "
    "problem details with the same members as extensions. An unknown path answers 404 "
    "`not_found`, a method the path does not take 405 `method_not_allowed` with `Allow`. "
    "Path parameters declared `format: uuid` that are not UUIDs answer 404 `not_found` "
    "before any service is asked. Request bodies are JSON (415 otherwise), at most 1 MiB "
    "(413) and 32 levels deep (400 `body_too_deep`). A login with a one-time password (the "
    "access token's `pwd_change` claim: the first province admin's, from `bootstrap_admin`) is "
    "answered 403 `password_change_required` on every route but `POST /api/v1/auth/password` "
    "and the logouts (`/api/v1/auth/logout`, `/api/v1/auth/session/logout`); after the change "
    "it logs in again with the new password.")
# refusals only some routes give
IDEMPOTENCY_KEY = idempotency.HEADER
REQUIRED_HEADERS = (IDEMPOTENCY_KEY,)
_ROUTE_ERRORS = {
    path: {"423": "账号已临时锁定（连续密码错误）Account locked for now after repeated wrong "
                  "passwords; see Retry-After"}
    for path in ("/api/v1/auth/login", "/api/v1/auth/session", "/api/v1/auth/password")
}
_ROUTE_ERRORS["/api/v1/changes"] = {
    "410": "游标已过期（超出保留期）cursor_expired: the cursor is past retention; resynchronise"}


def _schema_name(schema) -> str:
    """Component names carry the owning service: DemandSubmit, IdentityRegisterElder..."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    root = cls.__module__.split(".")[0]
    if root in ("gateway", "timebank_common"):
        return name
    prefix = root.capitalize()
    return name if name.startswith(prefix) else prefix + name


IDEMPOTENCY_KEY_DESCRIPTION = (
    "幂等键：重试时使用同一个键，返回首次的结果（状态码与内容相同，并带 Idempotent-Replayed: true），"
    "不会重复创建或重复变更；同一个键配不同的请求内容返回 422 idempotency_key_reused。"
    " Idempotency key: a retry with the same key answers the first answer (same status and body, "
    "with Idempotent-Replayed: true) and creates or changes nothing more; the same key with "
    "another body answers 422 idempotency_key_reused. 1–255 visible ASCII characters; kept at "
    "least 24 hours.")


def _document_idempotency(route, parameters: list[dict[str, Any]]) -> None:
    """The ``Idempotency-Key`` header of an idempotent create or state change (optional unless the route lists
    it in ``headers`` as required)."""
    declared = next((p for p in parameters
                     if p.get("in") == "header" and p.get("name") == IDEMPOTENCY_KEY), None)
    if declared is None:
        declared = {"in": "header", "name": IDEMPOTENCY_KEY, "required": False}
        parameters.append(declared)
    declared["description"] = IDEMPOTENCY_KEY_DESCRIPTION
    declared["schema"] = {"type": "string", "minLength": 1, "maxLength": 255,
                          "pattern": "^[!-~]+$"}


def _json_numbers(value: Any) -> Any:
    """Decimal bounds from marshmallow validators (``Range(min=Decimal(...))``) as JSON numbers:
    OpenAPI requires ``minimum``/``maximum`` to be numbers, and tools refuse strings."""
    if isinstance(value, dict):
        return {key: _json_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_numbers(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def build(base_url: str) -> dict:
    spec = APISpec(
        title="时间银行 Time Bank API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={"description": _DESCRIPTION},
        servers=[{"url": base_url}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("Error", schema=Error)
    spec.components.schema("Problem", schema=Problem)
    for code, text in (("NotFound", "不存在 No such path (not_found)"),
                       ("MethodNotAllowed", "此地址不支持该方法 The path does not take this method "
                                            "(method_not_allowed; see Allow)")):
        spec.components.response(code, {"description": text, "content": _error_content()})
    for route in ROUTES:
        parameters: list[dict[str, Any]] = [
            {"in": "path", "name": name, "required": True, "schema": _path_schema(route, name)}
            for name in route.path_params
        ]
        responses: dict[str, Any] = {}
        operation: dict[str, Any] = {
            "summary": route.summary,
            "tags": route.tags,
            "operationId": f"{route.method.lower()}_{route.openapi_path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
            "responses": responses,
            "parameters": parameters,
        }
        access = []
        if route.roles:
            access.append("角色 Roles: " + ", ".join(route.roles))
        if route.scoped:
            access.append("须在管辖范围内 Must be in the caller's scope: " + ", ".join(route.scoped))
        if access:
            operation["description"] = "\n\n".join(access)
        if route.query is not None:
            parameters.append({"in": "query", "schema": route.query})
        for header in route.headers:
            parameters.append(
                {"in": "header", "name": header, "required": header in REQUIRED_HEADERS,
                 "schema": {"type": "string"}}
            )
        if route.idempotent:
            _document_idempotency(route, parameters)
        if route.body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": route.body}}}
        if route.raw_body:  # a file (an import)
            operation["requestBody"] = {"required": True, "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in route.raw_body}}
        ok: dict[str, Any] = {"description": "OK"}
        if route.response is not None:
            schema = {"type": "array", "items": route.response} if route.many else route.response
            ok["content"] = {"application/json": {"schema": schema}}
        elif route.content_type != "application/json":  # a file: PDF...
            ok["content"] = {route.content_type: {"schema": {"type": "string", "format": "binary"}}}
        responses[str(route.status)] = ok
        for status, why in route.other_statuses.items():
            responses[str(status)] = {**ok, "description": why}
        for code, text in _error_statuses(route).items():
            responses[code] = {"description": text, "content": _error_content()}
        if not route.public:
            operation["security"] = [{"bearer": []}]
        spec.path(path=route.openapi_path, operations={route.method.lower(): operation})
    return _json_numbers(_comma_separated_lists(spec.to_dict()))


def _comma_separated_lists(document: dict[str, Any]) -> dict[str, Any]:
    """A list in a query string is one parameter with the values separated by commas
    (``measures=a,b``: ``explode: false``), the way the gateway reads it (a query string is
    read one value per name)."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and \
                        parameter.get("schema", {}).get("type") == "array":
                    parameter.update(style="form", explode=False)
    return document


def _path_schema(route: RouteSpec, name: str) -> dict[str, str]:
    if name in route.uuid_params:
        return {"type": "string", "format": "uuid"}
    return {"type": "string"}


def _error_content() -> dict[str, Any]:
    return {"application/json": {"schema": "Error"}, PROBLEM_JSON: {"schema": "Problem"}}


def _error_statuses(route: RouteSpec) -> dict[str, str]:
    """The refusals ``route`` can answer: all routes' (401 only with credentials to refuse),
    its own, and 413/415 when it takes a body."""
    statuses = {**_ERRORS, **_ROUTE_ERRORS.get(route.openapi_path, {})}
    if route.public:
        if refuses_credentials(route):
            statuses["401"] = _CREDENTIALS_REFUSED
        else:
            del statuses["401"]
    if route.body is not None:
        statuses.update(_BODY_ERRORS)
    if route.raw_body:
        statuses.update({"413": "文件过大 body_too_large: the file is larger than the route accepts",
                         "415": "须为 CSV 或 XLSX unsupported_media_type: the body must be one "
                                "of " + ", ".join(route.raw_body)})
    return dict(sorted(statuses.items()))


def refuses_credentials(route: RouteSpec) -> bool:
    """Public routes that check a password, refresh token or client secret: login, refresh,
    client token and the console's session login and refresh."""
    return route.public and route.openapi_path.startswith("/api/v1/auth/")
