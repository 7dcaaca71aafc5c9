"""What several demand integration modules start beside the demand service."""
import pytest

from timebank_common.service import rpc as rpc_method

REGION = "130102001001"  # the community every plain elder lives in


class PlainIdentity:
    """A stand-in ``identity``: every elder lives in ``REGION`` with no station, every
    volunteer is eligible, nobody is related to anybody and nobody acts for an elder."""
    name = "identity"

    @rpc_method
    def get_elder(self, caller, person_id):
        return {"person_id": person_id, "name": "张大爷", "region_code": REGION,
                "carrier_id": None}

    @rpc_method
    def check_volunteer(self, person_id):
        return {"person_id": person_id, "name": "志愿者", "region_code": "130102002003",
                "eligible": True, "reasons": []}

    @rpc_method
    def are_direct_relatives(self, person_a, person_b):
        return {"related": False, "kind": None}

    @rpc_method
    def may_act_for(self, person_id, elder_id):
        return False


@pytest.fixture(scope="session")
def plain_identity():
    """The ``PlainIdentity`` class, for ``start_module_service(plain_identity, config)``."""
    return PlainIdentity
