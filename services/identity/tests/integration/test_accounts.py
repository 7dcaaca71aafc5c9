"""Authentication hardening: lockout, password rules, password change, logout, token
revocations (issue 3, item 10). In process on a rolled-back database at the test clock;
simultaneous wrong passwords and the broadcast of a revocation over the broker.

Lockout and password changes use freshly registered volunteers, never the demo logins."""
import datetime as dt
import itertools
import random

import eventlet
import pytest
from sqlalchemy import create_engine, select, text
from timebank_testing import wait_for

from identity.adapters import login_failures as failures_rows
from identity.adapters.tables import login_failures
from identity.app import accounts, revocation
from identity.commands.demo import demo_id_number
from identity.domain.lockout import LockoutPolicy, after_failure
from timebank_common.caller import Caller
from timebank_common.clock import SystemClock
from timebank_common.db import UnitOfWork
from timebank_common.errors import Forbidden, Locked, RuleViolation, Unauthenticated

from .conftest import caller_from_token

OPERATOR, VOLUNTEER = "13800000005", "13800000007"
YUCAI = "130102001001"
PASSWORD = "Volunteer@2026"
_serial = itertools.count(1)
_BLOCK = random.randrange(1000)


def register(identity, operator, **changes) -> dict:
    n = next(_serial)
    born = dt.date(1985, 1, 1) + dt.timedelta(days=n)
    data = {"name": "钱安全", "id_number": demo_id_number(f"{born:%Y%m%d}", "427"),
            "phone": f"1355{_BLOCK:03d}{n:04d}", "region_code": YUCAI,
            "initial_password": PASSWORD, **changes}
    return {**identity.register_volunteer(operator, data), "phone": data["phone"]}


@pytest.fixture
def operator(login):
    return login(OPERATOR)


@pytest.fixture
def person(identity, operator):
    return register(identity, operator)


def failures(db, person_id):
    """The failures row of an account (``db``: a factory of units of work)."""
    with db() as uow:
        row = uow.execute(select(login_failures).where(
            login_failures.c.person_id == person_id)).mappings().first()
    return dict(row) if row else None


def wrong(identity, phone, times=1):
    errors = []
    for _ in range(times):
        with pytest.raises((Unauthenticated, Locked)) as info:
            identity.authenticate(phone, "Wrong@Pass1")
        errors.append(info.value)
    return errors


# -- password rules -------------------------------------------------------------
def test_registration_refuses_a_weak_password_with_every_reason(identity, operator):
    with pytest.raises(RuleViolation) as info:
        register(identity, operator, initial_password="12345678")
    assert info.value.code == "weak_password"
    assert info.value.details["field"] == "initial_password"
    assert [r["code"] for r in info.value.details["reasons"]] == ["too_simple", "too_common"]
    assert "常见密码" in info.value.zh and "commonly used" in info.value.en


def test_registration_refuses_a_password_containing_the_phone(identity, operator):
    n = next(_serial)
    phone = f"1355{_BLOCK:03d}{n:04d}"
    with pytest.raises(RuleViolation) as info:
        register(identity, operator, phone=phone, initial_password=f"Ab!{phone}")
    assert [r["code"] for r in info.value.details["reasons"]] == ["contains_phone"]


# -- lockout ----------------------------------------------------------------------
def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(identity, person):
    errors = wrong(identity, person["phone"], 5)
    assert [e.code for e in errors] == ["invalid_credentials"] * 4 + ["account_locked"]
    with pytest.raises(Locked) as info:
        identity.authenticate(person["phone"], PASSWORD)
    assert info.value.code == "account_locked"
    assert info.value.zh.startswith("账号已临时锁定，请15分钟后") and "联系站点工作人员" in info.value.zh
    assert 890 <= int(info.value.details["retry_after_seconds"]) <= 900  # RPC sends text
    assert info.value.details["locked_until"]


def test_a_successful_login_resets_the_count(identity, person, identity_db):
    wrong(identity, person["phone"], 4)
    assert failures(identity_db, person["person_id"])["failed_count"] == 4
    identity.authenticate(person["phone"], PASSWORD)
    assert failures(identity_db, person["person_id"]) is None
    assert [e.code for e in wrong(identity, person["phone"], 4)] == ["invalid_credentials"] * 4


