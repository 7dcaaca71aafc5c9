"""What notify reads to reach people (internal, no caller)."""
from __future__ import annotations

from marshmallow import fields, validate

from timebank_common.clock import china_date
from timebank_common.schemas import AsciiPattern
from timebank_common.service import rpc

from ..app import contacts
from ..contracts import (
    UUID_TEXT,
    ContactDetails,
    ExpiringQualifications,
    PersonNames,
    PersonStandings,
    PlaceNames,
    StationStaff,
)

PERSON_IDS = {"person_ids": fields.List(fields.Str(validate=validate.Length(1, 64)), required=True,
                                        validate=validate.Length(max=500))}


class ContactEntrypoints:
    @rpc(args=PERSON_IDS, returns=ContactDetails, internal=True)
    def contact_details(self, person_ids):
        """Name, phone (decrypted here, every read audited), phone-only and station of each
        known person id."""
        return {"items": contacts.contact_details(self.db, person_ids)}

    @rpc(args=PERSON_IDS, returns=PersonNames, internal=True)
    def person_names(self, person_ids):
        """Names only (for message texts): nothing sealed is read, nothing audited."""
        return {"names": contacts.person_names(self.db, person_ids)}

    @rpc(args={"region_codes": fields.List(fields.Str(validate=AsciiPattern(r"^[0-9]{12}$")),
                                           load_default=list, validate=validate.Length(max=500)),
               "carrier_ids": fields.List(fields.Str(validate=validate.Length(1, 64)),
                                          load_default=list, validate=validate.Length(max=500))},
         returns=PlaceNames, internal=True)
    def place_names(self, region_codes=(), carrier_ids=()):
        """Names of regions and carriers (public names, nothing audited): reporting's
        monthly reports and commendation lists."""
        return contacts.place_names(self.db, region_codes, carrier_ids)

    @rpc(args=PERSON_IDS, returns=PersonStandings, internal=True)
    def person_standing(self, person_ids):
        """Where each known person belongs now (region, station) and their standing: how
        the other services check a caller's scope over a person and follow a move."""
        return {"items": contacts.person_standing(self.db, person_ids)}

    @rpc(args={"carrier_id": fields.Str(allow_none=True, validate=UUID_TEXT),
               "township_code": fields.Str(allow_none=True,
                                           validate=AsciiPattern(r"^[0-9]{12}$"))},
         returns=StationStaff, internal=True)
    def station_staff(self, carrier_id=None, township_code=None):
        """Active station operators of the carrier, township admins of the township."""
        return {"items": contacts.station_staff(self.db, carrier_id, township_code)}

    @rpc(args={"on_date": fields.Date(allow_none=True),
               "days": fields.Int(strict=True, validate=validate.Range(0, 366))},
         returns=ExpiringQualifications, internal=True)
    def qualifications_expiring(self, on_date=None, days=30):
        """Verified qualifications running out within ``days`` of ``on_date`` (default
        today): notify's daily warning."""
        today = on_date or china_date(self.clock.now())
        return {"items": contacts.qualifications_expiring(self.db, today, days)}
