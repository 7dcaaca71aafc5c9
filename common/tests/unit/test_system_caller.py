"""A service asking another for itself: its system caller, told apart from people and clients."""
import pytest

from timebank_common.caller import SYSTEM_ROLE, Caller, system_caller
from timebank_common.errors import Forbidden


def test_a_system_caller_is_its_service_and_no_other():
    reporting = Caller.from_dict(system_caller("reporting"))
    assert reporting.is_service("reporting") and reporting.roles == (SYSTEM_ROLE,)
    reporting.require_service("reporting")
    assert not reporting.is_service("notify")
    with pytest.raises(Forbidden) as refused:
        reporting.require_service("notify")
    assert refused.value.code == "service_only"


@pytest.mark.parametrize("caller", [
    {"person_id": "p-1", "roles": ["province_admin"], "scope": "130000000000"},
    {"person_id": None, "roles": ["api_client"], "scope": "130100000000",
     "client_id": "service:reporting"},  # a client cannot claim a service's name
    {"person_id": "p-1", "roles": [SYSTEM_ROLE], "client_id": "service:reporting"},
    {"person_id": None, "roles": [SYSTEM_ROLE], "client_id": "reporting"},
])
def test_people_and_clients_are_not_system_callers(caller):
    with pytest.raises(Forbidden):
        Caller.from_dict(caller).require_service("reporting")
