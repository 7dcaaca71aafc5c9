"""Admitting one new demand, shared by submission and recurring series: who may ask for
which elder, and the demand inserted inside a unit of work (category offered, group rule,
no overlapping duplicate for the elder)."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from timebank_common.caller import Caller

from ...adapters import catalogue_repository as catalogue_rows
from ...adapters import demand_repository as repo
from ...adapters.identity import IdentityClient
from ...contracts import DEFAULT_FUNDING, DEMAND_SUBMITTED
from ...domain import access, catalogue, elders, rules
from ...domain.lifecycle import Demand
from .. import payloads


def elder_for(identity: IdentityClient, caller: Caller, channel: str, elder_id: str
              ) -> dict[str, Any]:
    """The elder (identity's ``get_elder``) after checking the caller may submit for them
    on this channel: in the app a proxy relative acts for the elder (``may_act_for``).
    ``acts_for`` in the answer: the caller is the elder's proxy."""
    acts_for = False
    if channel == "app" and caller.person_id and caller.person_id != elder_id:
        acts_for = bool(identity.may_act_for(caller.person_id, elder_id))
    access.authorize_submit(caller, channel, elder_id, acts_for)
    # a proxy may not read the elder's record itself: read it as the elder would
    reader = {"person_id": elder_id, "roles": ["elder"]} if acts_for else caller.to_dict()
    elder = identity.get_elder(reader, elder_id)
    access.authorize_for_elder(caller, elder_id, elder["region_code"], acts_for)
    elders.require_elder(elder)
    return {**elder, "acts_for": acts_for}


def admit_demand(uow, content: dict[str, Any], *, elder_id: str, region_code: str,
                 carrier_id: str | None, submitted_by: str | None, channel: str,
                 now: dt.datetime, funding_source: str = DEFAULT_FUNDING,
                 funding_chosen_by: str | None = None) -> Demand:
    """Insert a ``submitted`` demand and its ``demand_submitted`` event (not committed).
    ``content``: category, description, address, location, window_start/end,
    expected_minutes, volunteers_needed; the payer chosen (``domain/funding.choice``). Raises ``duplicate_demand`` (409) with the id of
    the elder's overlapping demand of the same category."""
    category = catalogue.require_offered(content["category"], catalogue_rows.load_catalogue(uow))
    catalogue.check_group(category, content["volunteers_needed"])
    repo.lock_key(uow, "elder", elder_id)
    rules.refuse_duplicate(content["window_start"], content["window_end"],
                           repo.live_same_category(uow, elder_id, category.code,
                                                   content["window_start"],
                                                   content["window_end"]))
    demand = Demand(
        id=str(uuid.uuid4()), elder_id=elder_id, category=category.code,
        region_code=region_code, window_start=content["window_start"],
        window_end=content["window_end"], expected_minutes=content["expected_minutes"],
        volunteers_needed=content["volunteers_needed"], channel=channel,
        description=content["description"], address=content["address"],
        location=content.get("location"), carrier_id=carrier_id, submitted_by=submitted_by,
        created_at=now, funding_source=funding_source, funding_chosen_by=funding_chosen_by,
    )
    repo.insert_demand(uow, demand)
    uow.emit(DEMAND_SUBMITTED, payloads.demand_facts(demand), demand.region_code)
    return demand
