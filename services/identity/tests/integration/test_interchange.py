"""What reporting reads for the national volunteer system's export: volunteer number, name, ID
type and full ID number of up to 500 persons, only for reporting's system caller, every call
audited (what, how many, for which export); stations' names."""
import datetime as dt
import random

import pytest

from identity.commands.demo import demo_id_number
from timebank_common.caller import system_caller
from timebank_common.errors import BadInput, Forbidden, Unauthenticated

OPERATOR, AUDITOR = "13800000005", "13800000006"
YUCAI = "130102001001"
EXPORT = {"reference": "job-national-1", "kind": "national_records", "region_code": YUCAI}
_BLOCK = random.randrange(1000)


def register(identity, operator, n: int, **changes) -> dict:
    born = dt.date(1985, 3, 1) + dt.timedelta(days=n)
    data = {"name": f"钱志愿{n}", "id_number": demo_id_number(f"{born:%Y%m%d}", "437"),
            "phone": f"1355{_BLOCK:03d}{n:04d}", "region_code": YUCAI,
            "volunteer_number": f"NT{_BLOCK:03d}{n:04d}", "initial_password": "Volunteer@2026",
            **changes}
    return {**identity.register_volunteer(operator, data), "id_number": data["id_number"],
            "volunteer_number": data["volunteer_number"]}


def test_reporting_reads_the_national_fields_and_each_call_is_audited(identity, login, demo):
    operator, auditor = login(OPERATOR), login(AUDITOR)
    first, second = register(identity, operator, 1), register(identity, operator, 2,
                                                               volunteer_number=None)
    unknown = "00000000-0000-0000-0000-000000000000"
    elder = demo["persons"]["elder"]  # a person, but no volunteer: not read
    asked = [first["person_id"], second["person_id"], unknown, "not-an-id", elder]
    items = identity.national_volunteers(system_caller("reporting"), asked, EXPORT)["items"]
    assert sorted(items, key=lambda i: i["name"]) == [
        {"person_id": first["person_id"], "volunteer_number": first["volunteer_number"],
         "name": "钱志愿1", "id_type": "resident_id_card", "id_number": first["id_number"]},
        {"person_id": second["person_id"], "volunteer_number": None, "name": "钱志愿2",
         "id_type": "resident_id_card", "id_number": second["id_number"]}]
    [entry] = identity.query_audit(auditor, {"action": "read_for_interchange"})["items"]
    assert (entry["actor_client_id"], entry["actor_roles"], entry["actor_person_id"]) == \
        ("service:reporting", ["system"], None)
    assert (entry["target_type"], entry["target_id"], entry["region_code"]) == \
        ("export", "job-national-1", YUCAI)
    after = entry["after"]
    assert (after["for"], after["asked"], after["found"]) == ("national_records", 5, 2)
    assert after["fields"] == ["volunteer_number", "name", "id_type", "id_number"]
    assert sorted(after["person_ids"]) == sorted([first["person_id"], second["person_id"]])
    assert first["id_number"] not in str(entry)  # the log never holds the number itself
    identity.national_volunteers(system_caller("reporting"), [first["person_id"]], EXPORT)
    assert identity.query_audit(auditor, {"action": "read_for_interchange"})["total"] == 2


@pytest.mark.parametrize("caller", [
    "operator", "province_admin", system_caller("notify"),
    {"person_id": None, "roles": ["api_client"], "scope": "130100000000",
     "client_id": "service:reporting"},
])
def test_nobody_but_reporting_reads_them_and_a_refusal_is_not_audited(identity, login, caller):
    logins = {"operator": OPERATOR, "province_admin": "13800000001"}
    as_caller = login(logins[caller]) if isinstance(caller, str) else caller
    volunteer = register(identity, login(OPERATOR), 3)
    with pytest.raises(Forbidden) as refused:
        identity.national_volunteers(as_caller, [volunteer["person_id"]], EXPORT)
    assert refused.value.code == "service_only"
    assert identity.query_audit(login(AUDITOR), {"action": "read_for_interchange"})["total"] == 0


def test_no_caller_too_many_ids_or_no_export_named_are_refused(identity):
    with pytest.raises(Unauthenticated):
        identity.national_volunteers(None, [], EXPORT)
    with pytest.raises(BadInput):
        identity.national_volunteers(system_caller("reporting"), ["x"] * 501, EXPORT)
    with pytest.raises(BadInput):
        identity.national_volunteers(system_caller("reporting"), [], {"kind": "x"})
