"""Issuing a certificate when identity does not answer: the real ledger container, with
identity the shared ``IdentityFake`` as a nameko service, silenced (``fake.silent``) on one
question at a time for longer than the ledger's ``IDENTITY_RPC_TIMEOUT_SECONDS``. The caller
gets 503 ``identity_unavailable`` (Chinese and English message) within about that timeout, for
each of the three questions the certificate asks (the person, the operator's station, the
volunteer's region), instead of waiting as long as identity takes; and no certificate is
issued with a stand-in station name meanwhile."""
import time

import pytest
from timebank_testing.identity_fake import IdentityFake

from ledger.service import LedgerService
from timebank_common.errors import RuleViolation, Unavailable

COMMUNITY = "130102001001"
TIMEOUT_SECONDS = 0.5
HELD_BACK_SECONDS = 4.0  # how long identity keeps a silenced question at most
OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000",
            "carrier_id": "carrier-7"}


@pytest.fixture(scope="module")
def identity():
    fake = IdentityFake(known_only=True)  # asked about anyone else, 404 as identity answers
    fake.add_carrier("carrier-7", region_code=COMMUNITY)
    fake.add_region(COMMUNITY, "育才社区", parent_code="130102001000")
    return fake


@pytest.fixture(scope="module")
def running(service_config, start_module_service, identity):
    start_module_service(identity.service_class(), service_config(None, max_workers=10))
    # the delivery limit of the other ledger modules: the event queues outlive a module
    start_module_service(LedgerService, service_config(
        "ledger", EVENT_DELIVERY_LIMIT=2, PUBLIC_BASE_URL="https://timebank.example.cn",
        IDENTITY_RPC_TIMEOUT_SECONDS=TIMEOUT_SECONDS))


@pytest.fixture
def ledger(running, rpc, identity):
    with rpc("ledger", timeout=30) as proxy:
        yield proxy
    identity.speak()  # a question still held is answered now: nothing keeps a worker


def volunteer(identity):
    person_id = identity.add_volunteer(name="王小明", region_code=COMMUNITY)
    return person_id, {"person_id": person_id, "roles": ["volunteer"], "scope": None}


def issue_while_slow(ledger, identity, slow: str, caller: dict, person_id: str):
    identity.silent(slow, seconds=HELD_BACK_SECONDS)
    started = time.monotonic()
    with pytest.raises(Unavailable) as err:
        ledger.issue_certificate(caller, person_id, {"from": "2026-01-01", "to": "2026-01-31"})
    return err.value, time.monotonic() - started


def test_identity_answering_lets_the_request_through(ledger, identity):
    person_id, me = volunteer(identity)
    with pytest.raises(RuleViolation) as err:  # identity answered: on to the ledger's rules
        ledger.issue_certificate(me, person_id, {"from": "2026-01-01", "to": "2026-01-31"})
    assert err.value.code == "no_service_in_period"


@pytest.mark.parametrize("slow, by_operator", [("get_person", False), ("get_region", False),
                                               ("get_carrier", True)])
def test_identity_not_answering_is_503_identity_unavailable(ledger, identity, slow, by_operator):
    person_id, me = volunteer(identity)
    error, took = issue_while_slow(ledger, identity, slow, OPERATOR if by_operator else me,
                                   person_id)
    assert error.code == "identity_unavailable" and error.status == 503
    assert error.zh == "身份服务暂时无响应，请稍后重试"
    assert error.en == "The identity service did not answer; please retry"
    assert took < HELD_BACK_SECONDS - 1, took  # about the timeout, not identity's delay
