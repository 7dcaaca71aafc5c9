"""Recording timeliness (及时): the sweep every demand process runs. A service checked out and
not recorded within the region's ``record_within_hours`` is reported to its station
(``recording_overdue``, level ``station``), and to its township once
``township_record_within_hours`` have passed; each level once per assignment, whatever the
number of processes (the assignment rows are taken SKIP LOCKED, and ``recording_overdue``'s
primary key makes a second insert a no-op)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.clock import china_date
from timebank_common.db import UnitOfWorkFactory

from ...adapters import evidence_policy_repository as policies
from ...adapters import recording_overdue_repository as overdue
from ...contracts import RECORDING_OVERDUE
from ...domain import evidence, timeliness

BATCH = 200  # services looked at per transaction
EARLIEST = dt.timedelta(hours=1)  # the smallest limit a policy may set


def report_unrecorded(db: UnitOfWorkFactory, now: dt.datetime) -> list[dict[str, Any]]:
    """Report every service due at a level not reported yet; the payloads emitted."""
    emitted: list[dict[str, Any]] = []
    after: tuple[dt.datetime, str] | None = None
    while True:
        with db() as uow:
            services = overdue.unrecorded(uow, now - EARLIEST, after, BATCH)
            limits_of: dict[tuple[str, dt.date], dict[str, Any]] = {}
            for service in services:
                key = (service["region_code"], china_date(service["checked_out_at"]))
                if key not in limits_of:
                    limits_of[key] = evidence.thresholds_for(
                        policies.policy_rows(uow, key[0]), key[0], key[1])
                for level, due in timeliness.levels_due(service["checked_out_at"], now,
                                                        limits_of[key], service["levels"]):
                    if overdue.report(uow, service, level, due, now):
                        payload = _payload(service, level, due)
                        uow.emit(RECORDING_OVERDUE, payload, service["region_code"])
                        emitted.append(payload)
            uow.commit()
        if len(services) < BATCH:
            return emitted
        after = (services[-1]["checked_out_at"], services[-1]["assignment_id"])


def _payload(service: dict[str, Any], level: str, due: dt.datetime) -> dict[str, Any]:
    return {"demand_id": service["demand_id"], "volunteer_id": service["volunteer_id"],
            "elder_id": service["elder_id"], "region_code": service["region_code"],
            "carrier_id": service["carrier_id"], "checked_out_at": service["checked_out_at"],
            "due_at": due, "level": level}
