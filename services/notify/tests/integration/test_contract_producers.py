"""Contracts with the services whose events notify consumes.

* Field names (no I/O): every field notify's schema for an event reads is one the producer's
  own schema puts in that event — a field renamed or dropped on either side fails here, for
  every event notify consumes (tests/e2e/test_notify_journey.py then drives the real flows).
* ``milestone_reached`` needs 100 hours of service, too many for the end-to-end test: here
  demand's ``service_recorded`` (built with demand's schema) goes to the REAL ledger
  (star thresholds at 1, 2, 3 hours), whose own code credits it and emits ``hours_credited``
  and ``milestone_reached``; the REAL notify turns them into the volunteer's messages.
"""
import datetime as dt
import inspect
import uuid
from functools import partial

import pytest
from timebank_testing import wait_for as shared_wait_for

from demand import contracts as demand_contracts
from identity import contracts as identity_schemas
from ledger.contracts import events as ledger_certificates
from ledger.contracts import events as ledger_schemas
from ledger.service import LedgerService
from notify.entrypoints import consumed as notify_schemas
from notify.service import NotifyService
from timebank_common.db import make_event

from .conftest import identity_fake

# (source service, event type, the producer's schema, notify's schema)
CONSUMED = [
    ("demand", "demand_published", demand_contracts.DemandPublishedEvent,
     notify_schemas.DemandPublishedEvent),
    ("demand", "demand_assigned", demand_contracts.DemandAssignedEvent,
     notify_schemas.DemandAssignedEvent),
    ("demand", "demand_cancelled", demand_contracts.DemandCancelledEvent,
     notify_schemas.DemandCancelledEvent),
    ("demand", "service_recorded", demand_contracts.ServiceRecordedEvent,
     notify_schemas.ServiceRecordedEvent),
    ("demand", "demand_review_overdue", demand_contracts.DemandReviewOverdueEvent,
     notify_schemas.ReviewOverdueEvent),
    ("demand", "dispute_opened", demand_contracts.DisputeOpenedEvent,
     notify_schemas.DisputeOpenedEvent),
    ("demand", "dispute_resolved", demand_contracts.DisputeResolvedEvent,
     notify_schemas.DisputeResolvedEvent),
    ("demand", "follow_up_opened", demand_contracts.FollowUpOpenedEvent,
     notify_schemas.FollowUpOpenedEvent),
    ("demand", "record_confirmation_overdue", demand_contracts.ConfirmationOverdueEvent,
     notify_schemas.ConfirmationOverdueEvent),
    ("demand", "assignment_withdrawn", demand_contracts.AssignmentWithdrawnEvent,
     notify_schemas.AssignmentWithdrawnEvent),
    ("demand", "assignment_no_show", demand_contracts.AssignmentNoShowEvent,
     notify_schemas.AssignmentNoShowEvent),
    ("ledger", "hours_credited", ledger_schemas.HoursCreditedEvent,
     notify_schemas.HoursCreditedEvent),
    ("ledger", "hours_given", ledger_schemas.HoursGivenEvent, notify_schemas.HoursGivenEvent),
    ("ledger", "milestone_reached", ledger_schemas.MilestoneReachedEvent,
     notify_schemas.MilestoneReachedEvent),
    ("ledger", "certificate_issued", ledger_certificates.CertificateIssuedEvent,
     notify_schemas.CertificateIssuedEvent),
    ("identity", "volunteer_eligible", identity_schemas.VolunteerEligiblePayload,
     notify_schemas.VolunteerEligibleEvent),
    ("identity", "volunteer_suspended", identity_schemas.VolunteerSuspendedPayload,
     notify_schemas.VolunteerSuspendedEvent),
]


def _keys(schema_class) -> set[str]:
    """The keys a schema puts in (dump) or reads from (load) a payload."""
    return {field.data_key or name for name, field in schema_class().fields.items()}


def _handled() -> set[tuple[str, str]]:
    """(source service, event type) of every event handler of the notify service."""
    found = set()
    for _, attribute in inspect.getmembers(NotifyService, inspect.isfunction):
        for entrypoint in getattr(attribute, "nameko_entrypoints", ()):
            if hasattr(entrypoint, "source_service") and hasattr(entrypoint, "event_type"):
                found.add((entrypoint.source_service, entrypoint.event_type))
    return found


def test_every_consumed_event_has_a_contract_here():
    assert _handled() == {(source, kind) for source, kind, _, _ in CONSUMED}


@pytest.mark.parametrize("source,kind,produced,consumed", CONSUMED,
                         ids=[f"{s}.{k}" for s, k, _, _ in CONSUMED])
def test_notify_reads_only_fields_the_producer_sends(source, kind, produced, consumed):
    missing = _keys(consumed) - _keys(produced)
    assert not missing, f"notify reads {sorted(missing)} that {source} never puts in {kind}"


# --- milestone_reached: demand -> the real ledger -> the real notify -------------------------
REGION = "130102001001"
wait_for = partial(shared_wait_for, timeout=20.0)


@pytest.fixture(scope="module")
def identity():
    return identity_fake()


@pytest.fixture(scope="module")
def ledger_and_notify(identity, service_config, start_module_service, notify_config):
    start_module_service(identity.service_class(), service_config(None))
    start_module_service(LedgerService, service_config(  # queue arguments as ledger's tests
        "ledger", max_workers=20, STAR_THRESHOLDS_HOURS=[1, 2, 3], EVENT_DELIVERY_LIMIT=2))
    start_module_service(NotifyService, notify_config)


def test_a_service_crossing_a_star_level_tells_the_volunteer(ledger_and_notify, identity, rpc,
                                                            event_bus):
    volunteer = identity.add_volunteer(name="李明", region_code=REGION)  # no phone
    caller = {"person_id": volunteer, "roles": ["volunteer"], "scope": REGION}
    record = demand_contracts.ServiceRecordedEvent().dump({
        "record_id": str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
        "volunteer_id": volunteer, "volunteer_region_code": REGION,
        "elder_id": str(uuid.uuid4()), "minutes": 75, "category": "emotional_comfort",
        "funding_source": "issuance", "carrier_id": None, "recorded_by": "op-1",
        "recorded_at": dt.datetime.now(dt.UTC), "reservation_id": None})
    event_bus.publish("demand", make_event("service_recorded", record, REGION))

    with rpc("notify") as notify:
        box = wait_for(lambda: (items := notify.inbox(caller, {})["items"])
                       and {m["kind"] for m in items} >= {"hours_credited", "milestone_reached"}
                       and items)
    kinds = {m["kind"]: m for m in box}
    star = kinds["milestone_reached"]
    assert star["title"] == "恭喜成为1星志愿者"
    assert star["body"] == "您的累计服务时长已达 1小时15分，成为1星志愿者。感谢您的付出！"
    assert star["data"]["level"] == 1 and star["data"]["transfer_id"]
    assert kinds["hours_credited"]["data"]["record_id"] == record["record_id"]
