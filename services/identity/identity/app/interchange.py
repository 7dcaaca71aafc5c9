"""What reporting reads for the national volunteer system's export (全国志愿服务信息系统):

* ``national_volunteers``: volunteer number, name, ID type and ID number (decrypted here, at
  identity's boundary) of up to ``MAX_INTERCHANGE_IDS`` persons — volunteers only. Only the system caller of
  reporting may ask (403 ``service_only``); **every call** writes one audit entry (action
  ``read_for_interchange``, target the export, region the exported region) saying which
  fields, how many persons were asked and found, and which persons.

Recorders' (operators') names are ``person_names`` and stations' ``place_names``
(``app/contacts.py``).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory

from ..adapters import interchange
from ..adapters.rows import as_uuid
from ..contracts import INTERCHANGE_READERS, RESIDENT_ID_CARD
from . import audit

READ_FIELDS = ["volunteer_number", "name", "id_type", "id_number"]


def national_volunteers(db: UnitOfWorkFactory, caller: Caller, person_ids: Iterable[str],
                        export: Mapping[str, Any]) -> list[dict[str, Any]]:
    caller.require_service(*INTERCHANGE_READERS)
    asked = list(dict.fromkeys(person_ids))
    ids = [pid for pid in (as_uuid(p) for p in asked) if pid]
    with db() as uow:
        people = interchange.people_for_export(uow, ids)
        audit.record(uow, caller, "read_for_interchange", "export", export["reference"],
                     export["region_code"], after={
                         "fields": READ_FIELDS, "for": export["kind"], "asked": len(asked),
                         "found": len(people), "person_ids": [str(p["id"]) for p in people]})
        uow.commit()
    return [{"person_id": str(p["id"]), "volunteer_number": p["volunteer_number"],
             "name": p["name"], "id_type": RESIDENT_ID_CARD, "id_number": p["id_number"]}
            for p in people]
