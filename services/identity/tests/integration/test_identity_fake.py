"""The identity fake other services' tests use (``timebank_testing.identity_fake``) answers in
identity's shapes: the same people registered in the real service (in process, rolled back)
and in the fake give answers with the same keys and kinds of values, RPC by RPC; and the fake
runs as a nameko service that a caller's timeout sees fall silent."""
import datetime as dt

import pytest
from timebank_testing.identity_fake import RPCS, IdentityFake

from identity.commands.demo import STATION_ID, YUCAI, demo_id_number
from timebank_common import remote
from timebank_common.caller import Caller
from timebank_common.errors import NotFound, Unavailable

OPERATOR, TOWNSHIP_ADMIN = "13800000005", "13800000004"
MAPS = {"names", "by_background_tag", "by_sex", "by_age_band", "by_hardship_category",
        "by_kind"}  # keyed by data, not by field names


def shape(value, key=None):
    """Keys and kinds of values, recursively (a list: the shape of its first item)."""
    if isinstance(value, dict):
        if key in MAPS:
            return ("map", frozenset(shape(v) for v in value.values()))
        return {k: shape(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0], key)] if value else []
    return None if value is None else type(value).__name__


def same_shape(real, fake, path="answer"):
    """The differences between two shapes (None, an empty list: either side may be empty)."""
    if real is None or fake is None or real == [] or fake == []:
        return []
    if isinstance(real, dict) and isinstance(fake, dict):
        problems = [f"{path}: keys {sorted(set(real) ^ set(fake))}"] if set(real) != set(fake) \
            else []
        return problems + [p for k in set(real) & set(fake)
                           for p in same_shape(real[k], fake[k], f"{path}.{k}")]
    if isinstance(real, list) and isinstance(fake, list):
        return same_shape(real[0], fake[0], f"{path}[0]")
    if isinstance(real, tuple) and isinstance(fake, tuple):  # maps: kinds of values
        return [] if not (real[1] and fake[1]) or real[1] == fake[1] else [f"{path}: {real} {fake}"]
    kinds = {real, fake}
    return [] if real == fake or kinds <= {"int", "float"} else [f"{path}: {real} != {fake}"]


@pytest.fixture
def both(identity, login, clock, demo):
    """The same people in identity and in the fake: an elder of the demo station with a
    verified daughter acting for her, an eligible volunteer holding a nurse qualification."""
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    elder = identity.register_elder(operator, {
        "name": "李淑英", "id_number": demo_id_number("19400101", "842"), "phone": "13812340001",
        "region_code": YUCAI})
    daughter = identity.register_volunteer(operator, {
        "name": "张丽", "id_number": demo_id_number("19720101", "862"), "phone": "13812340002",
        "region_code": YUCAI, "initial_password": "Daughter@2026", "volunteer_number": "VF01",
        "registry_status": "verified", "screening": "clear", "health_declared": True,
        "training_hours_completed": 8})
    link = identity.link_relatives(operator, {"person_id": elder["person_id"],
                                              "relative_person_id": daughter["person_id"],
                                              "kind": "child", "evidence": "户口簿"})
    identity.verify_relatives(township, link["link_id"], {"decision": "verify"})
    identity.set_elder_proxy(operator, elder["person_id"],
                             {"proxy_person_id": daughter["person_id"]})
    added = identity.add_qualification(operator, daughter["person_id"], {
        "kind": "nurse", "number": "N-1", "issuer": "河北省卫生健康委员会",
        "valid_until": (dt.date(2026, 6, 15) + dt.timedelta(days=10)).isoformat()})
    identity.verify_qualification(township, added["qualification_id"], {"decision": "verify"})

    fake = IdentityFake(known_only=True, clock=clock)
    fake.add_carrier(str(STATION_ID), region_code=YUCAI)
    fake.add_region(YUCAI, "育才社区居委会", parent_code="130102001000")
    fake.add_elder(elder["person_id"], name="李淑英", age=86, region_code=YUCAI,
                   carrier_id=str(STATION_ID), phone="13812340001")
    fake.add_volunteer(daughter["person_id"], name="张丽", region_code=YUCAI,
                       phone="13812340002")
    fake.add_qualification(daughter["person_id"], "nurse",
                           dt.date(2026, 6, 15) + dt.timedelta(days=10))
    fake.add_proxy(daughter["person_id"], elder["person_id"])
    fake.add_station_operator(demo["persons"]["station_operator"], str(STATION_ID))
    fake.add_township_admin(demo["persons"]["township_admin"], "130102001000")
    return {"elder": elder["person_id"], "daughter": daughter["person_id"], "fake": fake,
            "operator": operator}


