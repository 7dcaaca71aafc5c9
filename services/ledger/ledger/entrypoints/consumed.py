"""The events the ledger consumes, as the ledger reads them: its own copies of the producers'
payload schemas, in this one place (to be replaced by the producers' contracts), and how an
envelope's payload is loaded before a use case sees it. A payload these refuse raises
``BadInput``: the handler fails, is retried a bounded number of times and dead-lettered,
never credited half-read."""
from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from timebank_common.schemas import load

from ..contracts.kinds import FUNDING_ALIASES, FUNDING_SOURCES
from ..contracts.transfers import DisputeOutcomeIn
from ..contracts.values import PERSON_ID, REGION_CODE


class ServiceRecordedPayload(Schema):
    """What the ledger needs from demand's ``service_recorded`` (other fields are ignored)."""

    class Meta:
        unknown = EXCLUDE

    record_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    demand_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    volunteer_id = fields.String(required=True, validate=PERSON_ID)
    volunteer_region_code = fields.String(load_default=None, allow_none=True,
                                          validate=REGION_CODE)
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    category = fields.String(load_default=None, allow_none=True)
    # own_hours | grant | pool (donation_pool) | issuance; absent: issuance. An unknown name
    # is refused (dead-lettered), never quietly paid by the city (ledger/domain/funding.py)
    funding_source = fields.String(load_default=None, allow_none=True,
                                   validate=validate.OneOf([*FUNDING_SOURCES, *FUNDING_ALIASES]))
    elder_id = fields.String(load_default=None, allow_none=True, validate=PERSON_ID)
    # the reservation made at assignment (ledger/app/reservations.py), posted instead of a debit
    reservation_id = fields.String(load_default=None, allow_none=True,
                                   validate=validate.Length(min=1, max=200))


class ReservationRequestedPayload(Schema):
    """demand's ``reservation_requested`` (the saga: ledger/domain/reservations.py)."""

    class Meta:
        unknown = EXCLUDE

    assignment_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reservation_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    demand_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    elder_id = fields.String(required=True, validate=PERSON_ID)
    volunteer_id = fields.String(required=True, validate=PERSON_ID)
    volunteer_region_code = fields.String(load_default=None, allow_none=True,
                                          validate=REGION_CODE)
    funding_source = fields.String(required=True)
    category = fields.String(load_default=None, allow_none=True)
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    expires_at = fields.AwareDateTime(required=True)
    region_code = fields.String(required=True, validate=REGION_CODE)


class ReservationReleasedPayload(Schema):
    """demand's ``reservation_released``: withdrawn, no_show or cancelled."""

    class Meta:
        unknown = EXCLUDE

    assignment_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reservation_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    demand_id = fields.String(load_default=None, allow_none=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=50))


class PriorityGrantedPayload(Schema):
    """identity's ``elder_priority_granted``."""

    class Meta:
        unknown = EXCLUDE

    person_id = fields.String(required=True, validate=PERSON_ID)
    category = fields.String(required=True, validate=validate.Length(min=1, max=40))
    region_code = fields.String(required=True, validate=REGION_CODE)
    verified_by = fields.String(load_default=None, allow_none=True)


_SERVICE_RECORDED = ServiceRecordedPayload()
_RESERVATION_REQUESTED = ReservationRequestedPayload()
_RESERVATION_RELEASED = ReservationReleasedPayload()
_PRIORITY_GRANTED = PriorityGrantedPayload()
_DISPUTE_OUTCOME = DisputeOutcomeIn()


def _loaded(schema: Schema, event: dict[str, Any]) -> dict[str, Any]:
    """The envelope with its payload loaded (``BadInput`` when the payload is refused)."""
    return {**event, "payload": load(schema, event.get("payload"))}


def service_recorded(event: dict[str, Any]) -> dict[str, Any]:
    return _loaded(_SERVICE_RECORDED, event)


def reservation_requested(event: dict[str, Any]) -> dict[str, Any]:
    return _loaded(_RESERVATION_REQUESTED, event)


def reservation_released(event: dict[str, Any]) -> dict[str, Any]:
    return _loaded(_RESERVATION_RELEASED, event)


def priority_granted(event: dict[str, Any]) -> dict[str, Any]:
    """The loaded payload of identity's ``elder_priority_granted``."""
    return load(_PRIORITY_GRANTED, event.get("payload"))


def dispute_outcome(event: dict[str, Any]) -> dict[str, Any] | None:
    """demand's ``dispute_resolved`` as an outcome to apply (``DisputeOutcomeIn``), or None
    when it moves no hours: a dispute about something else than a record (an evaluation),
    or about a record that was never credited (``credited: false``)."""
    payload = event["payload"]
    if payload.get("subject", "record") != "record" or not payload.get("credited", True):
        return None
    return load(_DISPUTE_OUTCOME, {key: payload.get(key) for key in (
        "dispute_id", "record_id", "outcome", "minutes", "approver", "reason")})
