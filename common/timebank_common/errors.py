"""Typed domain errors that cross RPC and map to HTTP (DESIGN.md §3).

Plain classes (no framework here). ``service.py`` registers each with nameko when a
service starts, so a ``NotFound`` raised in the ledger arrives as a ``NotFound`` in the
gateway (not as a generic ``RemoteError``) and the gateway turns it into the JSON body::

    {"error": "<code>", "message": {"zh": "...", "en": "..."}, "details": ...}
"""
from __future__ import annotations

import json
from typing import Any

# How ``details`` crosses RPC. nameko serialises an exception's args with ``str()`` for every
# value that is not a string, mapping or list, so ``None`` arrived as the string "None" and
# ``30`` as "30". The details travel as JSON text in a one-key mapping instead (mappings and
# strings pass through nameko unchanged) and are decoded when the error is rebuilt.
_WIRE_KEY = "__details_json__"


def _from_wire(details: Any) -> Any:
    if isinstance(details, dict) and set(details) == {_WIRE_KEY}:
        return json.loads(details[_WIRE_KEY])
    return details


def _to_wire(details: Any) -> dict[str, str]:
    return {_WIRE_KEY: json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)}


def _empty(details: Any) -> bool:
    return details is None or (isinstance(details, str | dict | list | tuple) and not details)


class DomainError(Exception):
    """Base: an expected refusal, never a bug. Subclasses fix the HTTP status."""

    status = 400
    default_code = "bad_request"

    def __init__(self, code: str | None = None, zh: str = "", en: str = "",
                 details: Any = None):
        code = code or self.default_code
        details = _from_wire(details)
        details = None if _empty(details) else details
        super().__init__(code, zh, en, _to_wire(details))  # the args nameko sends over RPC
        self.code = code
        self.zh = zh
        self.en = en
        self.details = details

    def __str__(self) -> str:
        return f"{self.code}: {self.en or self.zh}"

    def to_body(self) -> dict[str, Any]:
        """The JSON error body; ``details`` is null when there is nothing to add."""
        return {
            "error": self.code,
            "message": {"zh": self.zh, "en": self.en},
            "details": self.details,
        }


class BadInput(DomainError):
    status = 400
    default_code = "bad_input"


class Unauthenticated(DomainError):
    status = 401
    default_code = "unauthenticated"


class Forbidden(DomainError):
    status = 403
    default_code = "forbidden"


class NotFound(DomainError):
    status = 404
    default_code = "not_found"


class Conflict(DomainError):
    """The resource is in a state that does not allow this (409)."""

    status = 409
    default_code = "conflict"


class RuleViolation(DomainError):
    """Well-formed but against a policy rule (422)."""

    status = 422
    default_code = "rule_violation"


class Locked(DomainError):
    """Refused for a while whatever is sent, e.g. an account after repeated wrong
    passwords (423). ``details.retry_after_seconds`` becomes the ``Retry-After`` header."""

    status = 423
    default_code = "locked"


class Gone(DomainError):
    """What was asked for existed once and is no longer kept (410), e.g. a change-feed
    cursor older than the feed's retention: start again from a fresh snapshot."""

    status = 410
    default_code = "gone"


class Unavailable(DomainError):
    """A service this one depends on did not answer in time (503): retry later."""

    status = 503
    default_code = "service_unavailable"


ALL_ERRORS = (DomainError, BadInput, Unauthenticated, Forbidden, NotFound, Conflict, RuleViolation, Locked,
              Gone, Unavailable)


def validation_error(errors: Any) -> BadInput:
    """A marshmallow ``ValidationError.messages`` turned into our 400."""
    return BadInput(
        "validation_failed",
        "请求内容不符合要求，请检查标出的字段",
        "The request is not valid; see the fields listed in details",
        errors,
    )

