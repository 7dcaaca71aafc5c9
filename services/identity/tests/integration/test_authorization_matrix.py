"""The authorization matrix of identity: every RPC that acts for a caller × every role of
DESIGN.md §4 × a target inside and outside the caller's scope, allow or the exact refusal.

Callers are built the way the gateway passes them (``Caller(...).to_dict()``) with the demo
data's persons and grant scopes. Targets:

- ``in_scope``: 育才社区 (130102001001), inside every caller's scope;
- ``other_township``: 青园街道 of 长安区 (130102002000/130102002001), outside a township's
  scope but inside its county's;
- ``other_city``: 唐山市路南区 — a township and community (130202001000/130202001001) are
  loaded here, since the shipped tree ends at county level and a carrier needs a community;
- ``other_province``: a Beijing code (110101001001), outside even the province's scope;
- ``self``: the caller's own person; ``missing``: an id nobody has;
- ``known_id_other_city``: registering, in the caller's own community, the ID number of the
  唐山 person who already holds that profile;
- ``foreign_carrier``: registering an elder in 育才社区 at the 唐山 carrier;
- operators: ``<role>_in_scope`` grants that role in the demo's places (a station operator
  at the demo station), ``<role>_other_city`` in 唐山市路南区 (at the 唐山 carrier);
  ``own_grant`` is the caller's own demo grant;
- API clients: ``own_city`` 石家庄, ``other_city`` 唐山, ``county`` 长安区 (not a city-level
  unit), ``other_province`` 北京市.

Each write cell uses a fresh ID number and mobile number. The service runs in process: the
world is registered once per module (committed), each cell on a rolled-back unit of work.
"""
from __future__ import annotations

import base64
import datetime as dt
import itertools
import random
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine
from timebank_testing.authorization import (
    ALLOW,
    NA,
    ROLE_REQUIRED,
    caller_taking_rpcs,
    matrix_cells,
    outcome,
)
from timebank_testing.plugin import TEST_INSTANT

from identity.adapters.grants import grants_of
from identity.adapters.regions import load_regions
from identity.adapters.rows import as_uuid
from identity.commands.demo import (
    CHANG_AN,
    DEMO_API_CLIENT,
    JIANBEI,
    PROVINCE,
    SHIJIAZHUANG,
    YUCAI,
)
from identity.domain.id_numbers import with_check_character
from identity.service import IdentityService
from timebank_common.caller import Caller
from timebank_common.clock import FixedClock, china_date
from timebank_common.db import UnitOfWork
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound
from timebank_common.regions import prefix_of

from .conftest import in_process

TANGSHAN = "130200000000"
LUNAN = "130202000000"
LUNAN_TOWNSHIP, LUNAN_COMMUNITY = "130202001000", "130202001001"
BEIJING, BEIJING_COMMUNITY = "110000000000", "110101001001"
QINGYUAN_TOWNSHIP, QINGYUAN_COMMUNITY = "130102002000", "130102002001"

# the grant scopes of the demo logins (identity.demo._PEOPLE) and of the demo API client
SCOPES = {
    "province_admin": PROVINCE,
    "city_admin": SHIJIAZHUANG,
    "county_admin": CHANG_AN,
    "township_admin": JIANBEI,
    "station_operator": JIANBEI,
    "auditor": PROVINCE,
    "volunteer": YUCAI,
    "elder": YUCAI,
    "relative": YUCAI,
    "api_client": SHIJIAZHUANG,
}
ROLES = tuple(SCOPES)

# -- outcomes ------------------------------------------------------------------------------
ROLE = ROLE_REQUIRED
SCOPE = (Forbidden, "out_of_scope")
KNOWN = (Conflict, "already_registered")
NO_PERSON = (NotFound, "person_not_found")
HIDDEN = NO_PERSON  # out of scope answers like an unknown id
NO_ELDER = (NotFound, "elder_not_found")
NO_CARRIER = (NotFound, "carrier_not_found")
NOT_BELOW = (Forbidden, "role_not_delegable")  # delegation only downward
OWN = (Forbidden, "own_grant")
NO_GRANT = (NotFound, "grant_not_found")
NOT_CITY = (BadInput, "client_scope_not_city")
NO_CLIENT = (NotFound, "client_not_found")
NO_VOLUNTEER = (NotFound, "volunteer_not_found")
# a municipal system registers volunteers only when the province allows that client (the
# demo client is not allowed; test_municipal_registration.py covers an allowed one)
NO_VOLUNTEERS = (Forbidden, "client_may_not_register_volunteers")
NO_INTEREST = (NotFound, "interest_not_found")


# Registering an ID number held outside the caller's scope is refused without telling
# who holds it; an admin may bind an elder only to a station in their own scope.
LEAK = SCOPE
FOREIGN = SCOPE

