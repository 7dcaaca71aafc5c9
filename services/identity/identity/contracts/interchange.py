"""What reporting reads of people for the national volunteer system's export (全国志愿服务信息系统):
internal RPCs, asked with reporting's system caller (``timebank_common.caller.system_caller``)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import REGION_CODE

__all__ = ["ID_TYPES", "INTERCHANGE_READERS", "MAX_INTERCHANGE_IDS", "InterchangeExport", "NationalVolunteer", "NationalVolunteers", "RESIDENT_ID_CARD"]

INTERCHANGE_READERS = ("reporting",)
"""The services whose system caller may read people for an interchange export."""

MAX_INTERCHANGE_IDS = 500
"""At most this many ids per call."""

RESIDENT_ID_CARD = "resident_id_card"
ID_TYPES = (RESIDENT_ID_CARD,)
"""The kinds of identity document identity keeps: today only the resident identity card
(居民身份证, GB 11643-1999), the one a person is registered with."""


class InterchangeExport(Schema):
    """Which export the people are read for (written to the audit log)."""
    reference = fields.Str(required=True, validate=validate.Length(1, 64),
                           metadata={"description": "the export's id (its job)"})
    kind = fields.Str(required=True, validate=validate.Length(1, 40),
                      metadata={"example": "national_records"})
    region_code = fields.Str(required=True, validate=REGION_CODE,
                             metadata={"description": "the exported region"})


class NationalVolunteer(Schema):
    """A person as the national system names them: the ID number in full (decrypted here,
    every call audited)."""
    person_id = fields.Str(required=True)
    volunteer_number = fields.Str(required=True, allow_none=True, metadata={
        "description": "the national registry number (志愿者编号); null when not registered"})
    name = fields.Str(required=True)
    id_type = fields.Str(required=True, validate=validate.OneOf(ID_TYPES))
    id_number = fields.Str(required=True)


class NationalVolunteers(Schema):
    items = fields.List(fields.Nested(NationalVolunteer), required=True, metadata={
        "description": "the known persons among those asked for (an unknown id is absent)"})
