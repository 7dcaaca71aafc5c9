"""marshmallow schemas of the ledger's RPC inputs/outputs and event payloads."""
from __future__ import annotations

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from timebank_common.schemas import PageQuery, check_period_order

from .domain.funding import ALIASES as FUNDING_ALIASES
from .domain.funding import FUNDING_SOURCES
from .domain.kinds import ACCOUNT_KINDS, REVERSAL, TRANSFER_KINDS
from .domain.transfers import (
    CALLER_ACTIONS,
    MAX_TIMEOUT_SECONDS,
    MAX_TRANSFER_ID_LENGTH,
    POST,
    TransferRequest,
)

PERSON_ID = validate.Length(min=1, max=64)
TRANSFER_ID = validate.Length(min=1, max=MAX_TRANSFER_ID_LENGTH)
REGION_CODE = validate.Regexp(r"^\d{12}$")
MINUTES = validate.Range(min=1)
MAX_BATCH = 8190  # as TigerBeetle: one batch, one database transaction


class PersonIdSchema(Schema):
    person_id = fields.String(required=True, validate=PERSON_ID)


class StatementQuery(PageQuery):
    since = fields.AwareDateTime(load_default=None, allow_none=True)
    until = fields.AwareDateTime(load_default=None, allow_none=True)
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(TRANSFER_KINDS),
                         metadata={"description": "only transfers of this kind"})

    @validates_schema
    def _period(self, data, **kwargs):
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise ValidationError("since must be before until / 开始时间须早于结束时间", "until")


class BalanceOut(Schema):
    person_id = fields.String()
    earned_minutes = fields.Integer()
    grant_minutes = fields.Integer()
    reserved_minutes = fields.Integer()
    available_minutes = fields.Integer()


class StatementItemOut(Schema):
    transfer_id = fields.String()
    kind = fields.String()
    account_kind = fields.String()  # personal | grant: whose balance balance_after is
    amount_minutes = fields.Integer()  # signed, from this person's point of view
    balance_after = fields.Integer()
    memo = fields.String(allow_none=True)
    reference = fields.Dict()
    occurred_at = fields.DateTime(format="iso")


class StatementOut(Schema):
    items = fields.List(fields.Nested(StatementItemOut))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


# --- accounts and transfers (internal RPCs) ------------------------------------------------
class OpenAccountIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ACCOUNT_KINDS))
    region_code = fields.String(required=True, validate=REGION_CODE)
    owner_person_id = fields.String(load_default=None, allow_none=True, validate=PERSON_ID)

    @validates_schema
    def _owner(self, data, **kwargs):
        if (data["kind"] in ("personal", "grant")) != bool(data.get("owner_person_id")):
            raise ValidationError("personal and grant accounts (only) have an owner / "
                                  "个人账户和补贴账户（仅此两类）须有所属人", "owner_person_id")


class AccountIdIn(Schema):
    account_id = fields.UUID(required=True)


class AccountOut(Schema):
    account_id = fields.String()
    kind = fields.String()
    owner_person_id = fields.String(allow_none=True)
    region_code = fields.String()
    debits_posted = fields.Integer()
    credits_posted = fields.Integer()
    debits_pending = fields.Integer()
    credits_pending = fields.Integer()
    balance_minutes = fields.Integer()
    available_minutes = fields.Integer()


class TransferIn(Schema):
    """One request of ``create_transfers`` (see ledger/domain/transfers.py for the actions)."""

    id = fields.String(required=True, validate=TRANSFER_ID)
    action = fields.String(load_default=POST, validate=validate.OneOf(CALLER_ACTIONS))
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf([k for k in TRANSFER_KINDS if k != REVERSAL]))
    debit_account_id = fields.UUID(load_default=None, allow_none=True)
    credit_account_id = fields.UUID(load_default=None, allow_none=True)
    amount_minutes = fields.Integer(load_default=None, allow_none=True, strict=True,
                                    validate=MINUTES)
    pending_id = fields.String(load_default=None, allow_none=True, validate=TRANSFER_ID)
    reverses_id = fields.String(load_default=None, allow_none=True, validate=TRANSFER_ID)
    timeout_seconds = fields.Integer(load_default=None, allow_none=True, strict=True,
                                     validate=validate.Range(min=1, max=MAX_TIMEOUT_SECONDS))
    memo = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    reference = fields.Dict(load_default=dict)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    approver = fields.String(load_default=None, allow_none=True, validate=PERSON_ID)
    linked = fields.Boolean(load_default=False)

    @post_load
    def _request(self, data, **kwargs) -> TransferRequest:
        for side in ("debit_account_id", "credit_account_id"):
            if data[side] is not None:
                data[side] = str(data[side])
        return TransferRequest(transfer_id=data.pop("id"), **data)


