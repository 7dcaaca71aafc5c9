"""Fixtures of identity's integration tests.

Most tests call the service **in process**: ``identity`` is the real ``IdentityService`` (its
declared entrypoints: arguments loaded, caller made a ``Caller``, answers checked against the
contracts) on a rolled-back unit of work (``uow_factory``) and the test ``clock``, with no
broker and no container; its answers go through JSON as an RPC answer does. The demo data
(``demo``) is committed once per session; what a test writes is rolled back.

Tests of what needs the broker (events reaching consumers, timers, concurrent processes,
the gateway over HTTP) use ``running``: the service in a nameko container (one per module),
asked through ``identity_rpc``.
"""
import json
import re
from pathlib import Path

import jwt
import pytest
import requests
from kombu.utils.json import dumps as kombu_dumps
from nameko.testing.services import worker_factory
from timebank_testing import outbox_events

from identity.adapters import hashing, personal_data
from identity.adapters.signing import signer_from_config
from identity.commands.demo import DEMO_PASSWORD, load_demo
from identity.domain.lockout import LockoutPolicy
from identity.service import IdentityService
from timebank_common.tokens import ALGORITHM, AUDIENCE, ISSUER, caller_of

ACCESS_TOKEN_TTL_SECONDS = 600
# argon2 as cheap as it gets: hashing is the same code, verifying reads each hash's own
# parameters, and a test's registrations and logins take milliseconds instead of ~0.3 s each
CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
DEFAULT_ARGON2 = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    hashing.use_parameters(**CHEAP_ARGON2)
    yield
    hashing.use_parameters(**DEFAULT_ARGON2)


@pytest.fixture(scope="session")
def demo(database_url, cheap_password_hashing):
    """The demo data (Hebei's tree, the demo station, one login per role), committed once."""
    url = database_url("identity")
    load_demo(url)
    return {"url": url, **load_demo(url)}  # loading twice must be harmless


@pytest.fixture(scope="session")
def signer(token_keys):
    return signer_from_config({**token_keys, "ACCESS_TOKEN_TTL_SECONDS": ACCESS_TOKEN_TTL_SECONDS})


@pytest.fixture(scope="session")
def public_key(token_keys):
    return Path(token_keys["JWT_PUBLIC_KEY_FILE"]).read_bytes()


class InProcess:
    """``IdentityService``'s entrypoints called in this process, answers as JSON would
    carry them (``identity.register_elder(caller, data)`` as over RPC)."""

    def __init__(self, service):
        self.service = service

    def __getattr__(self, name):
        entrypoint = getattr(self.service, name)

        def call(*args, **kwargs):
            return json.loads(kombu_dumps(entrypoint(*args, **kwargs)))

        return call


def in_process(db, clock, signer, **config) -> InProcess:
    service = worker_factory(
        IdentityService, db=db, clock=clock, signer=signer, lockout=LockoutPolicy(),
        personal_data=personal_data.keys(), config={"CHECK_CONTRACTS": True, **config})
    return InProcess(service)


@pytest.fixture
def identity_db(demo, uow_factory):
    """Units of work on identity's database, rolled back when the test ends."""
    return uow_factory("identity")


@pytest.fixture
def identity(identity_db, clock, signer):
    """The service in process, on the rolled-back database, at the test's ``clock``."""
    return in_process(identity_db, clock, signer)


def caller_from_token(public_key, token: str, clock) -> dict:
    """The caller an access token carries, checked as the gateway checks it, at the time of
    the test's clock (signature, audience, issuer, not yet expired)."""
    claims = jwt.decode(token, public_key, algorithms=[ALGORITHM], audience=AUDIENCE,
                        issuer=ISSUER, options={"verify_exp": False,
                                                "require": ["exp", "iat", "sub"]})
    assert claims["iat"] <= clock.now().timestamp() < claims["exp"], "the token has expired"
    return caller_of(claims).to_dict()


@pytest.fixture
def login(identity, public_key, clock):
    """``login(phone)``: the caller dict of a demo account (or any login)."""
    def caller(phone, password=DEMO_PASSWORD) -> dict:
        tokens = identity.authenticate(phone, password)
        return caller_from_token(public_key, tokens["access_token"], clock)

    return caller


@pytest.fixture
def events(identity_db):
    """``events("person_registered")``: the payloads this test wrote to the outbox (the
    envelopes: ``events.envelopes(type)``), oldest first."""
    before = {e["event_id"] for e in outbox_events(identity_db)}

    def envelopes(event_type: str) -> list[dict]:
        return [e for e in outbox_events(identity_db, event_type) if e["event_id"] not in before]

    def written(event_type: str) -> list[dict]:
        return [e["payload"] for e in envelopes(event_type)]

    written.envelopes = envelopes
    return written


# -- the service over the broker -------------------------------------------------------------
@pytest.fixture(scope="module")
def running(demo, service_config, start_module_service):
    """The service in a nameko container (for the tests that need the broker)."""
    start_module_service(IdentityService, service_config(
        None, DATABASE_URL=demo["url"], ACCESS_TOKEN_TTL_SECONDS=ACCESS_TOKEN_TTL_SECONDS))


@pytest.fixture
def identity_rpc(running, rpc):
    with rpc("identity") as proxy:
        yield proxy


@pytest.fixture
def rpc_login(identity_rpc, public_key):
    """``rpc_login(phone)``: the caller dict of a login over RPC (tokens at the real time)."""
    from timebank_common.tokens import verify_access_token

    def caller(phone, password=DEMO_PASSWORD) -> dict:
        tokens = identity_rpc.authenticate(phone, password)
        return verify_access_token(public_key, tokens["access_token"]).to_dict()

    return caller


@pytest.fixture
def http(running, service_config, start_service):
    """``http(method, "/path", phone, password=DEMO_PASSWORD, json=...)``: a request through a
    real gateway (started for the test) as that login; ``http.base`` is the API's base URL."""
    from gateway.service import GatewayService

    cfg = service_config(None)
    start_service(GatewayService, cfg)
    base = f"http://{cfg['WEB_SERVER_ADDRESS']}/api/v1"

    def call(method, path, phone, password=DEMO_PASSWORD, **kwargs):
        token = requests.post(f"{base}/auth/login", json={"phone": phone, "password": password},
                              timeout=10).json()["access_token"]
        resp = requests.request(method, base + path, timeout=10,
                                headers={"Authorization": f"Bearer {token}"}, **kwargs)
        if resp.ok:
            assert_declared_answer(method, "/api/v1" + path.split("?")[0], resp.json())
        return resp

    call.base = base
    call.check = assert_declared_answer
    return call


def declared_route(method: str, path: str):
    """The gateway's declaration of the route that serves ``method path``."""
    import gateway.service  # noqa: F401 (declares the routes)
    from gateway.routing import ROUTES

    for spec in ROUTES:
        pattern = re.sub(r"<[^>]+>", "[^/]+", spec.path)
        if spec.method == method and re.fullmatch(pattern, path):
            return spec
    raise AssertionError(f"no route declared for {method} {path}")


def assert_declared_answer(method: str, path: str, answer) -> None:
    """A successful answer is exactly what the route declares (load-side, as a client and the
    gateway's strict mode read it): every required field present, no field undeclared, nulls
    only where allowed. A route of identity declares its answer."""
    spec = declared_route(method, path)
    assert spec.response is not None, f"{method} {spec.path} declares no response schema"
    problems = spec.response(many=spec.many).validate(answer)
    assert problems == {}, f"{method} {spec.path}: {problems}"
