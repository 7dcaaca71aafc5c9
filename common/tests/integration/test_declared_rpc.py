"""An RPC declared with ``service.rpc(args=..., returns=...)``, in a real container over real
RabbitMQ: its arguments are loaded with their schemas, ``caller`` arrives as a ``Caller``, and
with ``CHECK_CONTRACTS`` (every test's configuration) an answer its declaration does not allow
fails loudly."""
import pytest
from marshmallow import Schema, fields, validate
from nameko.exceptions import RemoteError
from sqlalchemy import exc as sql_errors

from timebank_common.caller import Caller
from timebank_common.errors import BadInput, Unauthenticated, Unavailable
from timebank_common.service import ServiceBase, rpc


class Greeting(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    times = fields.Integer(load_default=1)


class GreetingOut(Schema):
    text = fields.String(required=True)
    caller_is_a_caller = fields.Boolean()


class Greeter(ServiceBase):
    name = "greeter"

    @rpc(args={"data": Greeting}, returns=GreetingOut)
    def greet(self, caller, data, loud=False):
        text = " ".join([f"你好，{data['name']}"] * data["times"])
        return {"text": text.upper() if loud else text,
                "caller_is_a_caller": isinstance(caller, Caller)}

    @rpc(returns=GreetingOut)
    def greet_wrongly(self):
        return {"text": 42, "mood": "cheerful"}

    @rpc(args={"minutes": fields.Integer(validate=validate.Range(min=1))},
         returns=fields.Integer(), internal=True)
    def double(self, minutes):
        return minutes * 2

    @rpc(args={"kind": fields.String()}, returns=fields.Integer())
    def without_a_database(self, kind):
        if kind == "pool":  # every connection of the pool busy past its timeout
            raise sql_errors.TimeoutError("QueuePool limit of size 3 overflow 4 reached")
        raise sql_errors.OperationalError("SELECT 1", {}, Exception("server closed the connection"))


@pytest.fixture(scope="module")
def greeter(service_config, start_module_service, amqp_uri):
    from timebank_testing import rpc_proxy

    start_module_service(Greeter, service_config(None))
    with rpc_proxy(amqp_uri, "greeter") as proxy:
        yield proxy


CALLER = Caller("p-1", ("volunteer",), "130102001001").to_dict()


def test_declared_arguments_are_loaded_and_the_caller_is_a_caller(greeter):
    assert greeter.greet(CALLER, {"name": "李明", "times": 2}) == \
        {"text": "你好，李明 你好，李明", "caller_is_a_caller": True}
    assert greeter.greet(CALLER, {"name": "a"}, loud=True)["text"] == "你好，A"
    assert greeter.double(21) == 42


def test_arguments_their_schema_refuses_are_400_with_the_fields(greeter):
    with pytest.raises(BadInput) as refused:
        greeter.greet(CALLER, {"name": "", "colour": "red"})
    assert refused.value.code == "validation_failed"
    assert set(refused.value.details) == {"name", "colour"}
    with pytest.raises(BadInput) as refused:
        greeter.double("many")
    assert set(refused.value.details) == {"minutes"}


def test_no_caller_is_401(greeter):
    with pytest.raises(Unauthenticated):
        greeter.greet(None, {"name": "李明"})


def test_an_answer_outside_the_declaration_fails_loudly(greeter):
    with pytest.raises(RemoteError) as broken:
        greeter.greet_wrongly()
    assert broken.value.exc_type == "ContractBroken"
    assert "answer.text: expected a string, got int" in str(broken.value)
    assert "answer.mood: not declared in GreetingOut" in str(broken.value)


def test_a_declaration_must_name_real_arguments():
    with pytest.raises(TypeError):
        @rpc(args={"dta": Greeting}, returns=None)
        def misspelt(self, caller, data):
            pass


@pytest.mark.parametrize("kind", ["pool", "server"])
def test_a_database_that_does_not_serve_the_request_is_a_503_to_retry_not_a_500(greeter, kind):
    """A full pool or a restarting server is transient: the caller gets ``Unavailable`` (the
    gateway's 503, retried with the same Idempotency-Key), never an internal error."""
    with pytest.raises(Unavailable) as refused:
        greeter.without_a_database(kind)
    assert refused.value.code == "database_unavailable"
