"""The events the ledger produces: each payload schema and its ``EventContract``.

Published through the ledger's outbox in the transaction of the change; the envelope's
``region_code`` is the region of the account the event concerns (the volunteer's, the
giver's, the certificate's) or, for the reservation replies, demand's region of the service.
Consumers read each payload with its contract (``load_event``): ``required`` fields and
validators are what they may rely on, ``load_default`` what an absent optional field means;
neither changes what the ledger publishes.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank_common.contracts import EventContract

from .kinds import GIVING_KINDS

# what demand's reservation_requested named (demand reads its replies by them)
_ASSIGNMENT_ID = validate.Length(min=1, max=64)
_DEMAND_ID = validate.Length(min=1, max=64)


class HoursCreditedEvent(Schema):
    """``minutes``: credited to the volunteer (after rounding and the yearly cap; > 0: no
    event when nothing was credited)."""

    transfer_id = fields.String(required=True)
    person_id = fields.String(required=True)
    minutes = fields.Integer(required=True)
    balance_minutes = fields.Integer(required=True)
    kind = fields.String(load_default=None)
    record_id = fields.String(load_default=None)
    demand_id = fields.String(load_default=None)
    recorded_minutes = fields.Integer()
    rounded_minutes = fields.Integer()
    excess_minutes = fields.Integer()
    excess_to = fields.String(allow_none=True)  # pool | refused | null
    funding_source = fields.String()
    paid_from = fields.String()  # the source, or issuance when it could not pay
    fallback = fields.String(load_default=None, allow_none=True)  # why issuance paid, or null


class HoursGivenEvent(Schema):
    """``hours_given``: a gift to a direct relative or a donation to the pool was posted
    (once per transfer; notify tells the receiver, or thanks the donor)."""

    transfer_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(GIVING_KINDS))
    from_person_id = fields.String(required=True)
    to_person_id = fields.String(load_default=None)  # a gift's relative
    pool_region_code = fields.String(allow_none=True)
    minutes = fields.Integer(required=True)
    given_by = fields.String(allow_none=True)


class CreditCorrectedEvent(Schema):
    """``credit_corrected``: a dispute's outcome changed what a service record's volunteer was
    credited (a void reverses the credit, an adjustment posts the difference). ``minutes``:
    the change (negative: taken back); ``credited_minutes``: what the record is credited
    after it (0 once voided)."""

    transfer_id = fields.String(required=True)  # the correcting transfer
    record_id = fields.String(required=True)
    person_id = fields.String(required=True)  # the volunteer
    minutes = fields.Integer(required=True)
    credited_minutes = fields.Integer(required=True)
    outcome = fields.String(required=True)  # voided | minutes_adjusted
    dispute_id = fields.String(load_default=None)


class HoursGrantedEvent(Schema):
    """``hours_granted``: a priority elder's grant account was granted a period's minutes
    (once per person, category and period; the envelope's region is the elder's)."""

    transfer_id = fields.String(required=True)
    person_id = fields.String(required=True)  # the elder
    minutes = fields.Integer(required=True)
    category = fields.String(load_default=None)  # the hardship category granted for
    period = fields.String(load_default=None)  # the policy's period key, e.g. 2026-Q4


class PoolAllocatedEvent(Schema):
    """``pool_allocated``: a share of a donation pool was allocated to a priority elder's
    grant account (once per allocation and elder; the envelope's region is the elder's)."""

    transfer_id = fields.String(required=True)
    allocation_id = fields.String(required=True)
    person_id = fields.String(required=True)  # the elder
    minutes = fields.Integer(required=True)
    pool_region_code = fields.String(load_default=None)  # the pool's city-level unit


class MilestoneReachedEvent(Schema):
    person_id = fields.String(required=True)
    level = fields.Integer(required=True)
    cumulative_minutes = fields.Integer(required=True)
    transfer_id = fields.String(load_default=None)


class CertificateIssuedEvent(Schema):
    """``certificate_issued`` (notify tells the volunteer): period as ISO dates."""

    number = fields.String(required=True)
    person_id = fields.String(required=True)
    period_from = fields.String(load_default=None)
    period_to = fields.String(load_default=None)
    total_minutes = fields.Integer(required=True)
    issued_by = fields.String(allow_none=True)


class ReservationMadeEvent(Schema):
    assignment_id = fields.String(required=True, validate=_ASSIGNMENT_ID)
    demand_id = fields.String(required=True, validate=_DEMAND_ID)
    reservation_id = fields.String()
    minutes = fields.Integer()
    expires_at = fields.DateTime(format="iso")
    repeated = fields.Boolean()


class ReservationRefusedEvent(Schema):
    """``reason``: window_passed, source_account_missing, or the transfer's refusal code
    (e.g. insufficient_balance); the service still happens, paid by the fallback."""

    assignment_id = fields.String(required=True, validate=_ASSIGNMENT_ID)
    demand_id = fields.String(required=True, validate=_DEMAND_ID)
    reservation_id = fields.String()
    reason = fields.String()
    details = fields.Raw(allow_none=True)


HOURS_CREDITED = EventContract(
    "ledger", "hours_credited", HoursCreditedEvent,
    "A recorded service was credited to the volunteer (once per service record)")
HOURS_GIVEN = EventContract(
    "ledger", "hours_given", HoursGivenEvent,
    "Hours were given to a direct relative or donated to the pool (once per transfer)")
CREDIT_CORRECTED = EventContract(
    "ledger", "credit_corrected", CreditCorrectedEvent,
    "A dispute's outcome changed a service record's credit (a reversal or an adjustment; once "
    "per correcting transfer)")
HOURS_GRANTED = EventContract(
    "ledger", "hours_granted", HoursGrantedEvent,
    "A priority elder was granted a period's minutes (once per person, category and period)")
POOL_ALLOCATED = EventContract(
    "ledger", "pool_allocated", PoolAllocatedEvent,
    "A donation-pool share was allocated to a priority elder (once per allocation and elder)")
MILESTONE_REACHED = EventContract(
    "ledger", "milestone_reached", MilestoneReachedEvent,
    "A volunteer's cumulative service reached a star level (once per person and level)")
CERTIFICATE_ISSUED = EventContract(
    "ledger", "certificate_issued", CertificateIssuedEvent,
    "A service-record certificate was issued")
RESERVATION_MADE = EventContract(
    "ledger", "reservation_made", ReservationMadeEvent,
    "The elder's minutes for an assignment are reserved (the saga with demand)")
RESERVATION_REFUSED = EventContract(
    "ledger", "reservation_refused", ReservationRefusedEvent,
    "Nothing was reserved for an assignment; the service is paid by the fallback")

EVENTS = (HOURS_CREDITED, HOURS_GIVEN, CREDIT_CORRECTED, MILESTONE_REACHED, CERTIFICATE_ISSUED,
          RESERVATION_MADE, RESERVATION_REFUSED, HOURS_GRANTED, POOL_ALLOCATED)
