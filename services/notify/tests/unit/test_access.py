"""Who may read and change what in notify."""
import pytest

from notify.domain import access
from notify.domain.delivery import Contact
from timebank_common.caller import Caller
from timebank_common.errors import Forbidden, NotFound

TOWNSHIP = "130102001000"
ELDER = Contact("e-1", "王秀英", carrier_id="c-1", region_code="130102001001", is_elder=True)


def caller(*roles, person="p-1", scope=TOWNSHIP, carrier=None):
    return Caller(person, tuple(roles), scope, carrier_id=carrier)


def test_an_inbox_is_a_persons_own():
    assert access.inbox_owner(caller("volunteer")) == "p-1"
    with pytest.raises(Forbidden) as refused:
        access.inbox_owner(Caller(None, ("api_client",), TOWNSHIP, client_id="city"))
    assert refused.value.code == "person_required"


def test_preferences_are_ones_own_or_for_staff_an_elders():
    assert access.own_preferences(caller("elder"), None) == "p-1"
    assert access.own_preferences(caller("elder"), "p-1") == "p-1"
    with pytest.raises(Forbidden) as refused:
        access.own_preferences(caller("volunteer"), "e-1")
    assert refused.value.code == "not_your_preferences"
    assert access.own_preferences(caller("station_operator", carrier="c-1"), "e-1") is None
    with pytest.raises(Forbidden):
        access.own_preferences(Caller(None, ("api_client",), TOWNSHIP), None)


def test_staff_look_after_their_stations_elders_and_admins_their_regions():
    access.check_looks_after(caller("station_operator", carrier="c-1"), ELDER)
    # another station, though in the township, or another township: answered as nobody
    with pytest.raises(NotFound) as refused:
        access.check_looks_after(caller("station_operator", carrier="c-2"), ELDER)
    assert refused.value.code == "person_not_found"
    access.check_looks_after(caller("township_admin"), ELDER)
    with pytest.raises(NotFound) as outside:
        access.check_looks_after(caller("township_admin", scope="130102002000"), ELDER)
    with pytest.raises(NotFound) as nobody:
        access.check_looks_after(caller("township_admin"), None)
    assert outside.value.to_body() == nobody.value.to_body()


def test_call_tasks_a_station_its_own_admins_and_auditors_their_regions():
    assert access.call_tasks_visible_to(caller("station_operator", carrier="c-1")) == \
        access.CallTaskScope(carrier_id="c-1")
    assert access.call_tasks_visible_to(caller("county_admin", scope="130102000000")) == \
        access.CallTaskScope(region_prefix="130102")
    assert access.call_tasks_visible_to(caller("auditor")).region_prefix == "130102001"
    with pytest.raises(Forbidden):
        access.call_tasks_visible_to(caller("volunteer"))
    with pytest.raises(Forbidden):
        access.check_may_record_calls(caller("auditor"))
    access.check_may_record_calls(caller("station_operator", carrier="c-1"))
    assert access.may_handle_task(caller("station_operator", carrier="c-1"), "c-1", None)
    assert not access.may_handle_task(caller("station_operator", carrier="c-1"), "c-2",
                                      "130102001001")
    assert access.may_handle_task(caller("township_admin"), "c-2", "130102001001")
    assert not access.may_handle_task(caller("township_admin"), "c-2", "130103001001")
