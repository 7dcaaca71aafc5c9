"""An API client's secret rotated with an overlap (issue 18 item 5): the old secret keeps
working until the end the admin gave, then stops; the admin may end it early. Real
PostgreSQL (rolled back), the service in process at the test clock."""
import datetime as dt

import pytest
from sqlalchemy import select

from identity.adapters.tables import api_clients
from timebank_common.errors import BadInput, Conflict, RuleViolation, Unauthenticated

CITY_ADMIN = "13800000002"
SJZ = "130100000000"


def refused(error, code, call, *args):
    with pytest.raises(error) as info:
        call(*args)
    assert info.value.code == code, info.value
    return info.value


@pytest.fixture
def admin(login):
    return login(CITY_ADMIN)


@pytest.fixture
def client(identity, admin):
    made = identity.create_api_client(admin, {"name": "石家庄市民政局热线系统", "scope_code": SJZ})
    return made


def accepted(identity, client_id, secret) -> bool:
    try:
        return bool(identity.client_token(client_id, secret)["access_token"])
    except Unauthenticated as exc:
        assert exc.code == "invalid_client"
        return False


def test_the_old_secret_works_until_the_end_given_then_only_the_new(identity, admin, client,
                                                                     clock, identity_db):
    old = client["client_secret"]
    until = clock.now() + dt.timedelta(hours=6)
    rotated = identity.rotate_api_client_secret(admin, client["client_id"],
                                                {"previous_secret_valid_until": until.isoformat()})
    new = rotated["client_secret"]
    assert new != old
    assert dt.datetime.fromisoformat(rotated["previous_secret_valid_until"]) == until
    assert dt.datetime.fromisoformat(rotated["secret_rotated_at"]) == clock.now()
    assert accepted(identity, client["client_id"], old)
    assert accepted(identity, client["client_id"], new)
    assert not accepted(identity, client["client_id"], "a-guess")

    clock.set(until - dt.timedelta(seconds=1))
    assert accepted(identity, client["client_id"], old)
    clock.set(until)
    assert not accepted(identity, client["client_id"], old)
    assert accepted(identity, client["client_id"], new)

    # only hashes are stored, never a secret
    with identity_db() as uow:
        row = uow.execute(select(api_clients).where(
            api_clients.c.client_id == client["client_id"])).mappings().one()
    assert row["previous_secret_hash"].startswith("$argon2")
    assert old not in str(dict(row)) and new not in str(dict(row))


def test_without_an_end_the_old_secret_stays_a_week(identity, admin, client, clock):
    rotated = identity.rotate_api_client_secret(admin, client["client_id"])
    until = dt.datetime.fromisoformat(rotated["previous_secret_valid_until"])
    assert until == clock.now() + dt.timedelta(days=7)
    clock.advance(days=6, hours=23)
    assert accepted(identity, client["client_id"], client["client_secret"])
    clock.advance(hours=1)
    assert not accepted(identity, client["client_id"], client["client_secret"])


def test_the_end_is_in_the_future_and_at_most_thirty_days_ahead(identity, admin, client, clock):
    client_id = client["client_id"]
    refused(RuleViolation, "overlap_too_long", identity.rotate_api_client_secret, admin,
            client_id, {"previous_secret_valid_until":
                        (clock.now() + dt.timedelta(days=30, seconds=1)).isoformat()})
    refused(RuleViolation, "end_not_in_future", identity.rotate_api_client_secret, admin,
            client_id, {"previous_secret_valid_until": clock.now().isoformat()})
    refused(BadInput, "validation_failed", identity.rotate_api_client_secret, admin,
            client_id, {"previous_secret_valid_until": "2026-06-20T10:00:00"})  # no offset
    # nothing changed: the first secret is still the only one
    assert accepted(identity, client_id, client["client_secret"])


def test_the_admin_ends_the_old_secret_early_and_may_then_rotate_again(identity, admin, client,
                                                                       clock):
    client_id, old = client["client_id"], client["client_secret"]
    new = identity.rotate_api_client_secret(admin, client_id)["client_secret"]
    # a second rotation would end at once the secret the municipal system may still use
    error = refused(Conflict, "previous_secret_live", identity.rotate_api_client_secret, admin,
                    client_id)
    assert error.details["previous_secret_valid_until"]
    assert accepted(identity, client_id, old) and accepted(identity, client_id, new)

    clock.advance(hours=2)
    ended = identity.end_previous_api_client_secret(admin, client_id)
    assert dt.datetime.fromisoformat(ended["previous_secret_valid_until"]) == clock.now()
    assert "client_secret" not in ended
    assert not accepted(identity, client_id, old)
    assert accepted(identity, client_id, new)
    refused(Conflict, "no_previous_secret", identity.end_previous_api_client_secret, admin,
            client_id)

    newest = identity.rotate_api_client_secret(admin, client_id)["client_secret"]
    assert accepted(identity, client_id, new) and accepted(identity, client_id, newest)
    assert not accepted(identity, client_id, old)
    trail = identity.query_audit(admin, {"target_id": client_id})["items"]
    assert [e["action"] for e in trail] == [
        "rotate_api_client_secret", "end_previous_api_client_secret",
        "rotate_api_client_secret", "create_api_client"]
    assert not any(s in str(trail) for s in (old, new, newest))


def test_a_revoked_client_is_refused_with_either_secret(identity, admin, client):
    client_id, old = client["client_id"], client["client_secret"]
    new = identity.rotate_api_client_secret(admin, client_id)["client_secret"]
    identity.revoke_api_client(admin, client_id, "系统下线")
    refused(Unauthenticated, "client_revoked", identity.client_token, client_id, old)
    refused(Unauthenticated, "client_revoked", identity.client_token, client_id, new)
