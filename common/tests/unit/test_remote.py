"""``timebank_common.remote.ask``: another service's answer, or 503 ``<service>_unavailable``
within the asking service's ``<SERVICE>_RPC_TIMEOUT_SECONDS`` (no broker: stand-in proxies)."""
import time

import eventlet
import pytest
from nameko.exceptions import UnknownService

from timebank_common import remote
from timebank_common.errors import NotFound, Unavailable


class StandIn:
    def __init__(self, delay=0.0, error=None):
        self.delay, self.error = delay, error

    def get_person(self, person_id):
        eventlet.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return {"person_id": person_id}


def test_an_answer_in_time_is_returned():
    assert remote.ask({}, StandIn(), "identity", "get_person", "p1") == {"person_id": "p1"}


def test_no_answer_within_the_configured_timeout_is_503():
    started = time.monotonic()
    with pytest.raises(Unavailable) as err:
        remote.ask({"IDENTITY_RPC_TIMEOUT_SECONDS": 0.1}, StandIn(delay=2), "identity",
                   "get_person", "p1")
    assert time.monotonic() - started < 1
    assert (err.value.status, err.value.code) == (503, "identity_unavailable")
    assert err.value.zh == "身份服务暂时无响应，请稍后重试"
    assert err.value.en == "The identity service did not answer; please retry"


def test_a_slow_bulk_question_may_wait_a_multiple_of_the_timeout():
    config = {"IDENTITY_RPC_TIMEOUT_SECONDS": 0.1}
    assert remote.ask(config, StandIn(delay=0.3), "identity", "get_person", "p1",
                      timeout_factor=6) == {"person_id": "p1"}
    with pytest.raises(Unavailable):
        remote.ask(config, StandIn(delay=0.3), "identity", "get_person", "p1")


def test_a_service_that_is_not_there_is_503_and_its_own_refusals_pass():
    with pytest.raises(Unavailable) as err:
        remote.ask({}, StandIn(error=UnknownService("demand")), "demand", "get_person", "p1")
    assert err.value.code == "demand_unavailable" and "需求服务" in err.value.zh
    with pytest.raises(NotFound):
        remote.ask({}, StandIn(error=NotFound("person_not_found")), "identity", "get_person",
                   "p1")


def test_a_question_the_broker_did_not_take_is_503():
    """A node died or was cut off while the question was published and kombu's failover round
    ran out: the asking use case sees the service as away (notify defers a delivery) rather
    than failing with a broker error."""
    from kombu.exceptions import OperationalError

    with pytest.raises(Unavailable) as err:
        remote.ask({}, StandIn(error=OperationalError("[Errno 111] Connection refused")),
                   "identity", "get_person", "p1")
    assert err.value.code == "identity_unavailable"


def test_the_timeout_setting_per_service():
    assert remote.timeout_for(None, "identity") == remote.DEFAULT_TIMEOUT_SECONDS == 5.0
    assert remote.timeout_for({"DEMAND_RPC_TIMEOUT_SECONDS": "2.5"}, "demand") == 2.5