# rpc -> (targets, {role: outcome per target})
MATRIX = {
    "register_elder": (
        ("in_scope", "other_city", "other_province", "known_id_other_city", "foreign_carrier"), {
            "province_admin": (ALLOW, ALLOW, SCOPE, KNOWN, ALLOW),
            "city_admin": (ALLOW, SCOPE, SCOPE, LEAK, FOREIGN),
            "county_admin": (ALLOW, SCOPE, SCOPE, LEAK, FOREIGN),
            "township_admin": (ALLOW, SCOPE, SCOPE, LEAK, FOREIGN),
            # the operator's own station is used whatever carrier_id says
            "station_operator": (ALLOW, SCOPE, SCOPE, LEAK, ALLOW),
            "auditor": (ROLE, ROLE, ROLE, ROLE, ROLE),
            "volunteer": (ROLE, ROLE, ROLE, ROLE, ROLE),
            "elder": (ROLE, ROLE, ROLE, ROLE, ROLE),
            "relative": (ROLE, ROLE, ROLE, ROLE, ROLE),
            # a municipal system of the city registers its elders as the city's admin does
            "api_client": (ALLOW, SCOPE, SCOPE, LEAK, FOREIGN),
        }),
    "register_volunteer": (
        ("in_scope", "other_city", "other_province", "known_id_other_city"), {
            "province_admin": (ALLOW, ALLOW, SCOPE, KNOWN),
            "city_admin": (ALLOW, SCOPE, SCOPE, LEAK),
            "county_admin": (ALLOW, SCOPE, SCOPE, LEAK),
            "township_admin": (ALLOW, SCOPE, SCOPE, LEAK),
            "station_operator": (ALLOW, SCOPE, SCOPE, LEAK),
            "auditor": (ROLE, ROLE, ROLE, ROLE),
            "volunteer": (ROLE, ROLE, ROLE, ROLE),
            "elder": (ROLE, ROLE, ROLE, ROLE),
            "relative": (ROLE, ROLE, ROLE, ROLE),
            "api_client": (NO_VOLUNTEERS, SCOPE, SCOPE, NO_VOLUNTEERS),
        }),
    "get_person": (
        ("self", "in_scope", "other_city", "missing"), {
            "province_admin": (ALLOW, ALLOW, ALLOW, NO_PERSON),
            "city_admin": (ALLOW, ALLOW, HIDDEN, NO_PERSON),
            "county_admin": (ALLOW, ALLOW, HIDDEN, NO_PERSON),
            "township_admin": (ALLOW, ALLOW, HIDDEN, NO_PERSON),
            "station_operator": (ALLOW, ALLOW, HIDDEN, NO_PERSON),
            "auditor": (ALLOW, ALLOW, ALLOW, NO_PERSON),
            "volunteer": (ALLOW, ROLE, ROLE, NO_PERSON),
            "elder": (ALLOW, ROLE, ROLE, NO_PERSON),
            "relative": (ALLOW, ROLE, ROLE, NO_PERSON),
            "api_client": (NA, ALLOW, HIDDEN, NO_PERSON),
        }),
    "get_elder": (
        ("self", "in_scope", "other_city", "missing"), {
            "province_admin": (NO_ELDER, ALLOW, ALLOW, NO_PERSON),
            "city_admin": (NO_ELDER, ALLOW, HIDDEN, NO_PERSON),
            "county_admin": (NO_ELDER, ALLOW, HIDDEN, NO_PERSON),
            "township_admin": (NO_ELDER, ALLOW, HIDDEN, NO_PERSON),
            "station_operator": (NO_ELDER, ALLOW, HIDDEN, NO_PERSON),
            "auditor": (NO_ELDER, ALLOW, ALLOW, NO_PERSON),
            "volunteer": (NO_ELDER, ROLE, ROLE, NO_PERSON),
            "elder": (ALLOW, ROLE, ROLE, NO_PERSON),
            "relative": (NO_ELDER, ROLE, ROLE, NO_PERSON),
            "api_client": (NA, ALLOW, HIDDEN, NO_PERSON),
        }),
    "me": (
        ("self",), {role: (ALLOW,) for role in ROLES}),
    "register_carrier": (
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
    "list_carriers": (  # the target is the region_code filter
        ("in_scope", "other_city", "other_province"), {
            "province_admin": (ALLOW, ALLOW, SCOPE),
            "city_admin": (ALLOW, SCOPE, SCOPE),
            "county_admin": (ALLOW, SCOPE, SCOPE),
            "township_admin": (ALLOW, SCOPE, SCOPE),
            "station_operator": (ALLOW, SCOPE, SCOPE),
            "auditor": (ALLOW, ALLOW, SCOPE),
            "volunteer": (ROLE, ROLE, ROLE),
            "elder": (ROLE, ROLE, ROLE),
            "relative": (ROLE, ROLE, ROLE),
            "api_client": (ROLE, ROLE, ROLE),
        }),
    "get_carrier": (
        ("in_scope", "other_city", "missing"), {
            "province_admin": (ALLOW, ALLOW, NO_CARRIER),
            "city_admin": (ALLOW, SCOPE, NO_CARRIER),
            "county_admin": (ALLOW, SCOPE, NO_CARRIER),
            "township_admin": (ALLOW, SCOPE, NO_CARRIER),
            "station_operator": (ALLOW, SCOPE, NO_CARRIER),
            "auditor": (ALLOW, ALLOW, NO_CARRIER),
            "volunteer": (ROLE, ROLE, ROLE),
            "elder": (ROLE, ROLE, ROLE),
            "relative": (ROLE, ROLE, ROLE),
            "api_client": (ROLE, ROLE, ROLE),
        }),
    "query_audit": (  # the target is the region_code filter
        ("in_scope", "other_city", "other_province"), {
            "province_admin": (ALLOW, ALLOW, SCOPE),
            "city_admin": (ALLOW, SCOPE, SCOPE),
            "county_admin": (ALLOW, SCOPE, SCOPE),
            "township_admin": (ALLOW, SCOPE, SCOPE),
            "station_operator": (ROLE, ROLE, ROLE),
            "auditor": (ALLOW, ALLOW, SCOPE),
            "volunteer": (ROLE, ROLE, ROLE),
            "elder": (ROLE, ROLE, ROLE),
            "relative": (ROLE, ROLE, ROLE),
            "api_client": (ROLE, ROLE, ROLE),
        }),
    # operators: an admin grants roles strictly below their own (an auditor at their level),
    # inside their scope; the role and the scope's level go together
    "create_operator": (
        ("station_operator_in_scope", "township_admin_in_scope", "county_admin_in_scope",
         "city_admin_in_scope", "auditor_in_scope", "county_admin_other_city",
         "station_operator_other_city"), {
            "province_admin": (ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
            "city_admin": (ALLOW, ALLOW, ALLOW, NOT_BELOW, ALLOW, SCOPE, SCOPE),
            "county_admin": (ALLOW, ALLOW, NOT_BELOW, NOT_BELOW, ALLOW, NOT_BELOW, SCOPE),
            "township_admin": (ALLOW, NOT_BELOW, NOT_BELOW, NOT_BELOW, ALLOW, NOT_BELOW, SCOPE),
            "station_operator": (ROLE,) * 7,
            "auditor": (ROLE,) * 7,
            "volunteer": (ROLE,) * 7,
            "elder": (ROLE,) * 7,
            "relative": (ROLE,) * 7,
            "api_client": (ROLE,) * 7,
        }),
    "list_operators": (  # the target is the region_code filter
        ("in_scope", "other_city", "other_province"), {
            "province_admin": (ALLOW, ALLOW, SCOPE),
            "city_admin": (ALLOW, SCOPE, SCOPE),
            "county_admin": (ALLOW, SCOPE, SCOPE),
            "township_admin": (ALLOW, SCOPE, SCOPE),
            "station_operator": (ROLE, ROLE, ROLE),
            "auditor": (ALLOW, ALLOW, SCOPE),
            "volunteer": (ROLE, ROLE, ROLE),
            "elder": (ROLE, ROLE, ROLE),
            "relative": (ROLE, ROLE, ROLE),
            "api_client": (ROLE, ROLE, ROLE),
        }),
    "revoke_operator_grant": (  # revoking takes what granting would take
        ("station_operator_in_scope", "county_admin_in_scope", "station_operator_other_city",
         "own_grant", "missing"), {
            "province_admin": (ALLOW, ALLOW, ALLOW, OWN, NO_GRANT),
            "city_admin": (ALLOW, ALLOW, SCOPE, OWN, NO_GRANT),
            "county_admin": (ALLOW, NOT_BELOW, SCOPE, OWN, NO_GRANT),
            "township_admin": (ALLOW, NOT_BELOW, SCOPE, OWN, NO_GRANT),
            "station_operator": (ROLE,) * 5,
            "auditor": (ROLE,) * 5,
            "volunteer": (ROLE,) * 5,
            "elder": (ROLE,) * 5,
            "relative": (ROLE,) * 5,
            "api_client": (ROLE, ROLE, ROLE, NA, ROLE),
        }),
    # municipal API clients: a city-level scope, managed by the province or that city's admin
    "create_api_client": (
        ("own_city", "other_city", "county", "other_province"), {
            "province_admin": (ALLOW, ALLOW, NOT_CITY, SCOPE),
            "city_admin": (ALLOW, SCOPE, NOT_CITY, SCOPE),
            **{role: (ROLE,) * 4 for role in ("county_admin", "township_admin",
                                              "station_operator", "auditor", "volunteer",
                                              "elder", "relative", "api_client")},
        }),
    "list_api_clients": (  # the target is the region_code filter
        ("in_scope", "other_city", "other_province"), {
            "province_admin": (ALLOW, ALLOW, SCOPE),
            "city_admin": (ALLOW, SCOPE, SCOPE),
            "county_admin": (ROLE, ROLE, ROLE),
            "township_admin": (ROLE, ROLE, ROLE),
            "station_operator": (ROLE, ROLE, ROLE),
            "auditor": (ALLOW, ALLOW, SCOPE),
            "volunteer": (ROLE, ROLE, ROLE),
            "elder": (ROLE, ROLE, ROLE),
            "relative": (ROLE, ROLE, ROLE),
            "api_client": (ROLE, ROLE, ROLE),
        }),
    "rotate_api_client_secret": (
        ("own_city", "other_city", "missing"), {
            "province_admin": (ALLOW, ALLOW, NO_CLIENT),
            "city_admin": (ALLOW, SCOPE, NO_CLIENT),
            **{role: (ROLE,) * 3 for role in ("county_admin", "township_admin",
                                              "station_operator", "auditor", "volunteer",
                                              "elder", "relative", "api_client")},
        }),
    "end_previous_api_client_secret": (
        ("own_city", "other_city", "missing"), {
            "province_admin": (ALLOW, ALLOW, NO_CLIENT),
            "city_admin": (ALLOW, SCOPE, NO_CLIENT),
            **{role: (ROLE,) * 3 for role in ("county_admin", "township_admin",
                                              "station_operator", "auditor", "volunteer",
                                              "elder", "relative", "api_client")},
        }),
    "update_api_client": (
        ("own_city", "other_city", "missing"), {
            "province_admin": (ALLOW, ALLOW, NO_CLIENT),
            "city_admin": (ALLOW, SCOPE, NO_CLIENT),
            **{role: (ROLE,) * 3 for role in ("county_admin", "township_admin",
                                              "station_operator", "auditor", "volunteer",
                                              "elder", "relative", "api_client")},
        }),
    "revoke_api_client": (
        ("own_city", "other_city", "missing"), {
            "province_admin": (ALLOW, ALLOW, NO_CLIENT),
            "city_admin": (ALLOW, SCOPE, NO_CLIENT),
            **{role: (ROLE,) * 3 for role in ("county_admin", "township_admin",
                                              "station_operator", "auditor", "volunteer",
                                              "elder", "relative", "api_client")},
        }),
}


# -- the rows of the newer RPCs (priorities, relatives, volunteering, qualifications) -------
PERSONS = tuple(role for role in ROLES if role != "api_client")
REACH = ("in_scope", "other_township", "other_city")
_REACH_OF_SCOPE = {  # the caller's scope against REACH
    "province_admin": (ALLOW, ALLOW, ALLOW),
    "city_admin": (ALLOW, ALLOW, SCOPE),
    "county_admin": (ALLOW, ALLOW, SCOPE),
    "township_admin": (ALLOW, SCOPE, SCOPE),
    "station_operator": (ALLOW, SCOPE, SCOPE),
    "auditor": (ALLOW, ALLOW, ALLOW),
    "api_client": (ALLOW, ALLOW, SCOPE),
}


def staff_rows(*allowed: str, self_cell: dict | None = None) -> dict:
    """Roles in ``allowed`` reach what their scope covers, the others get ROLE; ``self_cell``
    (role -> outcome when the target is the caller themself) adds a leading "self" column."""
    rows = {}
    for role in ROLES:
        reach = _REACH_OF_SCOPE[role] if role in allowed else (ROLE,) * len(REACH)
        rows[role] = ((self_cell[role],) if self_cell else ()) + reach
    return rows




def hidden_rows(*allowed: str, self_cell: dict | None = None) -> dict:
    """As ``staff_rows``, for the RPCs where a person outside the scope answers like an
    unknown one (404), with a trailing "missing" column."""
    rows = {}
    for role, outcomes in staff_rows(*allowed, self_cell=self_cell).items():
        rows[role] = tuple(HIDDEN if o == SCOPE else o for o in outcomes) + (
            HIDDEN if role in allowed else ROLE,)
    return rows


WRITERS = ("province_admin", "city_admin", "county_admin", "township_admin", "station_operator")
ADMINS = ("province_admin", "city_admin", "county_admin", "township_admin")
READERS = WRITERS + ("auditor",)
ANYONE_SELF = {role: NA if role == "api_client" else ALLOW for role in ROLES}
# only the demo volunteer has a volunteer profile of their own
VOLUNTEER_SELF = {role: {"volunteer": ALLOW, "api_client": NA}.get(role, NO_VOLUNTEER)
                  for role in ROLES}
# only the demo elder has an elder profile of their own
ELDER_SELF = {role: {"elder": ALLOW, "api_client": NA}.get(role, NO_ELDER) for role in ROLES}
SELF_REACH = ("self", *REACH)
_PEOPLE_LIST = {  # staff and municipal systems list the people of their scope
    "province_admin": (ALLOW, ALLOW, SCOPE),
    "city_admin": (ALLOW, SCOPE, SCOPE),
    "county_admin": (ALLOW, SCOPE, SCOPE),
    "township_admin": (ALLOW, SCOPE, SCOPE),
    "station_operator": (ALLOW, SCOPE, SCOPE),
    "auditor": (ALLOW, ALLOW, SCOPE),
    "volunteer": (ROLE, ROLE, ROLE),
    "elder": (ROLE, ROLE, ROLE),
    "relative": (ROLE, ROLE, ROLE),
    "api_client": (ALLOW, SCOPE, SCOPE),
}

NO_IMPORT = (NotFound, "import_not_found")
# a job started in REACH's places (in_scope by the demo station operator themself)
_IMPORT_READERS = {
    role: tuple(ALLOW if o == ALLOW else NO_IMPORT for o in staff_rows(
        *ADMINS)[role]) + (NO_IMPORT,) for role in ROLES}
_IMPORT_READERS["station_operator"] = (ALLOW, NO_IMPORT, NO_IMPORT, NO_IMPORT)
_IMPORT_READERS["auditor"] = (ALLOW, ALLOW, ALLOW, NO_IMPORT)

MATRIX.update({
    "submit_priority": (REACH, staff_rows(*WRITERS)),
    "verify_priority": (REACH, staff_rows(*WRITERS)),
    "revoke_priority": (REACH, staff_rows(*WRITERS)),
    "link_relatives": (SELF_REACH, staff_rows(*WRITERS, self_cell=ANYONE_SELF)),
    "verify_relatives": (REACH, staff_rows(*WRITERS)),
    "list_relatives": (SELF_REACH, staff_rows(*READERS, self_cell=ANYONE_SELF)),
    "record_training": (REACH, staff_rows(*WRITERS)),
    "set_screening": (REACH, staff_rows(*WRITERS)),
    "set_registry_status": (REACH, staff_rows(*WRITERS)),
    "set_background_tags": (REACH, staff_rows(*WRITERS)),
    "declare_health": (SELF_REACH, staff_rows(*WRITERS, self_cell=VOLUNTEER_SELF)),
    "eligibility": (SELF_REACH, staff_rows(*READERS, self_cell=VOLUNTEER_SELF)),
    "add_qualification": (SELF_REACH, staff_rows(*WRITERS, self_cell=VOLUNTEER_SELF)),
    "verify_qualification": (REACH, staff_rows(*WRITERS)),
    "list_qualifications": (SELF_REACH, staff_rows(*READERS, self_cell=VOLUNTEER_SELF)),
    # the elder's proxies: the target is the elder
    "set_elder_proxy": (SELF_REACH, staff_rows(*WRITERS, self_cell=ELDER_SELF)),
    "remove_elder_proxy": (SELF_REACH, staff_rows(*WRITERS, self_cell=ELDER_SELF)),
    # corrections and standing: outside the scope is 404 like an unknown id
    # (municipal systems too: elders always, volunteers when allowed — the demo client is not)
    "update_elder": ((*SELF_REACH, "missing"),
                     hidden_rows(*WRITERS, "api_client", self_cell=ELDER_SELF)),
    "update_volunteer": ((*SELF_REACH, "missing"), {
        **hidden_rows(*WRITERS, self_cell=VOLUNTEER_SELF),
        "api_client": tuple(NO_VOLUNTEERS if o == ALLOW else o for o in hidden_rows(
            *WRITERS, "api_client", self_cell=VOLUNTEER_SELF)["api_client"])}),
    "set_person_status": ((*REACH, "missing"), hidden_rows(*WRITERS)),
    # a move: the target is a volunteer (a station operator moves only their own elders)
    "move_person": ((*REACH, "missing"), {
        **hidden_rows(*WRITERS),
        "station_operator": ((Forbidden, "role_required"), HIDDEN, HIDDEN, HIDDEN)}),
    "list_moves": (("in_scope", "other_city", "other_province"), {
        **_PEOPLE_LIST, "api_client": (ROLE, ROLE, ROLE)}),
    # the target is the region filter
    "list_elders": (("in_scope", "other_city", "other_province"), _PEOPLE_LIST),
    "list_volunteers": (("in_scope", "other_city", "other_province"), _PEOPLE_LIST),
    # the target is the region asked for
    "identity_stats": (REACH, staff_rows(*WRITERS[:4], "auditor", "api_client")),
    # interest in volunteering: station staff and admins; the list's target is the region
    # filter, a registration outside the scope answers like an unknown one (404)
    "list_interest": (("in_scope", "other_city", "other_province"), {
        **_PEOPLE_LIST, **{role: (ROLE,) * 3 for role in ("auditor", "api_client")}}),
    "get_interest": ((*REACH, "missing"), {
        role: tuple(NO_INTEREST if o in (SCOPE, HIDDEN) else o for o in outcomes)
        for role, outcomes in hidden_rows(*WRITERS).items()}),
    "set_interest_status": ((*REACH, "missing"), {
        role: tuple(NO_INTEREST if o in (SCOPE, HIDDEN) else o for o in outcomes)
        for role, outcomes in hidden_rows(*WRITERS).items()}),
    # imports of the national system's files: started by the staff who register volunteers;
    # a job is read by its starter and by supervisors covering where it was started (the
    # target), anyone else answers as for an unknown job (404)
    "start_import": (("in_scope",), {
        role: (ALLOW if role in WRITERS else ROLE,) for role in ROLES}),
    "list_imports": (("in_scope",), {
        role: (ALLOW if role in READERS else ROLE,) for role in ROLES}),
    "get_import": ((*REACH, "missing"), _IMPORT_READERS),
    "import_errors": ((*REACH, "missing"), _IMPORT_READERS),
})

# internal reads for another service's own use take its system caller: no role of a person or
# an API client may ask them, wherever the target is
SERVICE_ONLY = (Forbidden, "service_only")
MATRIX.update({
    "national_volunteers": (("in_scope", "other_city"), {
        role: (SERVICE_ONLY, SERVICE_ONLY) for role in ROLES}),
})


CELLS = matrix_cells(MATRIX, ROLES)


# RPCs added while this matrix is written: give them rows here
# act on the caller's own login only (any person; an API client is refused with
# person_login_required): covered by test_integration_auth.py, since running them here for
# the shared demo logins would end those logins or change their password
OWN_LOGIN_ONLY = frozenset({"logout", "logout_everywhere", "change_password"})


def test_the_matrix_covers_every_caller_rpc_and_every_role():
    acting = caller_taking_rpcs(IdentityService)
    assert set(MATRIX) == acting - OWN_LOGIN_ONLY, \
        "extend MATRIX: these RPCs act for a caller"
    for rpc, (_, rows) in MATRIX.items():
        assert tuple(rows) == ROLES, rpc


# -- fresh numbers ---------------------------------------------------------------------------
_serial = itertools.count(1)
_PHONE_BLOCK = random.randrange(10_000)


def fresh_numbers(elder: bool) -> tuple[str, str]:
    """A valid, never used ID number (路北区 address code, a birth date of its own) and mobile."""
    n = next(_serial)
    born = (dt.date(1950, 1, 1) if elder else dt.date(1990, 1, 1)) + dt.timedelta(days=n)
    id_number = with_check_character(f"130203{born:%Y%m%d}{735 if elder else 736}")
    return id_number, f"135{_PHONE_BLOCK:04d}{n:04d}"


def elder_data(region_code: str, **changes) -> dict:
    id_number, phone = fresh_numbers(elder=True)
    return {"name": "张淑珍", "id_number": id_number, "phone": phone, "phone_only": False,
            "address": "测试街1号", "region_code": region_code, **changes}


def volunteer_data(region_code: str, **changes) -> dict:
    id_number, phone = fresh_numbers(elder=False)
    return {"name": "刘洋", "id_number": id_number, "phone": phone, "region_code": region_code,
            "initial_password": "Volunteer@2026", **changes}


def carrier_data(region_code: str) -> dict:
    return {"name": f"矩阵测试服务站{uuid.uuid4().hex[:10]}", "kind": "lei_feng_station",
            "region_code": region_code, "address": "测试街2号", "contact_name": "孙志强",
            "contact_phone": "0311-86012345"}


def operator_data(role: str, **changes) -> dict:
    id_number, phone = fresh_numbers(elder=False)
    return {"name": "冯建军", "id_number": id_number, "phone": phone, "region_code": YUCAI,
            "role": role, "initial_password": "Operator@2026", **changes}


def caller_of(role: str, demo: dict) -> dict:
    if role == "api_client":
        return Caller(person_id=None, roles=("api_client",), scope=SCOPES[role],
                      client_id=DEMO_API_CLIENT["client_id"],
                      name=DEMO_API_CLIENT["name"]).to_dict()
    return Caller(person_id=demo["persons"][role], roles=(role,), scope=SCOPES[role],
                  carrier_id=demo["carrier_id"] if role == "station_operator" else None).to_dict()


# -- fixtures --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def committing(demo, signer):
    """The service in process on the database itself: what it writes stays (the world)."""
    engine = create_engine(demo["url"])
    yield in_process(lambda: UnitOfWork(engine), FixedClock(TEST_INSTANT), signer)
    engine.dispose()


@dataclass(frozen=True)
class World:
    demo: dict
    home: dict  # elder + volunteer in 育才社区: {person_id, id_number, name}
    township: dict  # elder + volunteer in 青园街道 (长安区, another township)
    other: dict  # elder + volunteer in 唐山市路南区
    other_carrier: str  # a carrier in 唐山市路南区
    other_grant: str  # a county admin of 唐山市路南区
    other_client: str  # the API client of 唐山市


def _register_both(identity, admin: dict, region_code: str, name: str) -> dict:
    data = elder_data(region_code, name=name)
    elder = identity.register_elder(admin, data)
    volunteer = identity.register_volunteer(admin, volunteer_data(
        region_code, name=name, id_number=data["id_number"], phone=data["phone"]))
    assert volunteer["person_id"] == elder["person_id"]
    return {"person_id": elder["person_id"], "id_number": data["id_number"], "name": name}


@pytest.fixture(scope="module")
def world(demo, committing) -> World:
    proxy = committing
    engine = create_engine(demo["url"])
    with engine.begin() as conn:
        load_regions(conn, [
            {"code": LUNAN_TOWNSHIP, "name": "学院南路街道", "level": "township",
             "parent_code": "130202000000"},
            {"code": LUNAN_COMMUNITY, "name": "学院南路社区居委会", "level": "community",
             "parent_code": LUNAN_TOWNSHIP},
            {"code": QINGYUAN_TOWNSHIP, "name": "青园街道", "level": "township",
             "parent_code": CHANG_AN},
            {"code": QINGYUAN_COMMUNITY, "name": "青园社区居委会", "level": "community",
             "parent_code": QINGYUAN_TOWNSHIP},
        ])
    engine.dispose()
    admin = caller_of("province_admin", demo)
    carrier = proxy.register_carrier(admin, carrier_data(LUNAN_COMMUNITY))
    grant = proxy.create_operator(admin, operator_data("county_admin", scope_code=LUNAN))
    client = proxy.create_api_client(admin, {"name": "唐山市民政局业务系统", "scope_code": TANGSHAN})
    return World(demo=demo,
                 home=_register_both(proxy, admin, YUCAI, "陈玉兰"),
                 township=_register_both(proxy, admin, QINGYUAN_COMMUNITY, "刘桂芳"),
                 other=_register_both(proxy, admin, LUNAN_COMMUNITY, "马秀云"),
                 other_carrier=carrier["carrier_id"], other_grant=grant["grant_id"],
                 other_client=client["client_id"])


# -- the cells -------------------------------------------------------------------------------
REGIONS = {"in_scope": YUCAI, "other_township": QINGYUAN_COMMUNITY, "other_city": LUNAN_COMMUNITY, "other_province": BEIJING_COMMUNITY,
           "known_id_other_city": YUCAI, "foreign_carrier": YUCAI}
FILTERS = {"in_scope": YUCAI, "other_city": TANGSHAN, "other_province": BEIJING}


def _register_elder(identity, w: World, role, caller, target):
    changes = {}
    if target == "known_id_other_city":
        changes = {"name": w.other["name"], "id_number": w.other["id_number"], "phone": None}
    if target == "foreign_carrier":
        changes = {"carrier_id": w.other_carrier}
    data = elder_data(REGIONS[target], **changes)
    elder = identity.register_elder(caller, data)
    assert elder["region_code"] == data["region_code"] and elder["name"] == data["name"]
    if role == "station_operator":
        assert elder["carrier_id"] == w.demo["carrier_id"]
    else:
        assert elder["carrier_id"] == changes.get("carrier_id")


def _register_volunteer(identity, w: World, role, caller, target):
    changes = {}
    if target == "known_id_other_city":
        changes = {"name": w.other["name"], "id_number": w.other["id_number"]}
    data = volunteer_data(REGIONS[target], **changes)
    volunteer = identity.register_volunteer(caller, data)
    assert volunteer["region_code"] == data["region_code"] and volunteer["name"] == data["name"]


def _person_id(w: World, caller, target):
    return {"self": caller["person_id"], "in_scope": w.home["person_id"],
            "other_township": w.township["person_id"], "other_city": w.other["person_id"],
            "missing": str(uuid.uuid4())}[target]


def _get_person(identity, w: World, role, caller, target):
    person_id = _person_id(w, caller, target)
    person = identity.get_person(caller, person_id)
    assert person["person_id"] == person_id
    assert "*" in person["id_number_masked"]


def _get_elder(identity, w: World, role, caller, target):
    person_id = _person_id(w, caller, target)
    elder = identity.get_elder(caller, person_id)
    assert elder["person_id"] == person_id and elder["age"] >= 60


def _me(identity, w: World, role, caller, target):
    me = identity.me(caller)
    assert me["person_id"] == caller["person_id"] and me["roles"] == [role]
    assert me["scope"] == SCOPES[role] and me["name"]
    assert me["carrier_id"] == (w.demo["carrier_id"] if role == "station_operator" else None)


def _register_carrier(identity, w: World, role, caller, target):
    data = carrier_data(REGIONS[target])
    carrier = identity.register_carrier(caller, data)
    assert carrier["region_code"] == data["region_code"] and carrier["name"] == data["name"]


def _list_carriers(identity, w: World, role, caller, target):
    page = identity.list_carriers(caller, {"region_code": FILTERS[target], "page_size": 100})
    ids = {c["carrier_id"] for c in page["items"]}
    assert all(c["region_code"].startswith(FILTERS[target][:4]) for c in page["items"])
    assert (w.demo["carrier_id"] if target == "in_scope" else w.other_carrier) in ids
    # without a filter a caller sees exactly their scope
    everything = identity.list_carriers(caller, {"page_size": 100})
    assert everything["total"] == len(everything["items"])
    unfiltered = {c["carrier_id"] for c in everything["items"]}
    assert w.demo["carrier_id"] in unfiltered
    assert (w.other_carrier in unfiltered) == Caller.from_dict(caller).covers(LUNAN_COMMUNITY)


def _get_carrier(identity, w: World, role, caller, target):
    carrier_id = {"in_scope": w.demo["carrier_id"], "other_city": w.other_carrier,
                  "missing": str(uuid.uuid4())}[target]
    assert identity.get_carrier(caller, carrier_id)["carrier_id"] == carrier_id


def _query_audit(identity, w: World, role, caller, target):
    page = identity.query_audit(caller, {"region_code": FILTERS[target], "page_size": 100})
    assert page["items"], "the world's registrations are audited in both cities"
    assert all(e["region_code"].startswith(prefix_of(FILTERS[target])) for e in page["items"])


# role and scope (or carrier) of each create_operator / revoke_operator_grant target
GRANTS = {"station_operator_in_scope": ("station_operator", None, "home"),
          "township_admin_in_scope": ("township_admin", JIANBEI, None),
          "county_admin_in_scope": ("county_admin", CHANG_AN, None),
          "city_admin_in_scope": ("city_admin", SHIJIAZHUANG, None),
          "auditor_in_scope": ("auditor", JIANBEI, None),
          "county_admin_other_city": ("county_admin", LUNAN, None),
          "station_operator_other_city": ("station_operator", None, "other")}


def _grant_data(w: World, target) -> dict:
    role, scope, carrier = GRANTS[target]
    carrier_id = {"home": w.demo["carrier_id"], "other": w.other_carrier}.get(carrier)
    return operator_data(role, scope_code=scope, carrier_id=carrier_id)


def _create_operator(identity, w: World, role, caller, target):
    data = _grant_data(w, target)
    operator = identity.create_operator(caller, data)
    assert operator["role"] == data["role"] and operator["login"] == "created"
    station_scope = JIANBEI if target.endswith("in_scope") else LUNAN_TOWNSHIP
    assert operator["scope_code"] == (data["scope_code"] or station_scope)
    assert operator["granted_by"] == caller["person_id"]


OPERATOR_FILTERS = {"in_scope": JIANBEI, "other_city": TANGSHAN, "other_province": BEIJING}


def _list_operators(identity, w: World, role, caller, target):
    region = OPERATOR_FILTERS[target]
    page = identity.list_operators(caller, {"region_code": region, "page_size": 100,
                                            "role": "township_admin" if target == "in_scope"
                                            else "county_admin"})
    assert all(i["scope_code"].startswith(region[:4]) for i in page["items"])
    grants = {i["grant_id"]: i["person_id"] for i in page["items"]}
    if target == "in_scope":
        assert w.demo["persons"]["township_admin"] in grants.values()
    else:
        assert w.other_grant in grants


def _own_grant_id(w: World, role) -> str:
    engine = create_engine(w.demo["url"])
    with engine.connect() as conn:
        grant = grants_of(conn, as_uuid(w.demo["persons"][role]))[0]
    engine.dispose()
    return str(grant["id"])


def _revoke_operator_grant(identity, w: World, role, caller, target):
    if target == "own_grant":
        grant_id = _own_grant_id(w, role)
    elif target == "missing":
        grant_id = str(uuid.uuid4())
    else:
        admin = caller_of("province_admin", w.demo)
        grant_id = identity.create_operator(admin, _grant_data(w, target))["grant_id"]
    revoked = identity.revoke_operator_grant(caller, grant_id, "矩阵测试")
    assert revoked["grant_id"] == grant_id and revoked["revoked_at"]


CLIENT_SCOPES = {"own_city": SHIJIAZHUANG, "other_city": TANGSHAN, "county": CHANG_AN,
                 "other_province": "110100000000"}
CLIENT_FILTERS = {"in_scope": SHIJIAZHUANG, "other_city": TANGSHAN, "other_province": BEIJING}


def _create_api_client(identity, w: World, role, caller, target):
    client = identity.create_api_client(caller, {"name": "矩阵测试系统",
                                                 "scope_code": CLIENT_SCOPES[target]})
    assert client["scope_code"] == CLIENT_SCOPES[target] and client["client_secret"]


def _list_api_clients(identity, w: World, role, caller, target):
    region = CLIENT_FILTERS[target]
    ids = {c["client_id"] for c in identity.list_api_clients(caller, {"region_code": region})["items"]}
    assert (DEMO_API_CLIENT["client_id"] if target == "in_scope" else w.other_client) in ids


def _fresh_client(identity, w: World, target) -> str:
    if target == "missing":
        return f"missing-{uuid.uuid4().hex[:8]}"
    admin = caller_of("province_admin", w.demo)
    return identity.create_api_client(admin, {"name": "矩阵测试系统",
                                              "scope_code": CLIENT_SCOPES[target]})["client_id"]


def _rotate_api_client_secret(identity, w: World, role, caller, target):
    client_id = _fresh_client(identity, w, target)
    rotated = identity.rotate_api_client_secret(caller, client_id)
    assert rotated["client_id"] == client_id and rotated["client_secret"]


def _end_previous_api_client_secret(identity, w: World, role, caller, target):
    client_id = _fresh_client(identity, w, target)
    if target != "missing":  # a rotation in progress, by an admin who may
        identity.rotate_api_client_secret(caller_of("province_admin", w.demo), client_id)
    ended = identity.end_previous_api_client_secret(caller, client_id)
    assert ended["client_id"] == client_id and ended["previous_secret_valid_until"]


def _update_api_client(identity, w: World, role, caller, target):
    client_id = _fresh_client(identity, w, target)
    updated = identity.update_api_client(caller, client_id, {"may_register_volunteers": True})
    assert updated["client_id"] == client_id and updated["may_register_volunteers"] is True


def _revoke_api_client(identity, w: World, role, caller, target):
    client_id = _fresh_client(identity, w, target)
    assert identity.revoke_api_client(caller, client_id, "矩阵测试")["status"] == "revoked"


# -- priorities and relatives -----------------------------------------------------------------
def _admin(w: World) -> dict:
    return caller_of("province_admin", w.demo)


SECOND_PROVINCE_ADMIN = str(uuid.UUID(int=0x2A))


def _submitter(w: World) -> dict:
    """Who submits the records the matrix's callers then decide: a second province admin, so
    that no caller decides their own submission (four eyes for everyone)."""
    return {**_admin(w), "person_id": SECOND_PROVINCE_ADMIN, "name": "第二名省级管理员"}


def _fresh_elder(identity, w: World, target) -> str:
    return identity.register_elder(_admin(w), elder_data(REGIONS[target]))["person_id"]


def _fresh_person(identity, w: World) -> str:
    return identity.register_volunteer(_admin(w), volunteer_data(YUCAI))["person_id"]


EMPTY_NEST = {"category": "empty_nest", "evidence": "独居，子女均在外地工作（社区走访记录）"}


def _submit_priority(identity, w: World, role, caller, target):
    elder_id = _fresh_elder(identity, w, target)
    record = identity.submit_priority(caller, elder_id, EMPTY_NEST)
    assert record["person_id"] == elder_id and record["status"] == "pending"


def _verify_priority(identity, w: World, role, caller, target):
    elder_id = _fresh_elder(identity, w, target)
    identity.submit_priority(_submitter(w), elder_id, EMPTY_NEST)
    record = identity.verify_priority(caller, elder_id, "empty_nest", {"decision": "verify"})
    assert record["status"] == "verified"


def _revoke_priority(identity, w: World, role, caller, target):
    elder_id = _fresh_elder(identity, w, target)
    identity.submit_priority(_submitter(w), elder_id, EMPTY_NEST)
    identity.verify_priority(_admin(w), elder_id, "empty_nest", {"decision": "verify"})
    record = identity.revoke_priority(caller, elder_id, "empty_nest", {"reason": "矩阵测试"})
    assert record["status"] == "revoked"


def _link(identity, w: World, caller, person_id) -> dict:
    return identity.link_relatives(caller, {
        "person_id": person_id, "relative_person_id": _fresh_person(identity, w),
        "kind": "child", "evidence": "户口簿第3页"})


def _link_relatives(identity, w: World, role, caller, target):
    link = _link(identity, w, caller, _person_id(w, caller, target))
    assert link["status"] == "pending"


def _verify_relatives(identity, w: World, role, caller, target):
    link = _link(identity, w, _submitter(w), _person_id(w, caller, target))
    assert identity.verify_relatives(caller, link["link_id"], {"decision": "verify"})[
        "status"] == "verified"


def _list_relatives(identity, w: World, role, caller, target):
    person_id = _person_id(w, caller, target)
    assert identity.list_relatives(caller, person_id)["person_id"] == person_id


# -- volunteer facts and qualifications -----------------------------------------------------------
YESTERDAY = (china_date(TEST_INSTANT) - dt.timedelta(days=1)).isoformat()  # the test clock's
VOLUNTEER_WRITES = {
    "record_training": {"course": "急救培训", "organiser": "长安区红十字会", "date": YESTERDAY,
                        "hours": 2},
    "set_screening": {"result": "clear"},
    "set_registry_status": {"status": "verified"},
    "declare_health": {"declaration": True},
    "set_background_tags": {"tags": ["party_member"]},
}
NURSE = {"kind": "nurse", "number": "N2026001", "issuer": "石家庄市卫生健康委员会",
         "valid_until": "2031-12-31"}


def _volunteer_write(rpc):
    def act(identity, w: World, role, caller, target):
        volunteer_id = _person_id(w, caller, target)
        answer = getattr(identity, rpc)(caller, volunteer_id, VOLUNTEER_WRITES[rpc])
        assert volunteer_id in (answer["person_id"], answer.get("eligibility", {}).get("person_id"))
    return act


def _eligibility(identity, w: World, role, caller, target):
    volunteer_id = _person_id(w, caller, target)
    answer = identity.eligibility(caller, volunteer_id)
    assert answer["person_id"] == volunteer_id and isinstance(answer["eligible"], bool)


def _add_qualification(identity, w: World, role, caller, target):
    volunteer_id = _person_id(w, caller, target)
    added = identity.add_qualification(caller, volunteer_id, NURSE)
    assert added["person_id"] == volunteer_id and added["status"] == "pending"


def _verify_qualification(identity, w: World, role, caller, target):
    added = identity.add_qualification(_submitter(w), _person_id(w, caller, target), NURSE)
    decided = identity.verify_qualification(caller, added["qualification_id"],
                                            {"decision": "verify"})
    assert decided["status"] == "verified" and decided["valid"] is True


def _list_qualifications(identity, w: World, role, caller, target):
    volunteer_id = _person_id(w, caller, target)
    assert identity.list_qualifications(caller, volunteer_id)["person_id"] == volunteer_id



def _elder_with_verified_daughter(identity, w: World, role, caller, target) -> tuple[str, str]:
    """An elder and a verified daughter; on "self", a non-elder caller and a stranger."""
    elder_id = caller["person_id"] if target == "self" else _fresh_elder(identity, w, target)
    if target == "self" and role != "elder":
        return elder_id, _fresh_person(identity, w)
    link = _link(identity, w, _submitter(w), elder_id)
    identity.verify_relatives(_admin(w), link["link_id"], {"decision": "verify"})
    return elder_id, link["relative_person_id"]


def _set_elder_proxy(identity, w: World, role, caller, target):
    elder_id, daughter = _elder_with_verified_daughter(identity, w, role, caller, target)
    answer = identity.set_elder_proxy(caller, elder_id, {"proxy_person_id": daughter})
    assert daughter in {p["person_id"] for p in answer["proxies"]}


def _remove_elder_proxy(identity, w: World, role, caller, target):
    elder_id, daughter = _elder_with_verified_daughter(identity, w, role, caller, target)
    if target != "self" or role == "elder":
        identity.set_elder_proxy(_admin(w), elder_id, {"proxy_person_id": daughter})
    answer = identity.remove_elder_proxy(caller, elder_id, daughter)
    assert daughter not in {p["person_id"] for p in answer["proxies"]}


def _identity_stats(identity, w: World, role, caller, target):
    stats = identity.identity_stats(caller, REGIONS[target])
    assert stats["region_code"] == REGIONS[target]
    assert stats["volunteers"]["registered"] >= 1 and stats["elders"]["registered"] >= 1


def _correct(rpc):
    def act(identity, w: World, role, caller, target):
        person_id = _person_id(w, caller, target)
        answer = getattr(identity, rpc)(caller, person_id, {"address": "矩阵街3号"})
        assert answer["person_id"] == person_id
    return act


def _set_person_status(identity, w: World, role, caller, target):
    person_id = _person_id(w, caller, target)
    answer = identity.set_person_status(caller, person_id, {"status": "left", "reason": "矩阵测试"})
    assert answer["person_id"] == person_id and answer["status"] == "left"


def _move_person(identity, w: World, role, caller, target):
    person_id = (_fresh_person(identity, w) if target == "in_scope"
                 else _person_id(w, caller, target))
    destination = QINGYUAN_COMMUNITY if target != "other_township" else YUCAI
    answer = identity.move_person(caller, person_id, {"to_region_code": destination,
                                                      "reason": "矩阵测试"})
    assert answer["person_id"] == person_id and answer["to_region_code"] == destination


def _list_moves(identity, w: World, role, caller, target):
    page = identity.list_moves(caller, {"region": FILTERS[target]})
    assert all(prefix_of(FILTERS[target]) in (m["from_region_code"][:len(
        prefix_of(FILTERS[target]))], m["to_region_code"][:len(prefix_of(FILTERS[target]))])
        for m in page["items"])


def _list_people(rpc):
    def act(identity, w: World, role, caller, target):
        region = FILTERS[target]
        page = getattr(identity, rpc)(caller, {"region": region, "q": w.other["name"]
                                               if target != "in_scope" else w.home["name"]})
        assert all(i["region_code"].startswith(prefix_of(region)) for i in page["items"])
        expected = w.home if target == "in_scope" else w.other
        assert expected["person_id"] in {i["person_id"] for i in page["items"]}
        # without a filter: exactly the caller's scope
        unfiltered = getattr(identity, rpc)(caller, {"q": w.other["name"]})
        assert (w.other["person_id"] in {i["person_id"] for i in unfiltered["items"]}) == \
            Caller.from_dict(caller).covers(LUNAN_COMMUNITY)
    return act


def _interest_id(identity, w: World, target) -> str:
    """A resident's registration of interest in the target's community (or an unknown id)."""
    if target == "missing":
        return str(uuid.uuid4())
    _, phone = fresh_numbers(elder=False)
    region = REGIONS[target]
    identity.register_interest({"name": "矩阵意向", "phone": phone, "region_code": region})
    staff = _admin(w)
    [item] = [i for i in identity.list_interest(staff, {"region": region, "status": "new",
                                                        "page": 1, "page_size": 100})["items"]
              if i["phone_masked"].endswith(phone[-4:]) and i["phone_masked"][:3] == phone[:3]]
    return item["interest_id"]


def _list_interest(identity, w: World, role, caller, target):
    page = identity.list_interest(caller, {"region": FILTERS[target], "page": 1,
                                           "page_size": 20})
    assert all(i["region_code"].startswith(prefix_of(FILTERS[target])) for i in page["items"])


def _get_interest(identity, w: World, role, caller, target):
    interest_id = _interest_id(identity, w, target)
    assert identity.get_interest(caller, interest_id, False)["interest_id"] == interest_id


def _set_interest_status(identity, w: World, role, caller, target):
    interest_id = _interest_id(identity, w, target)
    answer = identity.set_interest_status(caller, interest_id, {"status": "contacted"})
    assert answer["status"] == "contacted"


def _national_volunteers(identity, w: World, role, caller, target):
    person_id = _person_id(w, caller, target)
    identity.national_volunteers(caller, [person_id], {
        "reference": "matrix", "kind": "national_records", "region_code": REGIONS[target]})
    raise AssertionError("only reporting's system caller reads these")


_IMPORT_FILE = {"kind": "registry_status", "file_name": "核验结果.csv",
                "content": base64.b64encode(b"volunteer_number,status\r\n").decode()}
_IMPORT_STARTERS = {"other_township": QINGYUAN_TOWNSHIP, "other_city": LUNAN_TOWNSHIP}


def _start_import(identity, w: World, role, caller, target):
    assert identity.start_import(caller, _IMPORT_FILE)["status"] == "queued"


def _list_imports(identity, w: World, role, caller, target):
    assert isinstance(identity.list_imports(caller)["items"], list)


def _read_import(rpc: str):
    def act(identity, w: World, role, caller, target):
        if target == "missing":
            job_id = str(uuid.uuid4())
        else:
            starter = caller_of("station_operator", w.demo) if target == "in_scope" else \
                Caller(person_id=str(uuid.uuid4()), roles=("township_admin",),
                       scope=_IMPORT_STARTERS[target]).to_dict()
            job_id = identity.start_import(starter, _IMPORT_FILE)["id"]
        if rpc == "get_import":
            assert identity.get_import(caller, job_id)["id"] == job_id
        else:
            assert identity.import_errors(caller, job_id, {})["total"] == 0
    return act


ACTIONS = {
    "list_interest": _list_interest,
    "get_interest": _get_interest,
    "set_interest_status": _set_interest_status,
    "update_elder": _correct("update_elder"),
    "update_volunteer": _correct("update_volunteer"),
    "set_person_status": _set_person_status,
    "move_person": _move_person,
    "list_moves": _list_moves,
    "list_elders": _list_people("list_elders"),
    "list_volunteers": _list_people("list_volunteers"),
    "register_elder": _register_elder,
    "register_volunteer": _register_volunteer,
    "get_person": _get_person,
    "get_elder": _get_elder,
    "me": _me,
    "register_carrier": _register_carrier,
    "list_carriers": _list_carriers,
    "get_carrier": _get_carrier,
    "query_audit": _query_audit,
    "create_operator": _create_operator,
    "list_operators": _list_operators,
    "revoke_operator_grant": _revoke_operator_grant,
    "create_api_client": _create_api_client,
    "list_api_clients": _list_api_clients,
    "rotate_api_client_secret": _rotate_api_client_secret,
    "end_previous_api_client_secret": _end_previous_api_client_secret,
    "update_api_client": _update_api_client,
    "revoke_api_client": _revoke_api_client,
    "submit_priority": _submit_priority,
    "verify_priority": _verify_priority,
    "revoke_priority": _revoke_priority,
    "link_relatives": _link_relatives,
    "verify_relatives": _verify_relatives,
    "list_relatives": _list_relatives,
    **{rpc: _volunteer_write(rpc) for rpc in VOLUNTEER_WRITES},
    "eligibility": _eligibility,
    "add_qualification": _add_qualification,
    "verify_qualification": _verify_qualification,
    "list_qualifications": _list_qualifications,
    "identity_stats": _identity_stats,
    "set_elder_proxy": _set_elder_proxy,
    "remove_elder_proxy": _remove_elder_proxy,
    "national_volunteers": _national_volunteers,
    "start_import": _start_import,
    "list_imports": _list_imports,
    "get_import": _read_import("get_import"),
    "import_errors": _read_import("import_errors"),
}


@pytest.mark.parametrize(("rpc", "role", "target", "expected"), CELLS)
def test_cell(identity, world, rpc, role, target, expected):
    caller = caller_of(role, world.demo)
    act = ACTIONS[rpc]
    assert outcome(lambda: act(identity, world, role, caller, target)) == expected
