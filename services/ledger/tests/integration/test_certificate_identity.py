"""Issuing a certificate when identity does not answer: the real ledger container, with a
stand-in ``identity`` whose answers can be held back longer than the ledger's
``IDENTITY_RPC_TIMEOUT_SECONDS``. The caller gets 503 ``identity_unavailable`` (Chinese and
English message) within about that timeout, for each of the three questions the certificate
asks (the person, the operator's station, the volunteer's region), instead of waiting as long
as identity takes; and no certificate is issued with a stand-in station name meanwhile."""
import time
import uuid

import eventlet
import pytest

from ledger.service import LedgerService
from timebank_common.errors import RuleViolation, Unavailable
from timebank_common.service import rpc as rpc_method

COMMUNITY = "130102001001"
TIMEOUT_SECONDS = 0.5
HELD_BACK_SECONDS = 4.0  # how long the stand-in takes when told to be slow
SLOW: set[str] = set()  # the stand-in's methods that are slow now (same process)
OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000",
            "carrier_id": "carrier-7"}


class StandInIdentity:
    name = "identity"

    def _maybe_slow(self, method: str) -> None:
        """Hold the answer back ``HELD_BACK_SECONDS``, or until the test is over (``SLOW``
        cleared), so that no held answer keeps the container from stopping."""
        held_until = time.monotonic() + HELD_BACK_SECONDS
        while method in SLOW and time.monotonic() < held_until:
            eventlet.sleep(0.05)

    @rpc_method
    def get_person(self, caller, person_id):
        self._maybe_slow("get_person")
        return {"person_id": person_id, "name": "王小明", "region_code": COMMUNITY,
                "id_number": "130102********0035", "volunteer_number": "V13011234567"}

    @rpc_method
    def get_carrier(self, caller, carrier_id):
        self._maybe_slow("get_carrier")
        return {"carrier_id": carrier_id, "name": "育才社区服务站"}

    @rpc_method
    def get_region(self, code):
        self._maybe_slow("get_region")
        return {"code": code, "name": "育才社区"}


@pytest.fixture(scope="module")
def running(service_config, start_module_service):
    start_module_service(StandInIdentity, service_config(None, max_workers=10))
    # the delivery limit of the other ledger modules: the event queues outlive a module
    start_module_service(LedgerService, service_config(
        "ledger", EVENT_DELIVERY_LIMIT=2, PUBLIC_BASE_URL="https://timebank.example.cn",
        IDENTITY_RPC_TIMEOUT_SECONDS=TIMEOUT_SECONDS))


@pytest.fixture
def ledger(running, rpc):
    SLOW.clear()
    with rpc("ledger", timeout=30) as proxy:
        yield proxy
    SLOW.clear()


def volunteer():
    person_id = str(uuid.uuid4())
    return person_id, {"person_id": person_id, "roles": ["volunteer"], "scope": None}


def issue_while_slow(ledger, slow: str, caller: dict, person_id: str):
    SLOW.add(slow)
    started = time.monotonic()
    with pytest.raises(Unavailable) as err:
        ledger.issue_certificate(caller, person_id, {"from": "2026-01-01", "to": "2026-01-31"})
    return err.value, time.monotonic() - started


def test_identity_answering_lets_the_request_through(ledger):
    person_id, me = volunteer()
    with pytest.raises(RuleViolation) as err:  # identity answered: on to the ledger's rules
        ledger.issue_certificate(me, person_id, {"from": "2026-01-01", "to": "2026-01-31"})
    assert err.value.code == "no_service_in_period"


@pytest.mark.parametrize("slow, by_operator", [("get_person", False), ("get_region", False),
                                               ("get_carrier", True)])
def test_identity_not_answering_is_503_identity_unavailable(ledger, slow, by_operator):
    person_id, me = volunteer()
    error, took = issue_while_slow(ledger, slow, OPERATOR if by_operator else me, person_id)
    assert error.code == "identity_unavailable" and error.status == 503
    assert error.zh == "身份服务暂时无响应，请稍后重试"
    assert error.en == "The identity service did not answer; please retry"
    assert took < HELD_BACK_SECONDS - 1, took  # about the timeout, not identity's delay
