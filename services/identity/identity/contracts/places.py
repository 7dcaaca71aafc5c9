"""Regions (the division tree) and service carriers (服务载体)."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from timebank_common.schemas import PageQuery, SingleLineText

from .common import CONTACT_PHONE, NAME, REGION_CODE, Names
from .vocabulary import CARRIER_KINDS

__all__ = ["CARRIER_KIND", "CarrierListSchema", "CarrierOut", "CarrierPage", "RegionCodeSchema",
           "RegionOut", "RegisterCarrierSchema"]

CARRIER_KIND = validate.OneOf(
    list(CARRIER_KINDS), error="Unknown carrier kind / 未知的服务载体类型: {input}")


class RegionCodeSchema(Schema):
    region_code = fields.Str(required=True, validate=REGION_CODE)


class RegionOut(Schema):
    """A region of the division tree; coordinates may be null."""
    code = fields.Str(required=True)
    name = fields.Str(required=True)
    level = fields.Str(required=True, metadata={
        "description": "province | city | county | township | community"})
    parent_code = fields.Str(required=True, allow_none=True)
    longitude = fields.Float(required=True, allow_none=True)
    latitude = fields.Float(required=True, allow_none=True)


class RegisterCarrierSchema(Schema):
    name = SingleLineText(required=True, validate=validate.Length(min=1, max=200),
                      metadata={"example": "长安区建北街道育才社区学雷锋志愿服务站"})
    kind = fields.Str(required=True, validate=CARRIER_KIND,
                      metadata={"description": "one of " + ", ".join(CARRIER_KINDS)})
    region_code = fields.Str(required=True, validate=REGION_CODE,
                             metadata={"description": "the community/village it serves"})
    address = fields.Str(required=True, validate=validate.Length(min=1, max=500))
    longitude = fields.Float(load_default=None, allow_none=True,
                             validate=validate.Range(min=-180, max=180))
    latitude = fields.Float(load_default=None, allow_none=True,
                            validate=validate.Range(min=-90, max=90))
    contact_name = SingleLineText(required=True, validate=NAME)
    contact_phone = fields.Str(required=True, validate=CONTACT_PHONE)

    @validates_schema
    def both_coordinates_or_none(self, data: dict[str, Any], **kwargs: Any) -> None:
        if (data.get("longitude") is None) != (data.get("latitude") is None):
            raise ValidationError(
                "Give both longitude and latitude, or neither / 经度和纬度须同时填写或都不填",
                "latitude" if data.get("latitude") is None else "longitude")


class CarrierListSchema(PageQuery):
    kind = fields.Str(load_default=None, allow_none=True, validate=CARRIER_KIND)
    region_code = fields.Str(load_default=None, allow_none=True, validate=REGION_CODE,
                             metadata={"description": "only carriers under this region"})


class CarrierOut(Schema):
    """A carrier, for staff: its contact line is shown, it is how the station is reached."""
    carrier_id = fields.Str(required=True)
    name = fields.Str(required=True)
    kind = fields.Str(required=True)
    kind_name = fields.Nested(Names, required=True)
    region_code = fields.Str(required=True)
    address = fields.Str(required=True, allow_none=True)
    longitude = fields.Float(required=True, allow_none=True)
    latitude = fields.Float(required=True, allow_none=True)
    contact_name = fields.Str(required=True, allow_none=True)
    contact_phone = fields.Str(required=True, allow_none=True)
    created_at = fields.Str(required=True, allow_none=True)


class CarrierPage(Schema):
    items = fields.List(fields.Nested(CarrierOut), required=True)
    total = fields.Int(required=True)
    page = fields.Int(required=True)
    page_size = fields.Int(required=True)
