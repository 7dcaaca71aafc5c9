"""Balances, statements and the volunteer summary (people and staff), and the internal
account RPCs (``open_account``, ``account``)."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from timebank_common.schemas import QUERY_TIMES, PageQuery

from .kinds import ACCOUNT_KINDS, GRANT, PERSONAL, TRANSFER_KINDS
from .values import PERSON_ID, REGION_CODE


class StatementQuery(PageQuery):
    """``GET /api/v1/accounts/{person_id}/statement`` and the ``statement`` RPC: a page of
    entries, ``since`` inclusive, ``until`` exclusive, ``kind`` one transfer kind."""

    since = fields.AwareDateTime(load_default=None, allow_none=True, validate=QUERY_TIMES)
    until = fields.AwareDateTime(load_default=None, allow_none=True, validate=QUERY_TIMES)
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(TRANSFER_KINDS),
                         metadata={"description": "only transfers of this kind"})

    @validates_schema
    def _period(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise ValidationError("since must be before until / 开始时间须早于结束时间", "until")


class BalanceOut(Schema):
    person_id = fields.String(required=True)
    earned_minutes = fields.Integer(required=True)
    grant_minutes = fields.Integer(required=True)
    reserved_minutes = fields.Integer(required=True)
    available_minutes = fields.Integer(required=True)


class StatementItemOut(Schema):
    transfer_id = fields.String(required=True)
    kind = fields.String(required=True)
    account_kind = fields.String(required=True)  # personal | grant: whose balance balance_after is
    amount_minutes = fields.Integer(required=True)  # signed, from this person's point of view
    balance_after = fields.Integer(required=True)
    memo = fields.String(allow_none=True, required=True)
    reference = fields.Dict(required=True)
    occurred_at = fields.DateTime(format="iso", required=True)


class StatementOut(Schema):
    items = fields.List(fields.Nested(StatementItemOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)


class NextStarOut(Schema):
    level = fields.Integer(required=True)
    threshold_hours = fields.Integer(required=True)
    minutes_to_go = fields.Integer(required=True)
    hours_to_go = fields.Float(metadata={"description": "minutes_to_go / 60, two decimals"}, required=True)


class MilestoneOut(Schema):
    level = fields.Integer(required=True)
    cumulative_minutes = fields.Integer(required=True)
    transfer_id = fields.String(required=True)
    reached_at = fields.DateTime(format="iso", required=True)


class VolunteerSummaryOut(BalanceOut):
    """The balance plus the volunteer record: cumulative service time and star level."""

    service_minutes = fields.Integer(metadata={
        "description": "service credits less their reversals (not gifts or grants)"}, required=True)
    service_hours = fields.Float(metadata={"description": "service_minutes / 60, two decimals"}, required=True)
    star_level = fields.Integer(metadata={"description": "0 (none) to 5"}, required=True)
    star_thresholds_hours = fields.List(fields.Integer(), required=True)
    next_star = fields.Nested(NextStarOut, allow_none=True, required=True)
    milestones = fields.List(fields.Nested(MilestoneOut), required=True)


# --- internal: accounts ------------------------------------------------------------------
class OpenAccountIn(Schema):
    """``open_account(kind, region_code, owner_person_id=None)``: personal and grant accounts
    (only) have an owner."""

    kind = fields.String(required=True, validate=validate.OneOf(ACCOUNT_KINDS))
    region_code = fields.String(required=True, validate=REGION_CODE)
    owner_person_id = fields.String(load_default=None, allow_none=True, validate=PERSON_ID)

    @validates_schema
    def _owner(self, data: dict[str, Any], **kwargs: Any) -> None:
        if (data["kind"] in (PERSONAL, GRANT)) != bool(data.get("owner_person_id")):
            raise ValidationError("personal and grant accounts (only) have an owner / "
                                  "个人账户和补贴账户（仅此两类）须有所属人", "owner_person_id")


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
