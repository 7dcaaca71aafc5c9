"""The identity fake on its own (no I/O): defaults, what tests register, refusals, silence,
and answers checked against identity's declared contracts."""
import datetime as dt

import pytest
from timebank_testing.identity_fake import IdentityFake

from timebank_common import remote
from timebank_common.clock import FixedClock
from timebank_common.errors import BadInput, Forbidden, NotFound, Unavailable
from timebank_common.service import ContractBroken

STATION = "7d8c2a6e-0000-4000-8000-000000000007"
OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000",
            "carrier_id": STATION}
CLOCK = FixedClock(dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC))


def test_unregistered_people_get_the_defaults_or_404_when_only_the_known_count():
    fake = IdentityFake(clock=CLOCK)
    assert fake.check_volunteer("vol-1") == {
        "person_id": "vol-1", "name": "志愿者", "region_code": "130102002003",
        "eligible": True, "reasons": [], "qualifications": []}
    elder = fake.get_elder(OPERATOR, "elder-1")
    assert (elder["region_code"], elder["carrier_id"], elder["age"]) == ("130102001001", None, 78)
    assert fake.are_direct_relatives("a", "b") == {"related": False, "kind": None}
    assert fake.may_act_for("a", "elder-1") is False and fake.elders_acted_for("a") == []
    assert fake.contact_details(["nobody"]) == {"items": []}
    strict = IdentityFake(known_only=True, clock=CLOCK)
    with pytest.raises(NotFound) as info:
        strict.check_volunteer("vol-1")
    assert info.value.code == "volunteer_not_found"
    fake.unknown("gone")
    with pytest.raises(NotFound) as info:
        fake.get_elder(OPERATOR, "gone")
    assert info.value.code == "person_not_found"


def test_registered_people_relatives_proxies_and_staff():
    fake = IdentityFake(clock=CLOCK)
    elder = fake.add_elder(age=85, carrier_id=STATION, hardship=["empty_nest"],
                           phone="13912345678", phone_only=True)
    volunteer = fake.add_volunteer(eligible=False, reasons=["training_short"],
                                   qualifications=["nurse"])
    daughter = fake.add_person(name="张丽")
    fake.add_proxy(daughter, elder)
    fake.add_station_operator("op-1", STATION)
    assert fake.get_elder(OPERATOR, elder)["priority_categories"] == ["empty_nest", "advanced_age"]
    assert fake.may_act_for(daughter, elder) and fake.may_act_for("op-1", elder)
    assert fake.elders_acted_for(daughter) == [elder]
    assert fake.are_direct_relatives(daughter, elder) == {"related": True, "kind": "parent"}
    assert fake.are_direct_relatives(elder, daughter) == {"related": True, "kind": "child"}
    check = fake.check_volunteer(volunteer)
    assert check["eligible"] is False and [r["code"] for r in check["reasons"]] == [
        "training_short"] and check["qualifications"] == ["nurse"]
    [contact] = fake.contact_details([elder])["items"]
    assert contact["phone"] == "13912345678" and contact["phone_only"] is True
    assert fake.station_staff(STATION)["items"] == [
        {"person_id": "op-1", "role": "station_operator", "name": "站点操作员"}]
    assert [e["person_id"] for e in fake.priority_elders("130102000000")] == [elder]
    assert fake.matching_volunteers()["items"] == []  # not eligible
    assert fake.calls[0][0] == "get_elder"
    fake.remove_proxy(daughter, elder)  # identity's remove_elder_proxy: the link stays
    assert fake.may_act_for(daughter, elder) is False and fake.elders_acted_for(daughter) == []
    assert fake.are_direct_relatives(daughter, elder)["related"] is True


def test_arguments_are_loaded_as_identity_loads_them():
    fake = IdentityFake(clock=CLOCK)
    with pytest.raises(BadInput):
        fake.contact_details(["x" * 65])  # identity refuses ids longer than 64
    with pytest.raises(BadInput):
        fake.priority_elders("13")  # not a 12-digit region code
    with pytest.raises(TypeError):
        fake.check_volunteer()  # identity's signature


def test_a_fake_answer_identity_could_not_give_is_refused():
    fake = IdentityFake(clock=CLOCK)
    volunteer = fake.add_volunteer(eligible=False, reasons=[{"code": "training_short"}])
    with pytest.raises(ContractBroken):  # a reason without its words
        fake.check_volunteer(volunteer)


def test_refusals_and_silence():
    fake = IdentityFake(clock=CLOCK)
    elder = fake.add_elder()
    fake.refuse("get_elder", Forbidden("out_of_scope", "范围外", "Out of scope"),
                when=lambda caller, person_id, *rest: caller.scope != "130102001000")
    assert fake.get_elder(OPERATOR, elder)["person_id"] == elder
    with pytest.raises(Forbidden):
        fake.get_elder({**OPERATOR, "scope": "130104001000"}, elder)
    fake.silent("check_volunteer", seconds=5)
    with pytest.raises(Unavailable):
        remote.ask({"IDENTITY_RPC_TIMEOUT_SECONDS": 0.1}, fake, "identity", "check_volunteer",
                   "vol-1")
    assert fake.may_act_for("a", elder) is False  # not silenced
    fake.speak()
    assert fake.check_volunteer("vol-1")["eligible"] is True
    fake.silent("check_volunteer", seconds=5, when=lambda person_id: person_id.startswith("slow-"))
    assert fake.check_volunteer("vol-2")["eligible"] is True  # answered at once
    with pytest.raises(Unavailable):
        remote.ask({"IDENTITY_RPC_TIMEOUT_SECONDS": 0.1}, fake, "identity", "check_volunteer",
                   "slow-1")
