"""The province's first admin (identity.commands.bootstrap_admin) on a new, empty database:
the command prints a one-time password that logs in; the gateway refuses that login everything
but changing the password (403 password_change_required); after the change it may do what a
province admin does. A second run is refused (exit 2); --reset-password gives a new one-time
password and ends the admin's logins."""
import json
import logging
import re

import jwt
import pytest
from sqlalchemy import text
from timebank_testing import outbox_events
from werkzeug.test import EnvironBuilder

from gateway.routing import bearer_token
from gateway.service import GatewayService as Gateway
from gateway.service import caller_dict
from identity.commands import bootstrap_admin
from identity.commands.demo import demo_id_number
from timebank_common.db import units_of_work
from timebank_common.tokens import TokenCache

from .conftest import in_process

PHONE, NAME = "13900000001", "冯省管"
ID_NUMBER = demo_id_number("19720304", "015")
NEW_PASSWORD = "Hebei#Admin-2026"


@pytest.fixture(scope="module")
def empty_identity(own_database_url, pii_keys, tmp_path_factory):
    """A migrated identity database no demo was loaded into, and a config file naming it."""
    url = own_database_url("identity")
    config = tmp_path_factory.mktemp("bootstrap") / "identity.yaml"
    config.write_text(f"DATABASE_URL: {url}\nPII_KEYS_FILE: {pii_keys['PII_KEYS_FILE']}\n"
                      "CLOCK_FILE:\n", encoding="utf-8")
    with units_of_work(url) as db:
        yield {"url": url, "config": str(config), "db": db}


@pytest.fixture
def identity(empty_identity, clock, signer):
    return in_process(empty_identity["db"], clock, signer)


def run(capsys, config, *args) -> tuple[int, str, str]:
    status = bootstrap_admin.main([*args, "--config", config])
    out, err = capsys.readouterr()
    return status, out, err


def printed_password(out: str) -> str:
    found = re.findall(r"one-time password: (\S+)", out)
    assert len(found) == 1, out
    return found[0]


def gateway_for(identity, public_key, clock):
    """The gateway's routes on a bare object: tokens verified as the gateway verifies them
    (signature, claims, revocations), identity the service in process."""
    cache = TokenCache(public_key)
    return type("Gateway", (), {
        "correlation_id": "r-boot", "rpc_timeout": 10, "identity": identity,
        "authenticate": lambda self, request: caller_dict(
            cache.verify(bearer_token(request), clock.now().timestamp()))})()


def request(method, path, token, body=None):
    return EnvironBuilder(method=method, path=path, json=body,
                          headers={"Authorization": f"Bearer {token}"}).get_request()


def test_the_first_admin_changes_the_one_time_password_before_anything_else(
        capsys, caplog, empty_identity, identity, public_key, clock):
    caplog.set_level(logging.DEBUG)
    config = empty_identity["config"]
    status, out, err = run(capsys, config, "--phone", PHONE, "--name", NAME,
                           "--id-number", ID_NUMBER)
    assert status == 0, err
    assert "省级管理员已创建" in out and "Province admin created" in out
    assert PHONE not in out and "139****0001" in out  # the phone masked, the password once
    password = printed_password(out)
    assert len(password) >= 16
    assert password not in caplog.text and password not in err  # printed, never logged
    with empty_identity["db"]() as uow:  # what an admin's create_operator leaves behind
        entry = uow.execute(text(
            "SELECT action, actor_client_id, after FROM audit_log "
            "WHERE action = 'bootstrap_admin'")).mappings().one()
    assert entry["actor_client_id"] == "service:bootstrap_admin"
    assert password not in json.dumps(entry["after"], ensure_ascii=False)
    granted = outbox_events(empty_identity["db"], "operator_granted")
    assert [e["payload"]["role"] for e in granted] == ["province_admin"]
    assert granted[0]["payload"]["scope_code"] == "130000000000"

    # the one-time password logs in, with a token good only for changing it
    tokens = identity.authenticate(PHONE, password)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["pwd_change"] is True and claims["caller"]["roles"] == ["province_admin"]
    gateway = gateway_for(identity, public_key, clock)
    refused = Gateway.me(gateway, request("GET", "/api/v1/me", tokens["access_token"]))
    assert refused.status_code == 403
    assert json.loads(refused.get_data())["error"] == "password_change_required"
    refused = Gateway.list_operators(gateway, request("GET", "/api/v1/operators",
                                                      tokens["access_token"]))
    assert refused.status_code == 403
    changed = Gateway.change_password(gateway, request(
        "POST", "/api/v1/auth/password", tokens["access_token"],
        {"current_password": password, "new_password": NEW_PASSWORD}))
    assert changed.status_code == 200, changed.get_data()
    assert json.loads(changed.get_data())["password_changed"] is True

    # logged in again with the new password: an ordinary province admin
    tokens = identity.authenticate(PHONE, NEW_PASSWORD)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert "pwd_change" not in claims
    me = Gateway.me(gateway, request("GET", "/api/v1/me", tokens["access_token"]))
    assert me.status_code == 200, me.get_data()
    assert json.loads(me.get_data())["roles"] == ["province_admin"]
    listed = Gateway.list_operators(gateway, request("GET", "/api/v1/operators",
                                                     tokens["access_token"]))
    assert listed.status_code == 200, listed.get_data()
    assert [o["name"] for o in json.loads(listed.get_data())["items"]] == [NAME]


def test_a_second_run_is_refused_and_a_reset_gives_a_new_one_time_password(
        capsys, empty_identity, identity):
    config = empty_identity["config"]
    status, out, err = run(capsys, config, "--phone", "13900000002", "--name", "另一人",
                           "--id-number", demo_id_number("19750101", "027"))
    assert status == bootstrap_admin.REFUSED == 2 and out == ""
    assert "已存在省级管理员" in err and "A province admin already exists" in err
    status, _, err = run(capsys, config, "--phone", "13900000002", "--reset-password")
    assert status == 2 and "不是省级管理员" in err and "not the login of a province admin" in err

    before = identity.authenticate(PHONE, NEW_PASSWORD)  # the admin's login, to be ended
    status, out, err = run(capsys, config, "--phone", PHONE, "--reset-password")
    assert status == 0, err
    assert "Province admin's password reset" in out
    password = printed_password(out)
    assert password != NEW_PASSWORD
    with pytest.raises(Exception, match="invalid_credentials"):
        identity.authenticate(PHONE, NEW_PASSWORD)
    with pytest.raises(Exception, match="refresh_token_invalid"):
        identity.refresh(before["refresh_token"])
    tokens = identity.authenticate(PHONE, password)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["pwd_change"] is True
