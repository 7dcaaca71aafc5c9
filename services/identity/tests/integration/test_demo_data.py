"""The demo data a person can try: the relative acts for the elder, and 唐山 has a station,
an operator, an eligible volunteer and the demo volunteer's mother."""
from identity.commands.demo import (
    DEMO_ACCOUNTS,
    DEMO_LOGINS,
    QIAOTUN_COMMUNITY,
    TANGSHAN_ACCOUNTS,
    TANGSHAN_STATION_ID,
)

TANGSHAN_OPERATOR, TANGSHAN_RELATIVE = "13800000010", "13800000012"


def test_the_demo_relative_is_a_verified_child_and_proxy_of_the_demo_elder(identity, demo,
                                                                           login):
    elder, relative = demo["persons"]["elder"], demo["persons"]["relative"]
    assert identity.may_act_for(relative, elder) is True
    assert identity.elders_acted_for(relative) == [elder]
    assert identity.are_direct_relatives(relative, elder)["related"] is True
    [proxy] = identity.get_elder(login("13800000005"), elder)["proxies"]
    assert proxy["person_id"] == relative and proxy["kind"] == "child"


def test_tangshan_has_a_station_an_operator_an_eligible_volunteer_and_a_relative(
        identity, demo, login):
    tangshan = demo["tangshan"]
    assert tangshan["carrier_id"] == str(TANGSHAN_STATION_ID)
    operator = login(TANGSHAN_OPERATOR)
    assert operator["carrier_id"] == tangshan["carrier_id"] and operator["scope"].startswith(
        "130203")
    check = identity.check_volunteer(tangshan["persons"]["volunteer"])
    assert check["eligible"] is True and check["region_code"] == QIAOTUN_COMMUNITY
    mother = tangshan["persons"]["relative"]
    assert identity.are_direct_relatives(demo["persons"]["volunteer"], mother)["related"]
    assert login(TANGSHAN_RELATIVE)["person_id"] == mother
    # the 唐山 station sees its own people, not 石家庄's
    listed = {v["person_id"] for v in identity.list_volunteers(operator, {})["items"]}
    assert tangshan["persons"]["volunteer"] in listed
    assert demo["persons"]["volunteer"] not in listed
    # one 石家庄 login per role (what tests pick from); every printed login works
    assert len({a["role"] for a in DEMO_ACCOUNTS}) == len(DEMO_ACCOUNTS)
    assert DEMO_LOGINS == DEMO_ACCOUNTS + TANGSHAN_ACCOUNTS
    for account in TANGSHAN_ACCOUNTS:
        caller = login(account["phone"], account["password"])
        assert caller["roles"] == [account["role"]] and caller["name"] == account["name"]
