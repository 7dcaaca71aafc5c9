"""The ledger's side of the reservation saga (ledger/app/reservations.py) through its own
handlers on a rolled-back database, at a clock the test moves: a release voids the
reservation and stops a late request, a refusal falls back to issuance, a longer service is
paid whole from the source, a record that overtakes its request, and a reservation that times
out. (The handlers wired to the broker: test_reservation_saga.py.)

Every test ends with the invariants holding and exact balances for the elder and volunteer.
"""
import datetime as dt
import uuid

from sqlalchemy import text

from timebank_common.db import make_event

REGION = "130102001001"


def person(person_id):
    return {"person_id": person_id, "roles": ["volunteer"], "scope": None}


class Service:
    """One elder-funded service: ids and the events demand would emit for it."""

    def __init__(self, clock, minutes=60, source="own_hours", expires_in=3600):
        self.assignment_id = str(uuid.uuid4())
        self.reservation_id = f"reservation:{self.assignment_id}"
        self.demand_id = str(uuid.uuid4())
        self.elder = f"elder-{uuid.uuid4().hex[:8]}"
        self.volunteer = f"vol-{uuid.uuid4().hex[:8]}"
        self.minutes, self.source = minutes, source
        self.expires_at = clock.now() + dt.timedelta(seconds=expires_in)

    def requested(self):
        return make_event("reservation_requested", {
            "assignment_id": self.assignment_id, "reservation_id": self.reservation_id,
            "demand_id": self.demand_id, "elder_id": self.elder, "volunteer_id": self.volunteer,
            "volunteer_region_code": REGION, "funding_source": self.source,
            "category": "emotional_comfort", "minutes": self.minutes,
            "expires_at": self.expires_at.isoformat(), "region_code": REGION}, REGION)

    def released(self, reason="withdrawn"):
        return make_event("reservation_released", {
            "assignment_id": self.assignment_id, "reservation_id": self.reservation_id,
            "demand_id": self.demand_id, "reason": reason}, REGION)

    def recorded(self, minutes):
        return make_event("service_recorded", {
            "record_id": str(uuid.uuid4()), "demand_id": self.demand_id,
            "volunteer_id": self.volunteer, "volunteer_region_code": REGION,
            "elder_id": self.elder, "minutes": minutes, "category": "emotional_comfort",
            "funding_source": self.source, "carrier_id": "c", "recorded_by": "op-1",
            "recorded_at": self.expires_at.isoformat(),
            "reservation_id": self.reservation_id}, REGION)


def fund(ledger, elder, minutes, kind="personal"):
    """Give the elder hours to spend (own hours: as if earned; grant: a grant)."""
    issuance = ledger.open_account("issuance", "130100000000")
    account = ledger.open_account(kind, REGION, elder)
    [result] = ledger.create_transfers([{
        "id": f"fund:{elder}", "action": "post",
        "kind": "service_credit" if kind == "personal" else "grant",
        "debit_account_id": issuance["account_id"], "credit_account_id": account["account_id"],
        "amount_minutes": minutes}])
    assert result["status"] == "posted", result


def reservation_rows(ledger_db, reservation_id):
    with ledger_db() as uow:
        return dict(uow.execute(text(
            "SELECT phase, amount_minutes FROM transfers WHERE id = :r OR pending_id = :r"),
            {"r": reservation_id}).all())


def replies(ledger_db, service):
    """The ledger's replies about this service's assignment, as envelopes."""
    from timebank_testing import outbox_events

    return [e for e in outbox_events(ledger_db)
            if e["event_type"] in ("reservation_made", "reservation_refused")
            and e["payload"]["assignment_id"] == service.assignment_id]


def test_release_voids_and_a_late_request_reserves_nothing(ledger, ledger_db, clock,
                                                           consistent):
    s = Service(clock, minutes=60, source="grant")
    fund(ledger, s.elder, 120, kind="grant")
    ledger.on_reservation_requested(s.requested())
    [made] = replies(ledger_db, s)
    assert made["event_type"] == "reservation_made" and made["payload"]["minutes"] == 60
    assert ledger.balance(person(s.elder), s.elder)["reserved_minutes"] == 60
    ledger.on_reservation_released(s.released("withdrawn"))
    assert ledger.balance(person(s.elder), s.elder)["reserved_minutes"] == 0
    assert reservation_rows(ledger_db, s.reservation_id) == {"pending": 60, "void_pending": 60}

    late = Service(clock, minutes=30, source="grant")  # released before it was ever requested
    late.elder = s.elder
    ledger.on_reservation_released(late.released("no_show"))
    with ledger_db() as uow:
        assert uow.execute(text("SELECT reason FROM reservation_closures "
                                "WHERE reservation_id = :r"),
                           {"r": late.reservation_id}).scalar() == "no_show"
    ledger.on_reservation_requested(late.requested())
    assert reservation_rows(ledger_db, late.reservation_id) == {}
    assert replies(ledger_db, late) == []  # nothing reserved, nothing answered
    balance = ledger.balance(person(s.elder), s.elder)
    assert (balance["grant_minutes"], balance["reserved_minutes"]) == (120, 0)
    consistent()


