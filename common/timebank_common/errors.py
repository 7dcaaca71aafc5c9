"""Typed domain errors that cross RPC and map to HTTP (DESIGN.md §3).

Plain classes (no framework here). ``service.py`` registers each with nameko when a
service starts, so a ``NotFound`` raised in the ledger arrives as a ``NotFound`` in the
gateway (not as a generic ``RemoteError``) and the gateway turns it into the JSON body::

    {"error": "<code>", "message": {"zh": "...", "en": "..."}, "details": ...}
"""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base: an expected refusal, never a bug. Subclasses fix the HTTP status."""

    status = 400
    default_code = "bad_request"

    def __init__(self, code: str | None = None, zh: str = "", en: str = "",
                 details: Any = None):
        code = code or self.default_code
        super().__init__(code, zh, en, details)
        self.code = code
        self.zh = zh
        self.en = en
        self.details = details

    def __str__(self) -> str:
        return f"{self.code}: {self.en or self.zh}"

    def to_body(self) -> dict[str, Any]:
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

