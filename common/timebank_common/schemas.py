"""Helpers to apply marshmallow schemas at the edges (RPC, events, HTTP)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError

from .errors import validation_error


def load(schema: Schema, data) -> dict:
    """Validate ``data`` with ``schema``; a failure becomes ``BadInput`` (400)."""
    try:
        return schema.load(data if data is not None else {})
    except ValidationError as exc:
        raise validation_error(exc.messages) from None


def dump(schema: Schema, obj):
    return schema.dump(obj)
