"""``reporting``: the service's entrypoints on a rolled-back unit of work, without a broker (its
event handlers, inbox records included, and RPCs, called directly); events as the producers'
outbox relays publish them."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from nameko.testing.services import worker_factory

from reporting.entrypoints.events import BATCHED
from reporting.service import ReportingService

COMMUNITY = "130102001001"  # 育才社区, 长安区, 石家庄
OTHER_CITY = "130202003004"  # 唐山
PROVINCE_ADMIN = {"person_id": "p-province", "roles": ["province_admin"],
                  "scope": "130000000000"}
TOWNSHIP_ADMIN = {"person_id": "p-township", "roles": ["township_admin"],
                  "scope": "130102001000"}


@pytest.fixture
def reporting(uow_factory, clock):
    return worker_factory(ReportingService, db=uow_factory("reporting"), clock=clock,
                          config={"CHECK_CONTRACTS": "strict"})


def feed(reporting, events):
    """Each event to its handler as the broker delivers it (a batch handler takes a list)."""
    batched = {contract.name for contract in BATCHED}
    for event in events:
        handler = getattr(reporting, f"on_{event['event_type']}")
        handler([event] if event["event_type"] in batched else event)


def envelope(event_type, payload, occurred_at: dt.datetime, region=COMMUNITY):
    return {"event_id": str(uuid.uuid4()), "event_type": event_type,
            "occurred_at": occurred_at.isoformat(), "v": 1, "region_code": region,
            "payload": payload}


def recorded(at: dt.datetime, volunteer_id="v1", minutes=60, region=COMMUNITY,
             category="companionship", funding_source="issuance"):
    return envelope("service_recorded", {
        "record_id": str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
        "volunteer_id": volunteer_id, "elder_id": "e1", "minutes": minutes,
        "category": category, "funding_source": funding_source,
        "recorded_at": at.isoformat()}, at, region)


def credited(at: dt.datetime, minutes=60, region=COMMUNITY):
    return envelope("hours_credited", {
        "transfer_id": str(uuid.uuid4()), "person_id": "v1", "minutes": minutes,
        "balance_minutes": minutes, "kind": "service_credit",
        "funding_source": "issuance"}, at, region)
