"""The OpenAPI 3 document, generated from the route registry and marshmallow schemas."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .routing import ROUTES
from .schemas import Error

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
# refusals only some routes give
REQUIRED_HEADERS = ("Idempotency-Key",)
_ROUTE_ERRORS = {
    path: {"423": "账号已临时锁定（连续密码错误）Account locked for now after repeated wrong "
                  "passwords; see Retry-After"}
    for path in ("/api/v1/auth/login", "/api/v1/auth/password")
}


def _schema_name(schema) -> str:
    """Component names carry the owning service: DemandSubmit, IdentityRegisterElder..."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    root = cls.__module__.split(".")[0]
    if root in ("gateway", "timebank_common"):
        return name
    prefix = root.capitalize()
    return name if name.startswith(prefix) else prefix + name


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
        info={"description": "河北省互助养老时间银行平台 — HTTP gateway. Times are ISO 8601 with offset, "
                             "durations integer minutes, regions 12-digit codes."},
        servers=[{"url": base_url}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("Error", schema=Error)
    for route in ROUTES:
        parameters: list[dict[str, Any]] = [
            {"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
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
        if route.body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": route.body}}}
        ok: dict[str, Any] = {"description": "OK"}
        if route.response is not None:
            schema = {"type": "array", "items": route.response} if route.many else route.response
            ok["content"] = {"application/json": {"schema": schema}}
        elif route.content_type != "application/json":  # a file: PDF...
            ok["content"] = {route.content_type: {"schema": {"type": "string", "format": "binary"}}}
        responses[str(route.status)] = ok
        for status, why in route.other_statuses.items():
            responses[str(status)] = {**ok, "description": why}
        for code, text in {**_ERRORS, **_ROUTE_ERRORS.get(route.openapi_path, {})}.items():
            if code == "401" and route.public:
                continue
            responses[code] = {
                "description": text, "content": {"application/json": {"schema": "Error"}},
            }
        if not route.public:
            operation["security"] = [{"bearer": []}]
        spec.path(path=route.openapi_path, operations={route.method.lower(): operation})
    return _json_numbers(spec.to_dict())
