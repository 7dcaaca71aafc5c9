"""Submitting a demand on any channel: ``phone``/``station`` (an operator for an elder in
scope), ``app`` (the elder, or their proxy relative), ``api`` (a municipal client). The payer
is chosen here (``domain/funding.py``): issuance when nobody chooses."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory

from ...adapters.identity import IdentityClient
from ...contracts import NOT_OFFERED
from ...domain import catalogue, funding, rules
from ..views import demand_view
from .admission import admit_demand, elder_for


def submit(db: UnitOfWorkFactory, caller: Caller, data: dict[str, Any], now: dt.datetime,
           identity: IdentityClient) -> dict[str, Any]:
    rules.validate_new_demand(data["window_start"], data["window_end"],
                              data["expected_minutes"], data["volunteers_needed"], now)
    if data["category"] in NOT_OFFERED:
        catalogue.require_offered(data["category"], {})
    elder = elder_for(identity, caller, data["channel"], data["elder_id"])
    source, chosen_by = funding.choice(data.get("funding_source"), caller, data["channel"],
                                       elder["acts_for"])
    with db() as uow:
        demand = admit_demand(
            uow, data, elder_id=data["elder_id"], region_code=elder["region_code"],
            carrier_id=elder.get("carrier_id") or caller.carrier_id,
            submitted_by=caller.person_id or caller.client_id, channel=data["channel"],
            now=now, funding_source=source, funding_chosen_by=chosen_by)
        uow.commit()
    return demand_view(demand)
