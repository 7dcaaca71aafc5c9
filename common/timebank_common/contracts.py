"""What a service publishes for others: its RPCs' inputs and outputs and its events' payloads.

Each service's ``<service>/contracts.py`` (or ``contracts/`` package) holds marshmallow schemas
and the constants callers need, and imports only marshmallow and the kit's pure core. It is
the only part of a service the gateway or another service may import (DESIGN.md §2).

This module gives the two kinds of declaration those contracts and the entrypoints use:

* ``EventContract``: an event a service produces, with its payload schema, declared once in
  the producer's contracts; the producer emits with it and consumers import it::

      DEMAND_CANCELLED = EventContract("demand", "demand_cancelled", DemandCancelledPayload,
                                       "A demand was cancelled (by the elder, staff or expiry)")

  A consumer declares its handler with the contract and reads the envelope with it, so the
  producer's schema (its required fields and validators) is the only one applied::

      @event_handler(DEMAND_CANCELLED)
      @once("matching.on_demand_cancelled")
      def on_demand_cancelled(self, uow, event):
          received = DEMAND_CANCELLED.load_event(event)  # BadInput: retried, dead-lettered

* ``RpcDeclaration``: next to each RPC in a service's entrypoints (``service.rpc(...)``),
  naming the contract of its arguments and of its answer. The arguments are loaded with it
  (a refusal is ``BadInput``); the answer is checked against it by ``conforms`` when the
  service runs with ``CHECK_CONTRACTS`` (every test does), and ``docs/rpc-and-events.md`` is
  generated from both kinds (``timebank_common.contract_docs``).
"""
from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, ValidationError, fields

from .errors import validation_error

SchemaLike = type[Schema] | Schema
Declared = SchemaLike | fields.Field[Any] | None


def schema_instance(declared: SchemaLike) -> Schema:
    return declared() if isinstance(declared, type) else declared


