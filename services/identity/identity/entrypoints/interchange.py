"""What reporting reads for the national volunteer system's export (internal RPCs)."""
from __future__ import annotations

from marshmallow import fields, validate

from timebank_common.service import rpc

from ..app import interchange
from ..contracts import (
    MAX_INTERCHANGE_IDS,
    InterchangeExport,
    NationalVolunteers,
)

IDS = fields.List(fields.Str(validate=validate.Length(1, 64)), required=True,
                  validate=validate.Length(max=MAX_INTERCHANGE_IDS))


class InterchangeEntrypoints:
    @rpc(args={"person_ids": IDS, "export": InterchangeExport}, returns=NationalVolunteers,
         internal=True)
    def national_volunteers(self, caller, person_ids, export):
        """Volunteer number, name, ID type and number of up to 500 persons, for an export to
        the national volunteer system: reporting's system caller only; every call audited."""
        return {"items": interchange.national_volunteers(self.db, caller, person_ids, export)}