class CreateTransfersIn(Schema):
    transfers = fields.List(fields.Nested(TransferIn), required=True,
                            validate=validate.Length(min=1, max=MAX_BATCH))


class ReverseIn(Schema):
    transfer_id = fields.String(required=True, validate=TRANSFER_ID)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    approver = fields.String(required=True, validate=PERSON_ID)
    amount_minutes = fields.Integer(load_default=None, allow_none=True, strict=True,
                                    validate=MINUTES)
    reversal_id = fields.String(load_default=None, allow_none=True, validate=TRANSFER_ID)


class ExpireIn(Schema):
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=MAX_BATCH))


class TransferOut(Schema):
    id = fields.String(attribute="transfer_id")
    kind = fields.String()
    phase = fields.String()
    debit_account_id = fields.String()
    credit_account_id = fields.String()
    amount_minutes = fields.Integer()
    pending_id = fields.String(allow_none=True)
    reverses_id = fields.String(allow_none=True)
    timeout_seconds = fields.Integer(allow_none=True)
    expires_at = fields.DateTime(format="iso", allow_none=True)
    memo = fields.String(allow_none=True)
    reference = fields.Dict()
    reason = fields.String(allow_none=True)
    approver = fields.String(allow_none=True)
    created_at = fields.DateTime(format="iso")


class ErrorOut(Schema):
    code = fields.String()
    zh = fields.String()
    en = fields.String()
    details = fields.Raw(allow_none=True)


class TransferResultOut(Schema):
    """``status``: posted | pending | voided | expired | exists | failed (then ``error``)."""

    id = fields.String(attribute="transfer_id")
    status = fields.String()
    transfer = fields.Nested(TransferOut, allow_none=True)
    error = fields.Nested(ErrorOut, allow_none=True)


# --- events --------------------------------------------------------------------------------
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
    # the reservation made at assignment (ledger/reservations.py), posted instead of a debit
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


class ReservationMadeEvent(Schema):
    assignment_id = fields.String()
    demand_id = fields.String()
    reservation_id = fields.String()
    minutes = fields.Integer()
    expires_at = fields.DateTime(format="iso")
    repeated = fields.Boolean()


class ReservationRefusedEvent(Schema):
    """``reason``: window_passed, source_account_missing, or the transfer's refusal code
    (e.g. insufficient_balance); the service still happens, paid by the fallback."""

    assignment_id = fields.String()
    demand_id = fields.String()
    reservation_id = fields.String()
    reason = fields.String()
    details = fields.Raw(allow_none=True)


class HoursCreditedEvent(Schema):
    """``minutes``: credited to the volunteer (after rounding and the yearly cap; > 0: no
    event when nothing was credited)."""

    transfer_id = fields.String()
    person_id = fields.String()
    minutes = fields.Integer()
    balance_minutes = fields.Integer()
    kind = fields.String()
    record_id = fields.String()
    demand_id = fields.String()
    recorded_minutes = fields.Integer()
    rounded_minutes = fields.Integer()
    excess_minutes = fields.Integer()
    excess_to = fields.String(allow_none=True)  # pool | refused | null
    funding_source = fields.String()
    paid_from = fields.String()  # the source, or issuance when it could not pay


# --- queries: summary, milestones, reconciliation, statistics (0005) -----------------------
class NextStarOut(Schema):
    level = fields.Integer()
    threshold_hours = fields.Integer()
    minutes_to_go = fields.Integer()
    hours_to_go = fields.Float(metadata={"description": "minutes_to_go / 60, two decimals"})


class MilestoneOut(Schema):
    level = fields.Integer()
    cumulative_minutes = fields.Integer()
    transfer_id = fields.String()
    reached_at = fields.DateTime(format="iso")