def test_refused_reservation_falls_back_to_issuance(ledger, ledger_db, clock, consistent):
    s = Service(clock, minutes=90)
    fund(ledger, s.elder, 30)  # too few hours
    ledger.on_reservation_requested(s.requested())
    [reply] = replies(ledger_db, s)
    assert reply["event_type"] == "reservation_refused"
    assert reply["payload"]["reason"] == "insufficient_balance"
    ledger.on_service_recorded([s.recorded(90)])
    assert ledger.balance(person(s.volunteer), s.volunteer)["earned_minutes"] == 90
    assert ledger.balance(person(s.elder), s.elder)["earned_minutes"] == 30  # untouched
    statement = ledger.statement(person(s.volunteer), s.volunteer)["items"]
    assert statement[0]["reference"]["paid_from"] == "issuance"
    consistent()


def test_longer_service_than_reserved_is_paid_whole_from_the_source(ledger, ledger_db, clock,
                                                                   consistent):
    s = Service(clock, minutes=60)
    fund(ledger, s.elder, 200)
    ledger.on_reservation_requested(s.requested())
    ledger.on_service_recorded([s.recorded(90)])  # more than reserved: void it, pay all 90
    assert ledger.balance(person(s.volunteer), s.volunteer)["earned_minutes"] == 90
    elder = ledger.balance(person(s.elder), s.elder)
    assert (elder["earned_minutes"], elder["reserved_minutes"]) == (110, 0)
    assert reservation_rows(ledger_db, s.reservation_id) == {"pending": 60, "void_pending": 60}
    consistent()


def test_recorded_before_the_request_arrives(ledger, ledger_db, clock, consistent):
    s = Service(clock, minutes=60)
    fund(ledger, s.elder, 100)
    ledger.on_service_recorded([s.recorded(60)])  # overtook the request (separate queues)
    assert ledger.balance(person(s.volunteer), s.volunteer)["earned_minutes"] == 60
    ledger.on_reservation_requested(s.requested())
    assert reservation_rows(ledger_db, s.reservation_id) == {}
    elder = ledger.balance(person(s.elder), s.elder)
    assert (elder["earned_minutes"], elder["reserved_minutes"]) == (40, 0)
    consistent()


def test_reservation_times_out(ledger, ledger_db, clock, consistent):
    s = Service(clock, minutes=60, expires_in=2)
    fund(ledger, s.elder, 100)
    ledger.on_reservation_requested(s.requested())
    assert ledger.balance(person(s.elder), s.elder)["reserved_minutes"] == 60
    ledger.sweep_expired_pending()  # not yet
    assert ledger.balance(person(s.elder), s.elder)["reserved_minutes"] == 60
    clock.advance(seconds=2)
    ledger.sweep_expired_pending()  # the timer's sweep
    assert ledger.balance(person(s.elder), s.elder)["reserved_minutes"] == 0
    assert reservation_rows(ledger_db, s.reservation_id) == {"pending": 60, "expired": 60}
    consistent()


def test_the_internal_rpc_expires_what_timed_out(ledger, ledger_db, clock, consistent):
    s = Service(clock, minutes=30, expires_in=60)
    fund(ledger, s.elder, 100)
    ledger.on_reservation_requested(s.requested())
    clock.advance(seconds=60)
    assert ledger.expire_pending(limit=8190)["expired"] >= 1  # and others' that timed out
    assert reservation_rows(ledger_db, s.reservation_id) == {"pending": 30, "expired": 30}
    assert ledger.expire_pending()["expired"] == 0  # nothing left
    consistent()


def test_a_request_whose_window_has_passed_reserves_nothing(ledger, ledger_db, clock):
    s = Service(clock, minutes=60, expires_in=0)
    fund(ledger, s.elder, 100)
    ledger.on_reservation_requested(s.requested())
    [reply] = replies(ledger_db, s)
    assert (reply["event_type"], reply["payload"]["reason"]) == ("reservation_refused",
                                                                 "window_passed")
    assert reservation_rows(ledger_db, s.reservation_id) == {}
