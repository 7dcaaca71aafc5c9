"""Fixtures of the identity integration tests: the demo data and a running service."""
from pathlib import Path

import pytest
from nameko.containers import ServiceContainer

from identity.demo import DEMO_PASSWORD, load_demo
from identity.service import IdentityService
from timebank_common.auth import verify_access_token
from timebank_common.testing import free_port


@pytest.fixture(scope="module")
def demo(database_url):
    url = database_url("identity")
    load_demo(url)
    return {"url": url, **load_demo(url)}  # loading twice must be harmless


@pytest.fixture(scope="module")
def running(demo, amqp_uri, token_keys):
    config = {"AMQP_URI": amqp_uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
              "max_workers": 10, "OUTBOX_RELAY": {"enabled": True, "poll_seconds": 0.1},
              "DATABASE_URL": demo["url"], "ACCESS_TOKEN_TTL_SECONDS": 600, **token_keys}
    container = ServiceContainer(IdentityService, config)
    container.start()
    yield
    container.stop()


@pytest.fixture
def identity(running, rpc):
    with rpc("identity") as proxy:
        yield proxy


@pytest.fixture(scope="module")
def public_key(token_keys):
    return Path(token_keys["JWT_PUBLIC_KEY_FILE"]).read_bytes()


@pytest.fixture
def login(identity, public_key):
    """``login(phone)``: the caller dict of a demo account (or any login)."""
    def caller(phone, password=DEMO_PASSWORD) -> dict:
        tokens = identity.authenticate(phone, password)
        return verify_access_token(public_key, tokens["access_token"]).to_dict()

    return caller
