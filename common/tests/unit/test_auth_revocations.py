"""RevocationList and TokenCache: revoked tokens are refused, on cache hits too."""
import datetime as dt
import time

import pytest

from timebank_common.caller import Caller
from timebank_common.errors import Unauthenticated
from timebank_common.tokens import (
    RevocationList,
    TokenCache,
    generate_keypair,
    issue_access_token,
    verify_access_token,
)

T0 = float(int(time.time())) - 10  # tokens are checked against the real clock
PERSON = Caller("p-1", ("volunteer",), "130102001001", session_id="s-1")
OTHER_SESSION = Caller("p-1", ("volunteer",), "130102001001", session_id="s-2")
CLIENT = Caller(None, ("api_client",), "130100000000", client_id="sjz")


def test_a_session_revocation_refuses_that_session_only_and_only_older_tokens():
    revoked = RevocationList(900)
    revoked.add({"session_id": "s-1", "revoked_before": T0}, now=T0)
    assert revoked.is_revoked(PERSON, T0 - 1) and revoked.is_revoked(PERSON, T0)
    assert not revoked.is_revoked(PERSON, T0 + 0.001)
    assert not revoked.is_revoked(OTHER_SESSION, T0 - 1)


def test_person_and_client_revocations():
    revoked = RevocationList(900)
    revoked.add({"person_id": "p-1", "client_id": None, "session_id": None,
                 "revoked_before": dt.datetime.fromtimestamp(T0, dt.UTC).isoformat()}, now=T0)
    revoked.add({"client_id": "sjz", "revoked_before": T0}, now=T0)
    assert revoked.is_revoked(PERSON, T0 - 5) and revoked.is_revoked(OTHER_SESSION, T0 - 5)
    assert revoked.is_revoked(CLIENT, T0 - 5)
    assert not revoked.is_revoked(Caller("p-2", ("volunteer",)), T0 - 5)


def test_the_latest_instant_wins_and_old_entries_are_dropped():
    revoked = RevocationList(900)
    revoked.add({"person_id": "p-1", "revoked_before": T0}, now=T0)
    revoked.add({"person_id": "p-1", "revoked_before": T0 - 100}, now=T0)
    assert revoked.is_revoked(PERSON, T0 - 50)
    revoked.add({"client_id": "sjz", "revoked_before": T0 + 901}, now=T0 + 901)
    assert len(revoked) == 1  # p-1's entry can no longer refuse an unexpired token


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    generate_keypair(folder / "private.pem", folder / "public.pem")
    return (folder / "private.pem").read_bytes(), (folder / "public.pem").read_bytes()


def test_token_cache_consults_revocations_on_every_request(keys):
    private, public = keys
    issued = dt.datetime.fromtimestamp(T0, dt.UTC)
    token = issue_access_token(private, PERSON, 900, issued)
    cache = TokenCache(public)
    assert cache.verify(token, now=T0 + 1) == PERSON
    cache.revocations.add({"session_id": "s-1", "revoked_before": T0 + 2}, now=T0 + 2)
    with pytest.raises(Unauthenticated) as info:
        cache.verify(token, now=T0 + 3)  # a cache hit
    assert info.value.code == "token_revoked"
    assert info.value.zh == "登录已失效，请重新登录"
    later = issue_access_token(private, PERSON, 900, issued + dt.timedelta(seconds=2.5))
    assert cache.verify(later, now=T0 + 3) == PERSON


def test_session_id_travels_in_the_token_and_old_caller_dicts_still_load(keys):
    private, public = keys
    token = issue_access_token(private, PERSON, 60)
    assert verify_access_token(public, token).session_id == "s-1"
    assert Caller.from_dict({"person_id": "p-9", "roles": ["elder"]}).session_id is None
    assert PERSON.to_dict()["session_id"] == "s-1"


def test_a_one_time_password_login_is_marked_in_the_token_and_nowhere_else(keys):
    """``pwd_change``: the signed claim the gateway refuses every route but changing the
    password and logging out for; every other caller's dict is unchanged."""
    from timebank_common.tokens import decode_access_token

    private, public = keys
    plain = Caller(person_id="p-1", roles=("province_admin",), scope="130000000000")
    assert "password_change_required" not in plain.to_dict()
    marked = Caller(person_id="p-1", roles=("province_admin",), scope="130000000000",
                    password_change_required=True)
    now = dt.datetime.now(dt.UTC)
    token = issue_access_token(private, marked, 60, now)
    assert decode_access_token(public, token)["pwd_change"] is True
    assert verify_access_token(public, token).password_change_required is True
    assert Caller.from_dict(marked.to_dict()) == marked
    token = issue_access_token(private, plain, 60, now)
    assert "pwd_change" not in decode_access_token(public, token)
    assert verify_access_token(public, token).password_change_required is False
