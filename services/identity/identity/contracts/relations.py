"""Priority elders' hardship categories, direct relatives and elders' proxies, and the review
(four-eyes) that decides the first two."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank_common.schemas import UuidText

from .common import EVIDENCE, REASON, Names, ReviewFields
from .people import ProxyOut
from .vocabulary import HARDSHIP_CATEGORIES, RELATION_KINDS, REVIEW_DECISIONS

__all__ = ["AdvancedAgeGrants", "DirectRelatives", "ElderProxies", "LinkOut", "LinkRelativesSchema", "PriorityElder",
           "PriorityOut", "RelationsQuerySchema", "RelativesList", "ReviewSchema",
           "RevokePrioritySchema", "SetElderProxySchema", "SubmitPrioritySchema"]


class ReviewSchema(Schema):
    decision = fields.Str(required=True, validate=validate.OneOf(
        list(REVIEW_DECISIONS),
        error="The decision is verify or reject / 审核结论应为 verify 或 reject"))
    reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500),
                        metadata={"description": "required when rejecting"})


# -- priority elders (优先/困难老人) ------------------------------------------------------------------
class SubmitPrioritySchema(Schema):
    category = fields.Str(required=True, validate=validate.OneOf(
        list(HARDSHIP_CATEGORIES), error="Unknown hardship category / 未知的困难类别: {input}"),
        metadata={"description": "one of " + ", ".join(HARDSHIP_CATEGORIES)
                  + " (advanced_age is derived from the birth date and refused)"})
    evidence = fields.Str(required=True, validate=EVIDENCE,
                          metadata={"example": "低保证编号 130102-2026-0031"})


class RevokePrioritySchema(Schema):
    reason = fields.Str(required=True, validate=REASON, metadata={
        "example": "家庭收入已超过低保标准（2026年复核）"})


class AdvancedAgeGrants(Schema):
    granted = fields.Int(required=True, metadata={"description": "elders granted 高龄 now"})
    born_on_or_before = fields.Str(required=True, metadata={
        "description": "ISO date: elders born then or before are 80 or older today"})


class PriorityOut(ReviewFields):
    """A hardship category record of an elder (for staff: the evidence is shown)."""
    person_id = fields.Str(required=True)
    category = fields.Str(required=True)
    category_name = fields.Nested(Names, required=True)


class PriorityElder(Schema):
    """A priority elder of a region (the ledger's pool allocation): no name, number or phone."""
    person_id = fields.Str(required=True)
    region_code = fields.Str(required=True)
    categories = fields.List(fields.Str(), required=True)
    birth_date = fields.Str(required=True)
    phone_only = fields.Bool(required=True)


# -- direct relatives (直系亲属) ----------------------------------------------------------------------
class LinkRelativesSchema(Schema):
    person_id = fields.UUID(required=True)
    relative_person_id = fields.UUID(required=True, metadata={
        "description": "the relative: relative_person_id is person_id's <kind>"})
    kind = fields.Str(required=True, validate=validate.OneOf(
        list(RELATION_KINDS), error="Unknown kind of relation / 未知的亲属关系: {input}"),
        metadata={"description": "one of " + ", ".join(RELATION_KINDS)})
    evidence = fields.Str(required=True, validate=EVIDENCE,
                          metadata={"example": "户口簿 户号 130102000123"})


class RelationsQuerySchema(Schema):
    person_id = UuidText(required=True)


class LinkOut(ReviewFields):
    """A relative link as seen from ``person_id``: ``kind`` is what the relative is to them."""
    link_id = fields.Str(required=True)
    person_id = fields.Str(required=True)
    relative_person_id = fields.Str(required=True)
    relative_name = fields.Str(required=True, allow_none=True)
    kind = fields.Str(required=True)
    kind_name = fields.Nested(Names, required=True)


class RelativesList(Schema):
    person_id = fields.Str(required=True)
    items = fields.List(fields.Nested(LinkOut), required=True)


class DirectRelatives(Schema):
    """``kind``: what person_b is to person_a (verified links only)."""
    related = fields.Bool(required=True)
    kind = fields.Str(required=True, allow_none=True)


# -- elders' proxies (代理人) -----------------------------------------------------------------------
class SetElderProxySchema(Schema):
    proxy_person_id = fields.UUID(required=True, metadata={
        "description": "a verified direct relative of the elder"})
    note = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500),
                      metadata={"example": "女儿，代为预约上门服务"})


class ElderProxies(Schema):
    elder_id = fields.Str(required=True)
    proxies = fields.List(fields.Nested(ProxyOut), required=True)