def test_unknown_phone_looks_the_same_and_is_never_locked(identity, person):
    known = wrong(identity, person["phone"])[0]
    for _ in range(6):
        with pytest.raises(Unauthenticated) as unknown:
            identity.authenticate("13999990000", "Wrong@Pass1")
    assert unknown.value.args == known.args


def test_the_lock_ends_after_fifteen_minutes(identity, person, clock):
    for _ in range(5):
        wrong(identity, person["phone"])
        clock.advance(minutes=1)
    clock.advance(minutes=13, seconds=59)  # 18:59 after the first wrong password
    with pytest.raises(Locked):
        identity.authenticate(person["phone"], PASSWORD)
    clock.advance(seconds=1)
    assert identity.authenticate(person["phone"], PASSWORD)["access_token"]


def _waiting_for_a_lock(engine) -> bool:
    with engine.connect() as c:
        return bool(c.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")).scalar())


def test_two_simultaneous_wrong_passwords_both_count(identity_rpc, rpc_login, demo, signer, rpc):
    """The first attempt holds the failures row; the second waits for it and counts on top
    (separate connections, committed: the service in a container, its database shared)."""
    person = register(identity_rpc, rpc_login(OPERATOR))
    now = SystemClock().now()
    engine = create_engine(demo["url"])
    db = lambda: UnitOfWork(engine)  # noqa: E731
    try:
        wrong(identity_rpc, person["phone"])  # the row exists: count 1
        with UnitOfWork(engine) as uow:
            state = failures_rows.lock_failures_row(uow, person["person_id"])

            def second():
                with pytest.raises(Unauthenticated):
                    accounts.authenticate(db, signer, person["phone"], "Wrong@Pass2", now)

            waiting = eventlet.spawn(second)
            wait_for(lambda: _waiting_for_a_lock(engine))  # the second waits for the row lock
            assert failures(db, person["person_id"])["failed_count"] == 1
            failures_rows.save_failures(uow, person["person_id"],
                                        after_failure(state, now, LockoutPolicy()))
            uow.commit()
        waiting.wait()
        assert failures(db, person["person_id"])["failed_count"] == 3

        # and over RPC: concurrent wrong passwords are all counted (one proxy each: a
        # standalone proxy is not shared between green threads)
        def attempt():
            with rpc("identity") as proxy:
                return wrong(proxy, person["phone"])[0].code

        pool = eventlet.GreenPool()
        codes = sorted(pool.imap(lambda _: attempt(), range(2)))
        assert codes == ["account_locked", "invalid_credentials"]
        assert failures(db, person["person_id"])["failed_count"] == 5
    finally:
        engine.dispose()


# -- password change ---------------------------------------------------------------
def test_change_password_ends_every_session(identity, person, public_key, clock):
    first = identity.authenticate(person["phone"], PASSWORD)
    caller = caller_from_token(public_key, first["access_token"], clock)
    with pytest.raises(Forbidden) as info:
        identity.change_password(caller, "Not@Current1", "Better@2027")
    assert info.value.code == "current_password_wrong"
    with pytest.raises(RuleViolation) as info:
        identity.change_password(caller, PASSWORD, PASSWORD)
    assert [r["code"] for r in info.value.details["reasons"]] == ["unchanged"]
    answer = identity.change_password(caller, PASSWORD, "Better@2027")
    assert answer == {"password_changed": True, "refresh_tokens_revoked": 1}
    with pytest.raises(Unauthenticated) as info:
        identity.refresh(first["refresh_token"])
    assert info.value.code == "refresh_token_invalid"
    with pytest.raises(Unauthenticated):
        identity.authenticate(person["phone"], PASSWORD)
    assert identity.authenticate(person["phone"], "Better@2027")["access_token"]
    revoked = [r for r in identity.active_revocations()["items"]
               if r["person_id"] == person["person_id"]]
    assert [r["reason"] for r in revoked] == ["password_changed"]


# -- sessions and logout -------------------------------------------------------------
def test_refresh_keeps_the_session_and_logout_ends_only_that_session(identity, person, public_key,
                                                                     clock):
    def session_of(tokens):
        return caller_from_token(public_key, tokens["access_token"], clock)["session_id"]

    one = identity.authenticate(person["phone"], PASSWORD)
    other = identity.authenticate(person["phone"], PASSWORD)
    session = session_of(one)
    assert session and session != session_of(other)
    refreshed = identity.refresh(one["refresh_token"])
    caller = caller_from_token(public_key, refreshed["access_token"], clock)
    assert caller["session_id"] == session
    assert identity.logout(caller) == {"logged_out": True, "session_id": session}
    with pytest.raises(Unauthenticated):
        identity.refresh(refreshed["refresh_token"])
    # a logged-out token is not a leak: the other session goes on
    assert identity.refresh(other["refresh_token"])["access_token"]
    revoked = [r for r in identity.active_revocations()["items"] if r["session_id"] == session]
    assert [r["reason"] for r in revoked] == ["logout"]


def test_an_api_client_has_no_login_to_end_or_password_to_change(identity):
    client = Caller(None, ("api_client",), "130100000000", client_id="sjz-civil-affairs").to_dict()
    for call in (lambda: identity.logout(client), lambda: identity.logout_everywhere(client),
                 lambda: identity.change_password(client, "Demo@2026", "Better@2027")):
        with pytest.raises(Forbidden) as info:
            call()
        assert info.value.code == "person_login_required"


def test_logout_everywhere(identity, person, public_key, clock):
    tokens = [identity.authenticate(person["phone"], PASSWORD) for _ in range(2)]
    caller = caller_from_token(public_key, tokens[0]["access_token"], clock)
    assert identity.logout(caller, None, True)["refresh_tokens_revoked"] == 2
    for pair in tokens:
        with pytest.raises(Unauthenticated):
            identity.refresh(pair["refresh_token"])


def test_a_reused_refresh_token_also_revokes_the_access_tokens(identity, person):
    first = identity.authenticate(person["phone"], PASSWORD)
    identity.refresh(first["refresh_token"])
    with pytest.raises(Unauthenticated):
        identity.refresh(first["refresh_token"])
    reasons = [r["reason"] for r in identity.active_revocations()["items"]
               if r["person_id"] == person["person_id"]]
    assert reasons == ["refresh_token_reused"]


# -- revocations -----------------------------------------------------------------------
def test_revoke_tokens_of_an_api_client_emits_tokens_revoked(identity, identity_db, clock,
                                                            events):
    now = clock.now()
    with identity_db() as uow:
        payload = revocation.revoke_tokens(uow, now, client_id="sjz-civil-affairs",
                                           reason="client_revoked")
        uow.commit()
    assert payload == {"person_id": None, "client_id": "sjz-civil-affairs", "session_id": None,
                       "revoked_before": now.isoformat(), "reason": "client_revoked"}
    [envelope] = events.envelopes("tokens_revoked")
    assert envelope["payload"] == payload and envelope["region_code"] is None
    since = (now - dt.timedelta(seconds=1)).isoformat()
    assert payload in identity.active_revocations(since)["items"]
    assert identity.active_revocations()["max_token_age"] == 600


def test_the_relay_broadcasts_tokens_revoked(identity_rpc, demo, event_bus):
    """Over the broker: the service's relay publishes the revocation (it shares the database)."""
    listener = event_bus.listen("identity", "tokens_revoked")
    engine = create_engine(demo["url"])
    now = SystemClock().now()
    try:
        with UnitOfWork(engine) as uow:
            payload = revocation.revoke_tokens(uow, now, client_id="sjz-civil-affairs",
                                               reason="client_revoked")
            uow.commit()
    finally:
        engine.dispose()
    received = wait_for(lambda: [e for e in listener.drain(timeout=0.2) if e["payload"] == payload])
    assert received[0]["event_type"] == "tokens_revoked"
    assert payload in identity_rpc.active_revocations(now.isoformat())["items"]


def test_revoke_tokens_needs_a_target(identity_db, clock):
    with identity_db() as uow, pytest.raises(ValueError):
        revocation.revoke_tokens(uow, clock.now(), reason="logout")