@dataclass(frozen=True)
class EventContract:
    """An event ``name`` that service ``source`` produces, with the schema of its payload.
    ``version`` is the envelope's ``v``: a change that breaks consumers is a new version."""

    source: str
    name: str
    payload: type[Schema]
    summary: str = ""
    version: int = 1

    def dump(self, data: Any) -> dict[str, Any]:
        """The payload as it is published (JSON-safe)."""
        dumped: dict[str, Any] = self.payload().dump(data)
        return dumped

    def dump_checked(self, data: Any) -> dict[str, Any]:
        """The payload as it is published, refused (``EventRefused``) when a consumer reading
        it with ``load`` would refuse it: a value no handler can take stops the producer's
        transaction instead of entering the queues as poison (issue 15 item 7)."""
        dumped = self.dump(data)
        errors = self.payload(unknown="exclude").validate(dumped)
        if errors:
            raise EventRefused(self.name, errors)
        return dumped

    def load(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """A consumer's view of a received payload (fields typed as the producer declared;
        fields this version does not know are left out)."""
        loaded: dict[str, Any] = self.payload(unknown="exclude").load(payload)
        return loaded

    def load_event(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """A received envelope as its handler reads it: ``payload`` loaded with this contract
        (``load``), ``occurred_at`` an aware datetime, the other keys as received. A payload
        or time the contract refuses raises ``BadInput`` (``validation_failed``, the fields in
        ``details``): the handler fails, is retried a bounded number of times and
        dead-lettered, never applied half-read."""
        try:
            payload = self.load(event.get("payload") or {})
        except ValidationError as exc:
            raise validation_error(exc.messages) from None
        try:
            occurred_at = _OCCURRED_AT.deserialize(event.get("occurred_at"))
        except ValidationError as exc:
            raise validation_error({"occurred_at": exc.messages}) from None
        return {**event, "payload": payload, "occurred_at": occurred_at}


_OCCURRED_AT = fields.AwareDateTime(format="iso", required=True)


class EventRefused(ValueError):
    """An event whose payload its own contract refuses: a bug in the producer (its change is
    rolled back with it), never something to publish. ``errors`` names the fields."""

    def __init__(self, event: str, errors: Mapping[str, Any]):
        super().__init__(f"event {event} refused by its contract: {dict(errors)}")
        self.event = event
        self.errors = errors


@dataclass(frozen=True)
class RpcDeclaration:
    """The contract of one RPC: ``args`` maps a parameter name to the schema (or field) its
    value is loaded with; ``returns`` is the schema (``Schema(many=True)`` for a list) or
    field its answer conforms to, or None when it answers nothing. A parameter named
    ``caller`` is always the calling ``Caller``; other parameters not in ``args`` are plain
    JSON values (ids, flags) documented by their names."""

    args: Mapping[str, SchemaLike | fields.Field[Any]] = field(default_factory=dict)
    returns: Declared = None
    internal: bool = False  # asked by other services only, never on behalf of a person
    # a create that takes ``idempotency_key`` (``idempotency.py``): with a key it answers
    # ``{"answer": <returns>, "idempotency_replayed": bool}``
    idempotent: bool = False


def conforms(declared: Declared, value: Any, path: str = "answer") -> list[str]:
    """What in ``value`` (an RPC's answer, before it is sent as JSON) does not match
    ``declared``: keys the schema does not declare, required keys that are missing, values of
    the wrong JSON type. Empty when it conforms. ``None`` is accepted for any field (a dump
    writes None for a missing value)."""
    if declared is None:
        return [] if value is None else [f"{path}: declared to answer nothing, got {_kind(value)}"]
    if isinstance(declared, fields.Field):
        return _field_problems(declared, value, path)
    schema = schema_instance(declared)
    if schema.many:
        if not isinstance(value, list | tuple):
            return [f"{path}: expected a list, got {_kind(value)}"]
        single = type(schema)(only=schema.only, exclude=schema.exclude)  # type: ignore[arg-type]
        return [p for i, item in enumerate(value) for p in conforms(single, item, f"{path}[{i}]")]
    return _schema_problems(schema, value, path)


def _schema_problems(schema: Schema, value: Any, path: str) -> list[str]:
    if not isinstance(value, Mapping):
        return [f"{path}: expected an object, got {_kind(value)}"]
    by_key = {(f.data_key or name): f for name, f in schema.fields.items() if not f.load_only}
    problems = [f"{path}.{key}: not declared in {type(schema).__name__}"
                for key in value if key not in by_key]
    for key, declared_field in by_key.items():
        if key not in value:
            if declared_field.required:
                problems.append(f"{path}.{key}: required by {type(schema).__name__}, missing")
            continue
        problems.extend(_field_problems(declared_field, value[key], f"{path}.{key}"))
    return problems


_TEMPORAL = (fields.DateTime, fields.Date, fields.Time, fields.TimeDelta)


def _field_problems(declared: fields.Field[Any], value: Any, path: str) -> list[str]:
    if value is None or type(declared) in (fields.Raw, fields.Field):
        return []
    if isinstance(declared, fields.Nested):
        nested = declared.schema
        if declared.many:
            if not isinstance(value, list | tuple):
                return [f"{path}: expected a list, got {_kind(value)}"]
            return [p for i, item in enumerate(value)
                    for p in _schema_problems(nested, item, f"{path}[{i}]")]
        return _schema_problems(nested, value, path)
    if isinstance(declared, fields.List | fields.Tuple):
        if not isinstance(value, list | tuple):
            return [f"{path}: expected a list, got {_kind(value)}"]
        inner = getattr(declared, "inner", None)
        if inner is None:
            return []
        return [p for i, item in enumerate(value) for p in _field_problems(inner, item,
                                                                           f"{path}[{i}]")]
    if isinstance(declared, fields.Dict):
        if not isinstance(value, Mapping):
            return [f"{path}: expected an object, got {_kind(value)}"]
        values = declared.value_field
        if values is None:
            return []
        return [p for k, v in value.items() for p in _field_problems(values, v, f"{path}.{k}")]
    if isinstance(declared, fields.Boolean):
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean, got {_kind(value)}"]
    if isinstance(declared, fields.Integer):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected an integer, got {_kind(value)}"]
    if isinstance(declared, fields.Number):
        ok = isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected a number, got {_kind(value)}"]
    if isinstance(declared, _TEMPORAL):
        ok = isinstance(value, str | dt.date | dt.time | dt.timedelta | int | float)
        return [] if ok else [f"{path}: expected a date or time, got {_kind(value)}"]
    if isinstance(declared, fields.UUID):
        ok = isinstance(value, str | uuid.UUID)
        return [] if ok else [f"{path}: expected a UUID string, got {_kind(value)}"]
    if isinstance(declared, fields.String):
        return [] if isinstance(value, str) else [f"{path}: expected a string, got {_kind(value)}"]
    return []  # Raw subclasses, Method, Function, Constant, Enum...: anything their dump gives


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__
