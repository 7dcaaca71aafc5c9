"""The authorization matrix of notify: every RPC that acts for a caller × every role of
DESIGN.md §4 × a target inside and outside the caller's scope, allow or the exact refusal.

A person, call task or message outside what the caller may see is answered exactly as one
nobody has (404 with the same code). Callers are built the way the gateway passes them; a
station operator works at the station of 育才社区. Targets:

- ``self`` / ``own``: the caller's own preferences, inbox or message;
- ``in_scope``: the phone-only elder of 育才社区's station (130102001001), their call task;
- ``other_city``: a phone-only elder of a 唐山 station (130202001001), their call task;
- ``other_person``: a message of someone else;
- ``missing``: an id nobody has.

Each cell runs on its own rolled-back unit of work.
"""
from __future__ import annotations

import datetime as dt
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

from .conftest import REGION, assigned, credited, event, someone

PROVINCE, SHIJIAZHUANG, CHANG_AN, TOWNSHIP = ("130000000000", "130100000000",
                                             "130102000000", "130102001000")
TANGSHAN = "130202001001"
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

ROLE = ROLE_REQUIRED
PERSON = (Forbidden, "person_required")
NOT_YOURS = (Forbidden, "not_your_preferences")
NO_PERSON = (NotFound, "person_not_found")
NO_TASK = (NotFound, "call_task_not_found")
NO_MESSAGE = (NotFound, "message_not_found")
NO_TEMPLATE = (NotFound, "template_not_found")
NO_WEBHOOK = (NotFound, "webhook_not_found")

PERSONS = ("province_admin", "city_admin", "county_admin", "township_admin",
           "station_operator", "auditor", "volunteer", "elder", "relative")
_ = NO_PERSON
PREFERENCES = (
    ("self", "in_scope", "other_city", "missing"), {
        "province_admin": (ALLOW, ALLOW, ALLOW, _),
        "city_admin": (ALLOW, ALLOW, _, _),
        "county_admin": (ALLOW, ALLOW, _, _),
        "township_admin": (ALLOW, ALLOW, _, _),
        "station_operator": (ALLOW, ALLOW, _, _),
        "auditor": (ALLOW, NOT_YOURS, NOT_YOURS, NOT_YOURS),
        "volunteer": (ALLOW, NOT_YOURS, NOT_YOURS, NOT_YOURS),
        "elder": (ALLOW, NOT_YOURS, NOT_YOURS, NOT_YOURS),
        "relative": (ALLOW, NOT_YOURS, NOT_YOURS, NOT_YOURS),
        "api_client": (NA, NOT_YOURS, NOT_YOURS, NOT_YOURS),
    })
MATRIX = {
    "inbox": (("own",), {**{r: (ALLOW,) for r in PERSONS}, "api_client": (PERSON,)}),
    "mark_read": (
        ("own", "other_person", "missing"), {
            **{r: (ALLOW, NO_MESSAGE, NO_MESSAGE) for r in PERSONS},
            "api_client": (PERSON, PERSON, PERSON)}),
    "preferences": PREFERENCES,
    "set_preferences": PREFERENCES,
    "call_tasks": (  # the target: the caller's own station or scope (only its tasks listed)
        ("own_scope",), {
            **{r: (ALLOW,) for r in ("province_admin", "city_admin", "county_admin",
                                     "township_admin", "station_operator", "auditor")},
            "volunteer": (ROLE,), "elder": (ROLE,), "relative": (ROLE,), "api_client": (ROLE,),
        }),
    "record_call": (
        ("in_scope", "other_city", "missing"), {
            "province_admin": (ALLOW, ALLOW, NO_TASK),
            "city_admin": (ALLOW, NO_TASK, NO_TASK),
            "county_admin": (ALLOW, NO_TASK, NO_TASK),
            "township_admin": (ALLOW, NO_TASK, NO_TASK),
            "station_operator": (ALLOW, NO_TASK, NO_TASK),
            **{r: (ROLE, ROLE, ROLE) for r in ("auditor", "volunteer", "elder", "relative",
                                               "api_client")},
        }),
    "templates": (
        ("catalogue",), {
            **{r: (ALLOW,) for r in ("province_admin", "city_admin", "county_admin",
                                     "auditor")},
            **{r: (ROLE,) for r in ("township_admin", "station_operator", "volunteer",
                                    "elder", "relative", "api_client")},
        }),
    "set_template": (
        ("existing", "missing"), {
            **{r: (ROLE, ROLE) for r in ROLES},
            "province_admin": (ALLOW, NO_TEMPLATE),
        }),
    # the change feed and webhooks: municipal systems only, each its own city and endpoints
    "changes": (("own_city",), {**{r: (ROLE,) for r in PERSONS}, "api_client": (ALLOW,)}),
    "webhooks": (("own",), {**{r: (ROLE,) for r in PERSONS}, "api_client": (ALLOW,)}),
    "create_webhook": (("new",), {**{r: (ROLE,) for r in PERSONS}, "api_client": (ALLOW,)}),
    "delete_webhook": (
        ("own", "other_client", "missing"), {
            **{r: (ROLE, ROLE, ROLE) for r in PERSONS},
            "api_client": (ALLOW, NO_WEBHOOK, NO_WEBHOOK)}),
}


def test_the_matrix_covers_every_rpc_that_acts_for_a_caller():
    """A new caller-taking RPC without a row fails here (internal RPCs take no caller)."""
    from notify.service import NotifyService  # noqa: PLC0415

    assert set(MATRIX) == caller_taking_rpcs(NotifyService)
    assert_rows_complete(MATRIX, ROLES)


