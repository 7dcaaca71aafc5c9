import pytest

from timebank_common import config, regions
from timebank_common.caller import Caller
from timebank_common.errors import Forbidden, NotFound, Unauthenticated
from timebank_common.tokens import generate_keypair, issue_access_token, verify_access_token


def test_env_interpolation_keeps_types_and_defaults(monkeypatch):
    monkeypatch.setenv("TB_PORT", "9001")
    monkeypatch.delenv("TB_MISSING", raising=False)
    cfg = config.load_text("port: ${TB_PORT:8000}\nname: svc-${TB_MISSING:x}\nflag: ${TB_MISSING:true}\n")
    assert cfg == {"port": 9001, "name": "svc-x", "flag": True}


def test_required_variable_missing_is_an_error(monkeypatch):
    monkeypatch.delenv("TB_REQUIRED", raising=False)
    with pytest.raises(config.ConfigError, match="TB_REQUIRED"):
        config.load_text("x: ${TB_REQUIRED}\n")


@pytest.mark.parametrize(
    "code,level,prefix",
    [
        ("130000000000", "province", "13"),
        ("130100000000", "city", "1301"),
        ("130102000000", "county", "130102"),
        ("130102001000", "township", "130102001"),
        ("130102001001", "community", "130102001001"),
    ],
)
def test_levels_and_prefixes(code, level, prefix):
    assert regions.level_of(code) == level
    assert regions.prefix_of(code) == prefix


def test_scope_is_a_prefix():
    assert regions.in_scope("130100000000", "130102001001")
    assert not regions.in_scope("130200000000", "130102001001")
    assert not regions.in_scope(None, "130102001001")


def test_city_level_units():
    assert regions.city_unit_of("130102001001") == "130100000000"
    assert regions.city_unit_of("130682100200") == "130682000000"  # 定州
    assert regions.city_unit_of("130181001000") == "130181000000"  # 辛集
    assert regions.city_unit_of("133100000000") == "133100000000"  # 雄安新区
    assert regions.parent_of("130102001001") == "130102001000"


def test_errors_carry_code_and_both_languages():
    err = NotFound("no_such_demand", "需求不存在", "No such demand", {"id": "x"})
    assert err.status == 404
    assert err.to_body() == {
        "error": "no_such_demand",
        "message": {"zh": "需求不存在", "en": "No such demand"},
        "details": {"id": "x"},
    }


def test_tokens_round_trip_and_reject_tampering(tmp_path):
    generate_keypair(tmp_path / "k", tmp_path / "k.pub")
    other = tmp_path / "other"
    generate_keypair(other / "k", other / "k.pub")
    caller = Caller("p1", ("station_operator",), "130102001001", "c1")
    token = issue_access_token((tmp_path / "k").read_bytes(), caller, 60)
    assert verify_access_token((tmp_path / "k.pub").read_bytes(), token) == caller
    with pytest.raises(Unauthenticated):
        verify_access_token((other / "k.pub").read_bytes(), token)
    expired = issue_access_token((tmp_path / "k").read_bytes(), caller, -5)
    with pytest.raises(Unauthenticated) as info:
        verify_access_token((tmp_path / "k.pub").read_bytes(), expired)
    assert info.value.code == "token_expired"


def test_caller_scope_checks():
    caller = Caller("p1", ("station_operator",), "130102001000")
    caller.require_scope("130102001001")
    with pytest.raises(Forbidden):
        caller.require_scope("130103000000")
    with pytest.raises(Forbidden):
        caller.require("province_admin")


def test_token_cache_answers_like_verification_and_honours_expiry(tmp_path):
    import time

    from timebank_common.tokens import TokenCache

    generate_keypair(tmp_path / "k", tmp_path / "k.pub")
    private = (tmp_path / "k").read_bytes()
    cache = TokenCache((tmp_path / "k.pub").read_bytes())
    caller = Caller("p1", ("volunteer",), "130102001001")
    token = issue_access_token(private, caller, 60)
    assert cache.verify(token) == caller
    assert cache.verify(token) == caller  # from the cache
    short = issue_access_token(private, caller, 1)
    assert cache.verify(short) == caller
    time.sleep(2.1)
    with pytest.raises(Unauthenticated) as info:
        cache.verify(short)  # past its expiry: not served from the cache
    assert info.value.code == "token_expired"
    with pytest.raises(Unauthenticated):
        cache.verify(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))  # tampered: never cached


def test_tokens_are_checked_against_the_verifiers_clock(tmp_path):
    """A platform living at a simulated time (``CLOCK_FILE``) verifies the tokens its identity
    issued by that time: valid from their issue to their expiry on the given clock, not on
    the machine's."""
    import datetime as dt

    from timebank_common.tokens import TokenCache

    generate_keypair(tmp_path / "k", tmp_path / "k.pub")
    private = (tmp_path / "k").read_bytes()
    cache = TokenCache((tmp_path / "k.pub").read_bytes())
    caller = Caller("p1", ("volunteer",), "130102001001")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=90)
    token = issue_access_token(private, caller, 600, later)
    with pytest.raises(Unauthenticated) as info:
        cache.verify(token)  # by the machine's clock it is not issued yet
    assert info.value.code == "token_invalid"
    assert cache.verify(token, (later + dt.timedelta(seconds=1)).timestamp()) == caller
    with pytest.raises(Unauthenticated) as info:
        cache.verify(token, (later + dt.timedelta(seconds=601)).timestamp())
    assert info.value.code == "token_expired"
