"""What the notify service reads to reach people (internal RPCs, no caller)."""
from __future__ import annotations

from marshmallow import Schema, fields

from .common import Names

__all__ = ["Contact", "ContactDetails", "ExpiringQualification", "ExpiringQualifications",
           "PersonNames", "PersonStandings", "PlaceNames", "StaffMember", "Standing", "StationStaff"]


class Contact(Schema):
    """How to reach a person: the phone is decrypted at identity's boundary (every read
    audited)."""
    person_id = fields.Str(required=True)
    name = fields.Str(required=True)
    phone = fields.Str(required=True, allow_none=True)
    region_code = fields.Str(required=True)
    phone_only = fields.Bool(required=True, metadata={"description": "an elder without a phone "
                                                                     "of their own"})
    carrier_id = fields.Str(required=True, allow_none=True, metadata={"description": "an elder's "
                                                                                     "station"})
    is_elder = fields.Bool(required=True)
    locale = fields.Str(required=True, metadata={"example": "zh-CN"})


class ContactDetails(Schema):
    items = fields.List(fields.Nested(Contact), required=True, metadata={
        "description": "the known persons among those asked for"})


class PersonNames(Schema):
    names = fields.Dict(keys=fields.Str(), values=fields.Str(), required=True, metadata={
        "description": "person id -> name, for the known persons"})


class PlaceNames(Schema):
    """Names of regions and service carriers (public: nothing personal), for reports."""
    regions = fields.Dict(keys=fields.Str(), values=fields.Str(), required=True, metadata={
        "description": "region code -> name (e.g. 石家庄市), for the known codes"})
    carriers = fields.Dict(keys=fields.Str(), values=fields.Str(), required=True, metadata={
        "description": "carrier id -> name, for the known carriers"})


class StaffMember(Schema):
    person_id = fields.Str(required=True)
    role = fields.Str(required=True, metadata={"description": "station_operator | township_admin"})
    name = fields.Str(required=True)


class StationStaff(Schema):
    items = fields.List(fields.Nested(StaffMember), required=True)


class ExpiringQualification(Schema):
    qualification_id = fields.Str(required=True)
    person_id = fields.Str(required=True)
    kind = fields.Str(required=True)
    kind_name = fields.Nested(Names, required=True)
    valid_until = fields.Str(required=True)
    region_code = fields.Str(required=True)


class ExpiringQualifications(Schema):
    items = fields.List(fields.Nested(ExpiringQualification), required=True)


class Standing(Schema):
    """Where a person belongs now and whether they take part (``PERSON_STATUSES``): the
    region whose staff look after them, their profiles, an elder's station."""
    person_id = fields.Str(required=True)
    region_code = fields.Str(required=True)
    status = fields.Str(required=True, metadata={"description": "active | left | withdrew | "
                                                                "deceased"})
    profiles = fields.List(fields.Str(), required=True, metadata={"description": "elder, "
                                                                                 "volunteer"})
    carrier_id = fields.Str(required=True, allow_none=True, metadata={"description": "an elder's "
                                                                                     "station"})


class PersonStandings(Schema):
    items = fields.List(fields.Nested(Standing), required=True, metadata={
        "description": "the known persons among those asked for (an unknown id is absent)"})
