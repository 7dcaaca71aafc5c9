"""Fixtures of the identity integration tests: the demo data and a running service."""
from pathlib import Path

import pytest
import requests

from identity.demo import DEMO_PASSWORD, load_demo
from identity.service import IdentityService
from timebank_common.tokens import verify_access_token


@pytest.fixture(scope="module")
def demo(database_url):
    url = database_url("identity")
    load_demo(url)
    return {"url": url, **load_demo(url)}  # loading twice must be harmless


@pytest.fixture(scope="module")
def running(demo, service_config, start_module_service):
    start_module_service(IdentityService, service_config(None, DATABASE_URL=demo["url"],
                                                         ACCESS_TOKEN_TTL_SECONDS=600))


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
        return requests.request(method, base + path, timeout=10,
                                headers={"Authorization": f"Bearer {token}"}, **kwargs)

    call.base = base
    return call