class VolunteerSummaryOut(BalanceOut):
    """The balance plus the volunteer record: cumulative service time and star level."""

    service_minutes = fields.Integer(metadata={
        "description": "service credits less their reversals (not gifts or grants)"})
    service_hours = fields.Float(metadata={"description": "service_minutes / 60, two decimals"})
    star_level = fields.Integer(metadata={"description": "0 (none) to 5"})
    star_thresholds_hours = fields.List(fields.Integer())
    next_star = fields.Nested(NextStarOut, allow_none=True)
    milestones = fields.List(fields.Nested(MilestoneOut))


class MilestoneReachedEvent(Schema):
    person_id = fields.String()
    level = fields.Integer()
    cumulative_minutes = fields.Integer()
    transfer_id = fields.String()


class PeriodIn(Schema):
    """A region and a period of China dates, both days included."""

    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)
    period_from = fields.Date(load_default=None, allow_none=True)
    period_to = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _in_order(self, data, **kwargs):
        check_period_order(data)


class ReconcileIn(PeriodIn):
    region_code = fields.String(required=True, validate=REGION_CODE)
    period_from = fields.Date(required=True)
    period_to = fields.Date(required=True)


class ServiceRecordIn(Schema):
    """One of demand's ``service_records`` items (what reconciliation reads)."""

    class Meta:
        unknown = EXCLUDE

    record_id = fields.String(required=True)
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    minutes = fields.Integer(required=True)
    recorded_at = fields.String(load_default=None, allow_none=True)
    region_code = fields.String(required=True)


class MissingCreditOut(Schema):
    record_id = fields.String()
    demand_id = fields.String()
    volunteer_id = fields.String()
    minutes = fields.Integer()
    recorded_at = fields.String(allow_none=True)


class OrphanCreditOut(Schema):
    record_id = fields.String()
    transfer_id = fields.String()
    volunteer_id = fields.String(allow_none=True)
    minutes = fields.Integer()
    reversed_minutes = fields.Integer()


class AmountDifferenceOut(Schema):
    record_id = fields.String()
    transfer_id = fields.String()
    recorded_minutes = fields.Integer()
    credited_minutes = fields.Integer()
    difference = fields.Integer(metadata={"description": "credited - recorded"})
    reason = fields.String(allow_none=True, metadata={"description": "e.g. rounding, when known"})
    explained = fields.Boolean()
    reversed_minutes = fields.Integer()


class ReconcileTotalsOut(Schema):
    records = fields.Integer()
    recorded_minutes = fields.Integer()
    credited_records = fields.Integer()
    credited_minutes = fields.Integer()
    reversed_minutes = fields.Integer()
    records_without_credit = fields.Integer()
    credits_without_record = fields.Integer()
    amount_differences = fields.Integer()


class ReconcileOut(Schema):
    region_code = fields.String()
    period = fields.Dict()
    ok = fields.Boolean()
    records_without_credit = fields.List(fields.Nested(MissingCreditOut))
    credits_without_record = fields.List(fields.Nested(OrphanCreditOut))
    amount_differences = fields.List(fields.Nested(AmountDifferenceOut))
    totals = fields.Nested(ReconcileTotalsOut)


class LedgerFiguresOut(Schema):
    region_code = fields.String()
    name = fields.String(allow_none=True)
    deposited_minutes = fields.Integer(metadata={"description": "service credits"})
    spent_minutes = fields.Integer(metadata={"description": "services paid from own or grant hours"})
    gifted_minutes = fields.Integer()
    donated_minutes = fields.Integer()
    granted_minutes = fields.Integer()
    allocated_minutes = fields.Integer(metadata={"description": "from donation pools"})
    reversed_minutes = fields.Integer()


class LiabilityOut(Schema):
    region_code = fields.String(metadata={"description": "a city-level unit"})
    liability_minutes = fields.Integer(metadata={"description": "hours owed: -issuance balance"})


class PoolOut(Schema):
    region_code = fields.String(metadata={"description": "a city-level unit"})
    balance_minutes = fields.Integer(metadata={"description": "the donation pool's balance"})


class LedgerStatsOut(LedgerFiguresOut):
    period = fields.Dict()
    liability = fields.List(fields.Nested(LiabilityOut))
    liability_minutes = fields.Integer()
    pools = fields.List(fields.Nested(PoolOut), metadata={
        "description": "the donation pool of each city-level unit in the region, as of now"})
    pool_minutes = fields.Integer(metadata={"description": "the pools' balances summed"})
    children = fields.List(fields.Nested(LedgerFiguresOut))


