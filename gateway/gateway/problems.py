"""Every error answer of the gateway, in one shape (DESIGN.md §3)::

    {"error": code, "message": {"zh", "en"}, "details": ... or null, "request_id": ...}

A client whose ``Accept`` prefers ``application/problem+json`` (a higher quality than
``application/json``) gets the same answer as RFC 9457 problem details instead: ``type``
(``urn:timebank:error:<code>``), ``title`` (the HTTP status phrase), ``status``, ``detail``
(the message, Chinese first) and ``instance`` (the request path), with ``error``, ``message``,
``details`` and ``request_id`` kept as extension members. ``*/*`` or equal qualities: plain JSON.
"""
from __future__ import annotations

import uuid
from typing import Any

from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request, Response

from timebank_common.service import json_response

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:timebank:error:"


def prefers_problem_json(request: Request | None) -> bool:
    if request is None:
        return False
    accept = request.accept_mimetypes
    return accept.quality(PROBLEM_JSON) > accept.quality(JSON)


def error_body(code: str, zh: str, en: str, details: Any = None,
               request_id: str | None = None) -> dict[str, Any]:
    return {"error": code, "message": {"zh": zh, "en": en}, "details": details or None,
            "request_id": request_id}


def as_problem(body: dict[str, Any], status: int, instance: str) -> dict[str, Any]:
    """``body`` (our error shape) as RFC 9457 problem details with our members kept."""
    message = body.get("message") or {}
    detail = " / ".join(text for text in (message.get("zh"), message.get("en")) if text)
    return {"type": PROBLEM_TYPE_PREFIX + str(body.get("error")),
            "title": HTTP_STATUS_CODES.get(status, "Error"), "status": status,
            "detail": detail, "instance": instance, **body}


def error_response(request: Request | None, body: dict[str, Any], status: int,
                   headers: dict[str, str] | None = None) -> Response:
    """The error ``body`` as the client asked for it, with ``X-Request-Id``."""
    body = {**body, "details": body.get("details") or None}
    if not body.get("request_id"):
        body["request_id"] = request_id_of(request)
    headers = {**(headers or {}), "X-Request-Id": body["request_id"]}
    if prefers_problem_json(request):
        response = json_response(as_problem(body, status, request.path if request else ""),
                                 status=status, headers=headers, mimetype=PROBLEM_JSON)
    else:
        response = json_response(body, status=status, headers=headers)
    response.vary.add("Accept")
    return response


def request_id_of(request: Request | None) -> str:
    """The caller's ``X-Request-Id``, or a new one (outside a worker, where the Correlation
    dependency is not there: unknown paths and methods)."""
    given = request.headers.get("X-Request-Id") if request is not None else None
    return given or uuid.uuid4().hex
