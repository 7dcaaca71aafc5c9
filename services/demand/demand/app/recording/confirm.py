"""The elder's confirmation: the elder (app), their proxy (app, identity's ``may_act_for``), or
the station in scope (by phone) confirms the demand's records awaiting it; a confirmed, not
held record goes to the ledger. A repeat changes nothing. Confirming closes the station's
``confirmation_overdue`` follow-up of the record."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import Conflict

from ...adapters import demand_repository as repo
from ...adapters import evaluation_repository as evaluations
from ...adapters import recording_repository as records
from ...adapters.identity import IdentityClient
from ...contracts import AWAITING_CONFIRMATION, HELD, RecordOut
from ...domain.recording import APP, PHONE
from ..lookup import demand_id as checked_demand_id
from ..lookup import demand_not_found, require_found, require_reach
from ..visibility import elder_side, require_elder_side_role
from .publish import send_if_ready
from .record import elder_of

CONFIRMATION_CALL = "confirmation_overdue"  # the follow-up kind: call the elder


def confirm(db: UnitOfWorkFactory, caller: Caller, demand_id: Any, data: dict[str, Any],
            now: dt.datetime, identity: IdentityClient) -> list[dict[str, Any]]:
    """Returns the demand's records (one volunteer's, with ``volunteer_id``)."""
    require_elder_side_role(caller)  # before looking the demand up
    demand_id = checked_demand_id(demand_id)
    elder_id = elder_of(db, demand_id)
    side = elder_side(identity, caller, elder_id, demand_not_found(demand_id))
    how, by = (PHONE, data["confirmed_by"]) if side == "station" else (APP, side)
    with db() as uow:
        demand = require_found(repo.get_demand(uow, demand_id, lock=True), demand_id)
        if how == PHONE:
            require_reach(caller, demand.region_code, demand_not_found(demand_id))
        rows = [r for r in records.of_demand(uow, demand_id)
                if data["volunteer_id"] in (None, r["volunteer_id"])]
        if not rows:
            raise Conflict("nothing_to_confirm", "该需求还没有待确认的服务记录",
                           "This demand has no service record to confirm yet",
                           {"demand_id": demand_id})
        for row in rows:
            state = records.state_of(row)
            if row["status"] not in (HELD, AWAITING_CONFIRMATION) or \
                    not state.confirm(how, by, caller.person_id, now, data["note"]):
                continue
            records.save_state(uow, row, state)
            records.audit(uow, row["record_id"], "confirmed", caller.person_id, now,
                          data["note"], {"confirmation": how, "confirmed_by": by})
            evaluations.close_open_about_record(uow, row["record_id"], CONFIRMATION_CALL,
                                                caller.person_id, now, "已确认 Confirmed")
            send_if_ready(uow, demand, row, now)
        uow.commit()
    confirmed: list[dict[str, Any]] = RecordOut(many=True).dump(rows)
    return confirmed