def test_the_fake_answers_in_identitys_shapes(identity, both):
    elder, daughter, fake, operator = (both["elder"], both["daughter"], both["fake"],
                                       both["operator"])
    admin = Caller("pa", ("province_admin",), "130000000000").to_dict()
    questions = {
        "check_volunteer": (daughter,),
        "get_person": (operator, daughter),
        "get_elder": (operator, elder),
        "may_act_for": (daughter, elder),
        "elders_acted_for": (daughter,),
        "are_direct_relatives": (elder, daughter),
        "contact_details": ([elder, daughter],),
        "person_names": ([elder, daughter],),
        "place_names": ([YUCAI], [str(STATION_ID)]),
        "person_standing": ([elder, daughter, "00000000-0000-0000-0000-000000000000"],),
        "station_staff": (str(STATION_ID), "130102001000"),
        "qualifications_expiring": (None, 30),
        "priority_elders": ("130102000000",),
        "get_carrier": (operator, str(STATION_ID)),
        "get_region": (YUCAI,),
        "list_regions": ("130102001000",),
        "matching_volunteers": (None, 1000),
        "identity_stats": (admin, YUCAI),
        "active_revocations": (),
    }
    assert set(questions) == set(RPCS)
    for rpc, args in questions.items():
        real, faked = getattr(identity, rpc)(*args), getattr(fake, rpc)(*args)
        assert same_shape(shape(real), shape(faked)) == [], rpc
    assert fake.get_elder(operator, elder, True).keys() == \
        identity.get_elder(operator, elder, True).keys()
    assert fake.get_elder(operator, elder)["proxies"][0]["kind"] == "child"
    assert fake.person_standing([elder, daughter, "nobody"]) == \
        identity.person_standing([elder, daughter, "nobody"])
    assert fake.are_direct_relatives(daughter, elder) == \
        identity.are_direct_relatives(daughter, elder)
    assert fake.may_act_for(both["operator"]["person_id"], elder) is \
        identity.may_act_for(both["operator"]["person_id"], elder) is True


def test_unknown_people_are_refused_as_identity_refuses_them(identity, both):
    fake, operator = both["fake"], both["operator"]
    for rpc, args in (("check_volunteer", (both["elder"],)),
                      ("get_elder", (operator, both["daughter"])),
                      ("get_person", (operator, "00000000-0000-0000-0000-000000000001"))):
        with pytest.raises(NotFound) as real:
            getattr(identity, rpc)(*args)
        with pytest.raises(NotFound) as faked:
            getattr(fake, rpc)(*args)
        assert faked.value.code == real.value.code, rpc


def test_as_a_service_the_fake_answers_and_falls_silent(start_service, service_config, rpc):
    fake = IdentityFake()
    elder = fake.add_elder(region_code="130102001001")
    start_service(fake.service_class(), service_config(None))
    with rpc("identity") as identity:
        assert identity.get_elder({"person_id": "op", "roles": ["station_operator"]},
                                  elder)["region_code"] == "130102001001"
        assert identity.check_volunteer("anyone")["eligible"] is True
        fake.silent("check_volunteer")
        with pytest.raises(Unavailable) as info:
            remote.ask({"IDENTITY_RPC_TIMEOUT_SECONDS": 0.3}, identity, "identity",
                       "check_volunteer", "anyone")
        assert info.value.code == "identity_unavailable"
        assert identity.may_act_for("someone", elder) is False  # the others still answer
    # stopping the container releases the held call at once (no 30 s wait)


def test_person_standing_answers_known_people_where_they_are_now():
    fake = IdentityFake()
    elder = fake.add_elder(region_code="130102001001", carrier_id="c-1")
    volunteer = fake.add_volunteer(region_code="130102002003")
    fake.move(volunteer, "130202001001")
    fake.set_status(elder, "deceased")
    items = {i["person_id"]: i for i in fake.person_standing([elder, volunteer, "nobody"])["items"]}
    assert set(items) == {elder, volunteer}
    assert items[elder] == {"person_id": elder, "region_code": "130102001001",
                            "status": "deceased", "profiles": ["elder"], "carrier_id": "c-1"}
    assert items[volunteer]["region_code"] == "130202001001"
    assert items[volunteer]["profiles"] == ["volunteer"]


def test_the_fake_follows_a_standing_change_as_identity_does(identity, both):
    """A deceased elder: nobody acts for her, the pool leaves her out; a withdrawn volunteer:
    not eligible, ``not_active`` first, out of matching — in the fake as in identity."""
    elder, daughter, fake, operator = (both["elder"], both["daughter"], both["fake"],
                                       both["operator"])
    identity.set_person_status(operator, elder, {"status": "deceased", "reason": "病故"})
    identity.set_person_status(operator, daughter, {"status": "withdrew", "reason": "本人申请"})
    fake.set_status(elder, "deceased")
    fake.set_status(daughter, "withdrew")
    for ask in (lambda s: s.may_act_for(daughter, elder),
                lambda s: s.may_act_for(operator["person_id"], elder),
                lambda s: s.elders_acted_for(daughter),
                lambda s: [e["person_id"] for e in s.priority_elders("130102000000")
                           if e["person_id"] == elder],
                lambda s: {k: s.check_volunteer(daughter)[k] for k in ("eligible",)},
                lambda s: s.check_volunteer(daughter)["reasons"][0]["code"],
                lambda s: [v for v in s.matching_volunteers(None, 1000)["items"]
                           if v["person_id"] == daughter],
                lambda s: s.person_standing([elder, daughter])):
        assert ask(fake) == ask(identity)
