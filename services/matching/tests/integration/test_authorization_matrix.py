"""The authorization matrix of matching: every RPC that acts for a caller × every role of
DESIGN.md §4 × a target inside and outside the caller's scope, allow or the exact refusal.

An id outside the caller's scope is answered exactly as an id nobody has (404 with the same
code), so a refusal never tells that a volunteer, demand or proposal exists elsewhere; a
region outside the scope is ``out_of_scope`` (regions are no secret). Role refusals come
first, whatever the target.

Callers are built the way the gateway passes them. Targets:

- ``self``: the caller's own person (for a volunteer, themselves: eligible, with a home);
- ``in_scope``: a volunteer, open demand, held proposal or region in 育才社区
  (130102001001), inside every caller's scope;
- ``other_city``: the same in 唐山市路南区 (130202001001);
- ``other_province``: a Beijing region (110101001001), outside even the province's scope;
- ``missing``: an id nobody has.

Each cell runs on its own rolled-back unit of work, the world announced as identity's and
demand's events (and the volunteers' own preferences) at the start of the cell.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from timebank_testing.authorization import (
    ALLOW,
    NA,
    ROLE_REQUIRED,
    assert_answers_alike,
    assert_rows_complete,
    caller_taking_rpcs,
    matrix_cells,
    outcome,
)

from timebank_common.errors import Forbidden, NotFound

from .conftest import HOME, REGION

PROVINCE, SHIJIAZHUANG, CHANG_AN, TOWNSHIP = ("130000000000", "130100000000",
                                             "130102000000", "130102001000")
TANGSHAN = "130202001001"
TS_HOME = (39.630, 118.180)
BEIJING = "110101001001"

SCOPES = {
    "province_admin": PROVINCE,
    "city_admin": SHIJIAZHUANG,
    "county_admin": CHANG_AN,
    "township_admin": TOWNSHIP,
    "station_operator": TOWNSHIP,
    "auditor": SHIJIAZHUANG,
    "volunteer": REGION,
    "elder": REGION,
    "relative": REGION,
    "api_client": SHIJIAZHUANG,
}
ROLES = tuple(SCOPES)

# -- outcomes ------------------------------------------------------------------------------
ROLE = ROLE_REQUIRED
SCOPE = (Forbidden, "out_of_scope")
NO_VOLUNTEER = (NotFound, "volunteer_not_found")
NO_DEMAND = (NotFound, "open_demand_not_found")
NO_PROPOSAL = (NotFound, "proposal_not_found")
PREFS = (Forbidden, "preferences_not_yours")
FEED = (Forbidden, "feed_not_yours")

_ = NO_VOLUNTEER
# rpc -> (targets, {role: outcome per target})
MATRIX = {
    "get_preferences": (
        ("self", "in_scope", "other_city", "missing"), {
            "province_admin": (_, ALLOW, ALLOW, _),
            "city_admin": (_, ALLOW, _, _),
            "county_admin": (_, ALLOW, _, _),
            "township_admin": (_, ALLOW, _, _),
            "station_operator": (_, ALLOW, _, _),
            "auditor": (_, ALLOW, _, _),
            "volunteer": (ALLOW, PREFS, PREFS, PREFS),
            "elder": (PREFS, PREFS, PREFS, PREFS),
            "relative": (PREFS, PREFS, PREFS, PREFS),
            "api_client": (NA, PREFS, PREFS, PREFS),
        }),
    "set_preferences": (
        ("self", "in_scope", "other_city", "missing"), {
            "province_admin": (_, ALLOW, ALLOW, _),
            "city_admin": (_, ALLOW, _, _),
            "county_admin": (_, ALLOW, _, _),
            "township_admin": (_, ALLOW, _, _),
            "station_operator": (_, ALLOW, _, _),
            "auditor": (PREFS, PREFS, PREFS, PREFS),  # reads only
            "volunteer": (ALLOW, PREFS, PREFS, PREFS),
            "elder": (PREFS, PREFS, PREFS, PREFS),
            "relative": (PREFS, PREFS, PREFS, PREFS),
            "api_client": (NA, PREFS, PREFS, PREFS),
        }),
    "feed_for": (
        ("self", "in_scope", "other_city", "missing"), {
            "province_admin": (_, ALLOW, ALLOW, _),
            "city_admin": (_, ALLOW, _, _),
            "county_admin": (_, ALLOW, _, _),
            "township_admin": (_, ALLOW, _, _),
            "station_operator": (_, ALLOW, _, _),
            "auditor": (_, ALLOW, _, _),
            "volunteer": (ALLOW, FEED, FEED, FEED),
            "elder": (FEED, FEED, FEED, FEED),
            "relative": (FEED, FEED, FEED, FEED),
            "api_client": (NA, FEED, FEED, FEED),
        }),
    "candidates_for": (
        ("in_scope", "other_city", "missing"), {
            "province_admin": (ALLOW, ALLOW, NO_DEMAND),
            "city_admin": (ALLOW, NO_DEMAND, NO_DEMAND),
            "county_admin": (ALLOW, NO_DEMAND, NO_DEMAND),
            "township_admin": (ALLOW, NO_DEMAND, NO_DEMAND),
            "station_operator": (ALLOW, NO_DEMAND, NO_DEMAND),
            "auditor": (ROLE, ROLE, ROLE),
            "volunteer": (ROLE, ROLE, ROLE),
            "elder": (ROLE, ROLE, ROLE),
            "relative": (ROLE, ROLE, ROLE),
            "api_client": (ROLE, ROLE, ROLE),
        }),
    "dispatch": (
        ("in_scope", "other_city", "other_province"), {
            "province_admin": (ALLOW, ALLOW, SCOPE),
            "city_admin": (ALLOW, SCOPE, SCOPE),
            "county_admin": (ALLOW, SCOPE, SCOPE),
            "township_admin": (ALLOW, SCOPE, SCOPE),
            "station_operator": (ALLOW, SCOPE, SCOPE),
            "auditor": (ROLE, ROLE, ROLE),
            "volunteer": (ROLE, ROLE, ROLE),
            "elder": (ROLE, ROLE, ROLE),
            "relative": (ROLE, ROLE, ROLE),
            "api_client": (ROLE, ROLE, ROLE),
        }),
    "proposals": (  # the target: the caller's own scope (only its proposals are listed)
        ("own_scope",), {
            **{role: (ALLOW,) for role in ("province_admin", "city_admin", "county_admin",
                                           "township_admin", "station_operator", "auditor")},
            "volunteer": (ROLE,), "elder": (ROLE,), "relative": (ROLE,), "api_client": (ROLE,),
        }),
    "decide_proposal": (
        ("in_scope", "other_city", "missing"), {
            "province_admin": (ALLOW, ALLOW, NO_PROPOSAL),
            "city_admin": (ALLOW, NO_PROPOSAL, NO_PROPOSAL),
            "county_admin": (ALLOW, NO_PROPOSAL, NO_PROPOSAL),
            "township_admin": (ALLOW, NO_PROPOSAL, NO_PROPOSAL),
            "station_operator": (ALLOW, NO_PROPOSAL, NO_PROPOSAL),
            "auditor": (ROLE, ROLE, ROLE),
            "volunteer": (ROLE, ROLE, ROLE),
            "elder": (ROLE, ROLE, ROLE),
            "relative": (ROLE, ROLE, ROLE),
            "api_client": (ROLE, ROLE, ROLE),
        }),
    "set_dispatch_setting": (
        ("in_scope", "other_city", "other_province"), {
            "province_admin": (ALLOW, ALLOW, SCOPE),
            "city_admin": (ALLOW, SCOPE, SCOPE),
            "county_admin": (ALLOW, SCOPE, SCOPE),
            "township_admin": (ALLOW, SCOPE, SCOPE),
            "station_operator": (ROLE, ROLE, ROLE),
            "auditor": (ROLE, ROLE, ROLE),
            "volunteer": (ROLE, ROLE, ROLE),
            "elder": (ROLE, ROLE, ROLE),
            "relative": (ROLE, ROLE, ROLE),
            "api_client": (ROLE, ROLE, ROLE),
        }),
    "matching_stats": (
        ("in_scope", "other_city", "other_province"), {
            "province_admin": (ALLOW, ALLOW, SCOPE),
            "city_admin": (ALLOW, SCOPE, SCOPE),
            "county_admin": (ALLOW, SCOPE, SCOPE),
            "township_admin": (ALLOW, SCOPE, SCOPE),
            "station_operator": (ROLE, ROLE, ROLE),
            "auditor": (ALLOW, SCOPE, SCOPE),
            "volunteer": (ROLE, ROLE, ROLE),
            "elder": (ROLE, ROLE, ROLE),
            "relative": (ROLE, ROLE, ROLE),
            "api_client": (ALLOW, SCOPE, SCOPE),
        }),
}


def test_the_matrix_covers_every_rpc_that_acts_for_a_caller():
    """A new caller-taking RPC without a row fails here (internal RPCs take no caller)."""
    from matching.service import MatchingService  # noqa: PLC0415

    assert set(MATRIX) == caller_taking_rpcs(MatchingService)
    assert_rows_complete(MATRIX, ROLES)


# -- the world -------------------------------------------------------------------------------
@dataclass
class World:
    self_volunteer: str
    volunteers: dict[str, str]  # target -> volunteer id
    demands: dict[str, str]  # target -> demand id
    proposals: dict[str, str]  # target -> held proposal id


def _eligible(matching, deliver, events, region, home) -> str:
    pid = f"v-{uuid.uuid4().hex[:8]}"
    deliver(events("volunteer_eligible", {"person_id": pid, "region_code": region,
                                          "qualifications": []}, region))
    matching.set_preferences({"person_id": pid, "roles": ["volunteer"], "scope": region}, pid,
                             {"home": {"lat": home[0], "lng": home[1]}, "radius_km": 5})
    return pid


@pytest.fixture
def world(matching, deliver, events):
    volunteers = {"in_scope": _eligible(matching, deliver, events, REGION, HOME),
                  "other_city": _eligible(matching, deliver, events, TANGSHAN, TS_HOME),
                  "missing": f"v-missing-{uuid.uuid4().hex[:6]}"}
    demands, proposals = {"missing": str(uuid.uuid4())}, {"missing": str(uuid.uuid4())}
    admin = {"person_id": "adm-hb", "roles": ["province_admin"], "scope": PROVINCE}
    for target, region, home in (("in_scope", REGION, HOME),
                                 ("other_city", TANGSHAN, TS_HOME)):
        demands[target] = deliver(events.published(region, location=home))["payload"][
            "demand_id"]
        run = matching.dispatch(admin, {"region_code": region, "auto_apply": False})
        [proposals[target]] = [p["proposal_id"] for p in run["proposals"]
                               if p["demand_id"] == demands[target]]
    return World(_eligible(matching, deliver, events, REGION, HOME), volunteers, demands,
                 proposals)


def caller_of(role: str, w: World) -> dict:
    person = {"volunteer": w.self_volunteer, "api_client": None}.get(role, f"{role}-1")
    caller = {"person_id": person, "roles": [role], "scope": SCOPES[role]}
    if role == "api_client":
        caller["client_id"] = "client-sjz"
    return caller


def _volunteer(w: World, caller, target):
    return caller["person_id"] if target == "self" else w.volunteers[target]


REGIONS = {"in_scope": REGION, "other_city": TANGSHAN, "other_province": BEIJING}


# -- the cells: each calls the RPC and checks what an allowed caller gets ---------------------
def _get_preferences(matching, w, caller, target):
    vid = _volunteer(w, caller, target)
    assert matching.get_preferences(caller, vid)["volunteer_id"] == vid


def _set_preferences(matching, w, caller, target):
    vid = _volunteer(w, caller, target)
    home = {"lat": 38.05, "lng": 114.52}
    assert matching.set_preferences(caller, vid, {"home": home, "radius_km": 4})["home"] == home


def _feed_for(matching, w, caller, target):
    items = matching.feed_for(caller, _volunteer(w, caller, target))["items"]
    ids = {i["demand_id"] for i in items}
    assert w.demands["in_scope"] in ids or w.demands["other_city"] in ids


def _candidates_for(matching, w, caller, target):
    found = matching.candidates_for(caller, w.demands[target])
    assert found["demand_id"] == w.demands[target] and found["items"]


def _dispatch(matching, w, caller, target):
    run = matching.dispatch(caller, {"region_code": REGIONS[target], "auto_apply": False})
    assert run["region_code"] == REGIONS[target]


def _proposals(matching, w, caller, target):
    listed = {p["proposal_id"] for p in matching.proposals(caller, "held")["items"]}
    assert w.proposals["in_scope"] in listed
    sees_tangshan = caller["scope"] == PROVINCE
    assert (w.proposals["other_city"] in listed) == sees_tangshan


def _decide_proposal(matching, w, caller, target):
    decided = matching.decide_proposal(caller, w.proposals[target], {"decision": "reject"})
    assert decided["status"] == "rejected"


def _set_dispatch_setting(matching, w, caller, target):
    setting = matching.set_dispatch_setting(caller, REGIONS[target], {"auto_apply": True})
    assert setting == {"region_code": REGIONS[target], "auto_apply": True}


def _matching_stats(matching, w, caller, target):
    assert matching.matching_stats(caller, REGIONS[target])["region_code"] == REGIONS[target]


@pytest.mark.parametrize(("rpc", "role", "target", "expected"), matrix_cells(MATRIX, ROLES))
def test_cell(matching, world, rpc, role, target, expected):
    caller = caller_of(role, world)
    call = globals()[f"_{rpc}"]
    assert outcome(lambda: call(matching, world, caller, target)) == expected


def test_an_id_outside_the_scope_answers_exactly_as_one_nobody_has(matching, world):
    """Not only the code: the whole answer but the id it names."""
    city = caller_of("city_admin", world)
    for rpc, ids in (("get_preferences", world.volunteers), ("feed_for", world.volunteers),
                     ("candidates_for", world.demands)):
        ask = getattr(matching, rpc)
        assert_answers_alike(lambda: ask(city, ids["other_city"]),  # noqa: B023
                             lambda: ask(city, ids["missing"]))  # noqa: B023

    def decide(target):
        return matching.decide_proposal(city, world.proposals[target], {"decision": "reject"})

    assert_answers_alike(lambda: decide("other_city"), lambda: decide("missing"))