@dataclass
class World:
    carrier: str
    elders: dict[str, str]  # target -> elder id
    tasks: dict[str, str]  # target -> open call task id
    someone_elses_message: str


@pytest.fixture
def world(notify, identity, clock):
    carriers = {"in_scope": str(uuid.uuid4()), "other_city": str(uuid.uuid4())}
    elders, tasks = {"missing": str(uuid.uuid4())}, {"missing": str(uuid.uuid4())}
    volunteer, _ = someone(identity, name="李明")
    admin = {"person_id": "adm-hb", "roles": ["province_admin"], "scope": PROVINCE}
    for target, region in (("in_scope", REGION), ("other_city", TANGSHAN)):
        elder, elder_caller = someone(identity, "elder", name="王秀英", region_code=region,
                                      phone_only=True, carrier_id=carriers[target])
        notify.set_preferences(elder_caller, {"channels": ["call"], "quiet_hours": None})
        notify.on_demand_assigned(assigned(volunteer, elder,
                                           clock.now() + dt.timedelta(days=3)))
        elders[target] = elder
    notify.send_due()
    for task in notify.call_tasks(admin, {})["items"]:
        tasks[next(t for t, e in elders.items() if e == task["elder_id"])] = task["id"]
    message = notify.inbox({"person_id": elders["in_scope"], "roles": ["elder"],
                            "scope": REGION}, {})["items"][0]["id"]
    return World(carriers["in_scope"], elders, tasks, message)


def caller_of(role, w: World):
    caller = {"person_id": None if role == "api_client" else f"{role}-{uuid.uuid4().hex[:6]}",
              "roles": [role], "scope": SCOPES[role]}
    if role == "station_operator":
        caller["carrier_id"] = w.carrier
    if role == "api_client":
        caller["client_id"] = "client-sjz"
    return caller


def _target_person(w, caller, target):
    return caller["person_id"] if target == "self" else w.elders[target]


def _inbox(notify, w, caller, target):
    if caller["person_id"]:
        notify.on_hours_credited(credited(caller["person_id"]))
    assert notify.inbox(caller, {})["total"] == 1


def _mark_read(notify, w, caller, target):
    if caller["person_id"]:
        notify.on_hours_credited(credited(caller["person_id"]))
    message_id = {"other_person": w.someone_elses_message, "missing": str(uuid.uuid4())}.get(
        target) or notify.inbox(caller, {})["items"][0]["id"]
    assert notify.mark_read(caller, message_id)["read_at"]


def _preferences(notify, w, caller, target):
    person = _target_person(w, caller, target)
    assert notify.preferences(caller, person)["person_id"] == person


def _set_preferences(notify, w, caller, target):
    person = _target_person(w, caller, target)
    saved = notify.set_preferences(caller, {"channels": ["sms"], "quiet_hours": None}, person)
    assert saved["person_id"] == person and saved["channels"] == ["sms"]


def _call_tasks(notify, w, caller, target):
    listed = {t["id"] for t in notify.call_tasks(caller, {})["items"]}
    assert w.tasks["in_scope"] in listed
    assert (w.tasks["other_city"] in listed) == (caller["scope"] == PROVINCE)


def _record_call(notify, w, caller, target):
    done = notify.record_call(caller, w.tasks[target], {"outcome": "reached"})
    assert done["status"] == "done"


def _templates(notify, w, caller, target):
    assert notify.templates(caller)["items"]


def _set_template(notify, w, caller, target):
    kind = "recording_overdue" if target == "existing" else "no_such_kind"
    edited = notify.set_template(caller, kind, "station", "zh-CN", {
        "title": "请登记服务时长", "body": "需求 {demand_ref} 尚未登记，请尽快登记。"})
    assert edited["title"] == "请登记服务时长"


def _changes(notify, w, caller, target):
    notify.feed_person_registered([event("person_registered", {
        "person_id": str(uuid.uuid4()), "profile": "elder", "region_code": REGION})])
    notify.feed_person_registered([event("person_registered", {
        "person_id": str(uuid.uuid4()), "profile": "elder", "region_code": TANGSHAN}, TANGSHAN)])
    assert [i["region_code"] for i in notify.changes(caller, {})["items"]] == [REGION]


def _hook(notify, client_id):
    client = {"person_id": None, "client_id": client_id, "roles": ["api_client"],
              "scope": SHIJIAZHUANG}
    return notify.create_webhook(client, {"url": f"https://{client_id}.example.cn/h"})


def _webhooks(notify, w, caller, target):
    _hook(notify, "client-other")
    assert notify.webhooks(caller)["items"] == []


def _create_webhook(notify, w, caller, target):
    assert notify.create_webhook(caller, {"url": "https://sjz.example.cn/h"})["secret"]


def _delete_webhook(notify, w, caller, target):
    webhook_id = {"own": lambda: _hook(notify, "client-sjz")["webhook_id"],
                  "other_client": lambda: _hook(notify, "client-other")["webhook_id"],
                  "missing": lambda: str(uuid.uuid4())}[target]()
    assert notify.delete_webhook(caller, webhook_id)["deleted"]


@pytest.mark.parametrize(("rpc", "role", "target", "expected"), matrix_cells(MATRIX, ROLES))
def test_cell(notify, world, rpc, role, target, expected):
    caller = caller_of(role, world)
    call = globals()[f"_{rpc}"]
    assert outcome(lambda: call(notify, world, caller, target)) == expected


def test_an_elder_outside_the_scope_answers_exactly_as_one_nobody_has(notify, world):
    city = caller_of("city_admin", world)
    assert_answers_alike(lambda: notify.preferences(city, world.elders["other_city"]),
                         lambda: notify.preferences(city, world.elders["missing"]))
