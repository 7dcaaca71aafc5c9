"""A municipal system (role ``api_client``, its city's scope) registers and corrects the
elders its hotline already knows, under the same rules and audit as staff (the audit entry
names the client); volunteers only when the province allows it that client
(``may_register_volunteers``, set by a province or city admin; off by default)."""
import pytest

from identity.commands.demo import DEMO_API_CLIENT
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound, RuleViolation

from .conftest import caller_from_token
from .test_registration import COMMUNITY, elder_data, new_numbers, volunteer_data

PROVINCE_ADMIN, CITY_ADMIN, STATION_OPERATOR = "13800000001", "13800000002", "13800000005"
TANGSHAN_COMMUNITY = "130203001001"


@pytest.fixture
def client(identity, public_key, clock):
    """The demo municipal system of 石家庄 as the gateway passes it."""
    tokens = identity.client_token(DEMO_API_CLIENT["client_id"], DEMO_API_CLIENT["client_secret"])
    return caller_from_token(public_key, tokens["access_token"], clock)


def entries(identity, login, action):
    admin = login(PROVINCE_ADMIN)
    return identity.query_audit(admin, {"action": action})["items"]


def test_a_municipal_system_registers_an_elder_of_its_city_audited_in_its_name(
        identity, client, login, events):
    elder = identity.register_elder(client, elder_data(phone_only=False))
    assert elder["region_code"] == COMMUNITY
    [registered] = events("person_registered")
    assert registered["person_id"] == elder["person_id"] and registered["profile"] == "elder"
    [entry] = [e for e in entries(identity, login, "register_elder")
               if e["target_id"] == elder["person_id"]]
    assert entry["actor_client_id"] == DEMO_API_CLIENT["client_id"]
    assert entry["actor_person_id"] is None and entry["actor_roles"] == ["api_client"]


def test_the_same_rules_hold_for_a_municipal_system_as_for_staff(identity, client):
    with pytest.raises(RuleViolation) as young:
        identity.register_elder(client, elder_data(id_number=new_numbers("19900512", True)[0]))
    assert young.value.code == "not_elderly"
    with pytest.raises(BadInput) as bad:
        identity.register_elder(client, elder_data(id_number="123"))
    assert bad.value.code in ("invalid_id_number", "validation_failed")
    data = elder_data()
    identity.register_elder(client, data)
    with pytest.raises(Conflict) as twice:
        identity.register_elder(client, {**data, "phone": None})
    assert twice.value.code == "already_registered"


def test_another_citys_elder_is_out_of_its_scope(identity, client):
    with pytest.raises(Forbidden) as refused:
        identity.register_elder(client, elder_data(region_code=TANGSHAN_COMMUNITY))
    assert refused.value.code == "out_of_scope"


def test_a_municipal_system_corrects_its_citys_elder_audited(identity, client, login):
    elder = identity.register_elder(client, elder_data())
    changed = identity.update_elder(client, elder["person_id"], {"address": "育才街14号"})
    assert changed["person_id"] == elder["person_id"]
    [entry] = [e for e in entries(identity, login, "update_elder")
               if e["target_id"] == elder["person_id"]]
    assert entry["actor_client_id"] == DEMO_API_CLIENT["client_id"]


def test_volunteers_only_when_an_admin_allowed_that_client(identity, client, login):
    with pytest.raises(Forbidden) as refused:
        identity.register_volunteer(client, volunteer_data())
    assert refused.value.code == "client_may_not_register_volunteers"
    assert refused.value.zh and refused.value.en

    city = login(CITY_ADMIN)
    allowed = identity.update_api_client(city, DEMO_API_CLIENT["client_id"],
                                         {"may_register_volunteers": True})
    assert allowed["may_register_volunteers"] is True
    [entry] = entries(identity, login, "update_api_client")[:1]
    assert entry["before"]["may_register_volunteers"] is False
    assert entry["after"]["may_register_volunteers"] is True

    volunteer = identity.register_volunteer(client, volunteer_data())  # the same token
    assert identity.update_volunteer(client, volunteer["person_id"],
                                     {"address": "育才街3号"})["person_id"] == \
        volunteer["person_id"]

    identity.update_api_client(city, DEMO_API_CLIENT["client_id"],
                               {"may_register_volunteers": False})
    with pytest.raises(Forbidden):
        identity.register_volunteer(client, volunteer_data())
    with pytest.raises(Forbidden):
        identity.update_volunteer(client, volunteer["person_id"], {"address": "育才街5号"})


def test_only_province_and_city_admins_set_the_flag_and_it_starts_off(identity, login):
    operator = login(STATION_OPERATOR)
    with pytest.raises(Forbidden):
        identity.update_api_client(operator, DEMO_API_CLIENT["client_id"],
                                   {"may_register_volunteers": True})
    with pytest.raises(BadInput):
        identity.update_api_client(login(PROVINCE_ADMIN), DEMO_API_CLIENT["client_id"], {})
    with pytest.raises(NotFound):
        identity.update_api_client(login(PROVINCE_ADMIN), "no-such-client",
                                   {"may_register_volunteers": True})
    made = identity.create_api_client(login(PROVINCE_ADMIN), {
        "name": "保定市民政局业务系统", "scope_code": "130600000000"})
    assert made["may_register_volunteers"] is False
    allowed = identity.create_api_client(login(PROVINCE_ADMIN), {
        "name": "唐山市民政局业务系统", "scope_code": "130200000000",
        "may_register_volunteers": True})
    assert allowed["may_register_volunteers"] is True
