"""Batch dispatch, proposals and their decision, the region setting and the statistics, on
real PostgreSQL; demand's ``assign`` is a stand-in that records what it was asked."""
import pytest

from timebank_common.errors import BadInput, Conflict, Forbidden

from .conftest import HOME, REGION

OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000"}
ADMIN = {"person_id": "adm-1", "roles": ["county_admin"], "scope": "130102000000"}
ELSEWHERE = {"person_id": "op-2", "roles": ["station_operator"], "scope": "130104001000"}


@pytest.fixture
def demand(deliver, events):
    def publish(starts_in_h=48, **kwargs):
        return deliver(events.published(REGION, starts_in_h=starts_in_h, location=HOME,
                                        on_the_hour=True, **kwargs))["payload"]
    return publish


def test_dispatch_holds_proposals_then_an_operator_approves_or_rejects(matching, volunteers,
                                                                       demand,
                                                                       demand_service):
    for offset in (0.2, 0.4, 0.6):
        volunteers.eligible(offset_km=offset)
    group = demand(starts_in_h=200, needed=2)
    overlapping = demand(starts_in_h=201)
    run = matching.dispatch(OPERATOR, {"region_code": REGION, "auto_apply": False})
    mine = [p for p in run["proposals"]
            if p["demand_id"] in (group["demand_id"], overlapping["demand_id"])]
    by_volunteer = {}
    for p in mine:
        by_volunteer.setdefault(p["volunteer_id"], []).append(p["demand_id"])
    assert all(len(ds) == 1 for ds in by_volunteer.values())  # no overlapping assignments
    assert {p["status"] for p in mine} == {"held"}
    assert len(mine) == 3  # both slots of the group demand and the overlapping one
    assert run["held"] == run["proposed"] == 3 and run["slots"] == 3

    held = matching.proposals(OPERATOR, "held")["items"]
    first, second = mine[0], mine[1]
    assert first["proposal_id"] in {p["proposal_id"] for p in held}
    approved = matching.decide_proposal(OPERATOR, first["proposal_id"], {"decision": "approve"})
    assert approved["status"] == "applied" and approved["decided_by"] == "op-1"
    assert ("op-1", first["demand_id"], first["volunteer_id"]) in demand_service.assigned
    with pytest.raises(Conflict):
        matching.decide_proposal(OPERATOR, first["proposal_id"], {"decision": "reject"})
    rejected = matching.decide_proposal(OPERATOR, second["proposal_id"], {"decision": "reject"})
    assert rejected["status"] == "rejected"
    assert rejected["decided_by"] == OPERATOR["person_id"] and rejected["decided_at"]
    assert ("op-1", second["demand_id"], second["volunteer_id"]) not in demand_service.assigned
    assert {p["status"] for p in matching.proposals(OPERATOR, None)["items"]} == \
        {"held", "applied", "rejected"}
    with pytest.raises(Forbidden):
        matching.dispatch(ELSEWHERE, {"region_code": REGION})
    with pytest.raises(BadInput):
        matching.proposals(OPERATOR, "lost")
    with pytest.raises(BadInput):
        matching.decide_proposal(OPERATOR, first["proposal_id"], {"decision": "maybe"})


def test_auto_apply_region_setting_and_statistics(matching, volunteers, demand):
    volunteers.eligible(offset_km=0.3)
    d = demand(starts_in_h=400)
    matching.candidates_for(OPERATOR, d["demand_id"])  # the first candidate is noted
    with pytest.raises(Forbidden):
        matching.set_dispatch_setting(OPERATOR, REGION, {"auto_apply": True})
    assert matching.set_dispatch_setting(ADMIN, "130102000000", {"auto_apply": True}) == \
        {"region_code": "130102000000", "auto_apply": True}
    run = matching.dispatch(OPERATOR, {"region_code": REGION})
    assert run["auto_apply"] is True
    mine = [p for p in run["proposals"] if p["demand_id"] == d["demand_id"]]
    assert mine and mine[0]["status"] == "applied" and run["applied"] >= 1
    stats = matching.matching_stats(ADMIN, "130102000000")
    assert stats["published"] >= 1 and stats["with_candidate"] >= 1
    assert stats["dispatch"]["proposals"]["applied"] >= 1
    assert stats["time_to_first_candidate_seconds"]["median"] is not None
    with pytest.raises(Forbidden):
        matching.matching_stats(OPERATOR, REGION)


def test_a_proposal_demand_refuses_is_failed_with_its_reason(matching, volunteers, demand,
                                                            demand_service):
    volunteers.eligible(offset_km=0.3)
    d = demand(starts_in_h=300)

    def already_taken(caller, demand_id, volunteer_id):
        raise Conflict("demand_full", "需求已满员", "The demand is full")
    demand_service.assign = already_taken
    run = matching.dispatch(OPERATOR, {"region_code": REGION, "auto_apply": True})
    mine = [p for p in run["proposals"] if p["demand_id"] == d["demand_id"]]
    assert mine and mine[0]["status"] == "failed" and mine[0]["error"] == "demand_full"
    assert run["failed"] >= 1


def announced(db, event_type):
    """The payloads of ``event_type`` this test wrote to matching's outbox (its rows share the
    test transaction's ``now()``), oldest first."""
    from sqlalchemy import text

    with db() as uow:
        return [row["payload"] for row in uow.execute(text(
            "SELECT body FROM outbox WHERE created_at = now() AND event_type = :type"
            " ORDER BY body->>'occurred_at'"), {"type": event_type}).scalars()]


def test_the_first_candidate_a_run_and_decisions_are_announced(matching, volunteers, demand,
                                                               db, clock):
    volunteers.eligible(offset_km=0.3)
    d = demand(starts_in_h=500)
    clock.advance(minutes=5)
    matching.candidates_for(OPERATOR, d["demand_id"])
    matching.candidates_for(OPERATOR, d["demand_id"])  # the first candidate only once
    run = matching.dispatch(OPERATOR, {"region_code": REGION, "auto_apply": False})
    found = [p for p in announced(db, "first_candidate_found")
             if p["demand_id"] == d["demand_id"]]
    assert len(found) == 1  # the run's proposal for it is not a first candidate again
    assert found[0]["region_code"] == REGION and found[0]["seconds_since_publication"] >= 300
    [ran] = [p for p in announced(db, "dispatch_run") if p["run_id"] == run["run_id"]]
    assert (ran["region_code"], ran["proposed"]) == (REGION, run["proposed"])
    first, *rest = run["proposals"]
    matching.decide_proposal(OPERATOR, first["proposal_id"], {"decision": "reject"})
    [decided] = [p for p in announced(db, "proposal_decided")
                 if p["proposal_id"] == first["proposal_id"]]
    assert (decided["status"], decided["run_id"], decided["region_code"]) == (
        "rejected", run["run_id"], REGION)