class PriorityGrantedPayload(Schema):
    """identity's ``elder_priority_granted``."""

    class Meta:
        unknown = EXCLUDE

    person_id = fields.String(required=True, validate=PERSON_ID)
    category = fields.String(required=True, validate=validate.Length(min=1, max=40))
    region_code = fields.String(required=True, validate=REGION_CODE)
    verified_by = fields.String(load_default=None, allow_none=True)


# --- policies ------------------------------------------------------------------------------
class PolicyQuery(Schema):
    region_code = fields.String(required=True, validate=REGION_CODE,
                                metadata={"example": "130102000000"})
    on_date = fields.Date(load_default=None, allow_none=True,
                          metadata={"description": "default: today (China time)"})


class AddPolicyIn(Schema):
    """A policy row for a province, city or county, taking effect after today; ``values``
    holds any of grant_minutes, yearly_cap_minutes, cap_excess, rounding_unit_minutes,
    rounding_mode, expiry_months (see ledger/domain/policy.py)."""

    region_code = fields.String(required=True, validate=REGION_CODE)
    effective_from = fields.Date(required=True)
    values = fields.Dict(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class PolicyRowOut(Schema):
    id = fields.Integer()
    region_code = fields.String()
    effective_from = fields.Date()
    values = fields.Dict()
    reason = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime(format="iso")


class PolicyOut(Schema):
    region_code = fields.String()
    on_date = fields.Date()
    values = fields.Dict()  # the values in effect
    sources = fields.Dict()  # value -> the row that set it {region_code, effective_from, id}
    rows = fields.List(fields.Nested(PolicyRowOut))  # every row that applies, oldest first


# --- gifts, donations, allocation, disputes ---------------------------------------------------
GIVING = ("gift_to_relative", "donation")


class TransferBody(Schema):
    """``POST /api/v1/transfers`` (with an ``Idempotency-Key`` header)."""

    kind = fields.String(required=True, validate=validate.OneOf(GIVING))
    to_person_id = fields.String(load_default=None, allow_none=True, validate=PERSON_ID,
                                 metadata={"description": "the relative (gift_to_relative)"})
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100000))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    from_person_id = fields.String(
        load_default=None, allow_none=True, validate=PERSON_ID,
        metadata={"description": "an elder the caller acts for (their proxy); default: the caller"})


class GiveOut(Schema):
    status = fields.String()  # posted | exists
    transfer = fields.Nested(TransferOut)


class AllocateIn(Schema):
    region_code = fields.String(required=True, validate=REGION_CODE,
                                metadata={"description": "a region of the pool's city-level unit"})
    allocation_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    minutes_each = fields.Integer(required=True, strict=True,
                                  validate=validate.Range(min=1, max=100000))
    memo = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class AllocationOut(Schema):
    allocation_id = fields.String()
    pool_region_code = fields.String()
    rule = fields.String()
    repeated = fields.Boolean()
    allocated = fields.List(fields.Dict())  # [{person_id, minutes, transfer_id}] in order
    pool_left_minutes = fields.Integer()


class DisputeOutcomeIn(Schema):
    dispute_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    record_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    outcome = fields.String(required=True,
                            validate=validate.OneOf(("upheld", "minutes_adjusted", "voided")))
    minutes = fields.Integer(load_default=None, allow_none=True, strict=True,
                             validate=validate.Range(min=0))
    approver = fields.String(required=True, validate=PERSON_ID)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class DisputeOutcomeOut(Schema):
    dispute_id = fields.String()
    record_id = fields.String()
    outcome = fields.String()
    reversed_minutes = fields.Integer()
    repeated = fields.Boolean()
    transfers = fields.List(fields.Nested(TransferOut))


class HoursGivenEvent(Schema):
    """``hours_given``: a gift to a direct relative or a donation to the pool was posted
    (once per transfer; notify tells the receiver, or thanks the donor)."""

    transfer_id = fields.String(required=True)
    kind = fields.String(required=True)  # gift_to_relative | donation
    from_person_id = fields.String(required=True)
    to_person_id = fields.String(allow_none=True)
    pool_region_code = fields.String(allow_none=True)
    minutes = fields.Integer(required=True)
    given_by = fields.String(allow_none=True)
