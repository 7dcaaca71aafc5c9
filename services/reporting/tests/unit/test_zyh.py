"""志愿汇 pushes, pure: settings and field mapping from config, the payload, the signature, the
retry schedule."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from reporting.domain import zyh
from timebank_common import signed_http

UTC = dt.UTC
ROW = {"record_id": "r1", "version": 2, "volunteer_id": "v1", "volunteer_region_code": "130102001001",
       "started_at": dt.datetime(2026, 3, 1, 1, 0, tzinfo=UTC),
       "ended_at": dt.datetime(2026, 3, 1, 2, 30, tzinfo=UTC), "credited_minutes": 90,
       "category": "companionship", "carrier_id": "st-1", "region_code": "130102001001",
       "day": dt.date(2026, 3, 1)}


def test_defaults_are_disabled_and_use_the_default_mapping():
    settings = zyh.settings_of({})
    assert not settings.enabled
    assert dict(settings.field_map) == zyh.DEFAULT_FIELD_MAP
    # enabled without an endpoint is still disabled
    assert not zyh.settings_of({"ZYH": {"enabled": "true"}}).enabled
    assert zyh.settings_of({"ZYH": {"enabled": "true", "endpoint": "https://x"}}).enabled


def test_the_endpoint_must_be_https_or_loopback_http():
    assert zyh.settings_of({"ZYH": {"endpoint": "http://127.0.0.1:8080/x"}}).endpoint
    for wrong in ("http://zyh.example.cn/push", "ftp://zyh.example.cn", "https://u:p@x.cn/"):
        with pytest.raises(ValueError):
            zyh.settings_of({"ZYH": {"enabled": True, "endpoint": wrong}})


def test_the_field_mapping_from_config_renames_and_drops_fields():
    settings = zyh.settings_of({"ZYH": {"field_map": {
        "record_id": "id", "hours": "shichang", "station": "zhandian", "category": ""}}})
    assert zyh.payload_of(ROW, settings.field_map) == {
        "id": "r1", "shichang": 1.5, "zhandian": "st-1"}
    from_env = zyh.settings_of({"ZYH": {"field_map": '{"volunteer_id": "vid"}'}})
    assert zyh.payload_of(ROW, from_env.field_map) == {"vid": "v1"}
    with pytest.raises(ValueError, match="unknown fields"):
        zyh.settings_of({"ZYH": {"field_map": {"password": "x"}}})


def test_the_default_payload_in_china_time_and_a_void():
    payload = zyh.payload_of(ROW, zyh.DEFAULT_FIELD_MAP)
    assert payload["serviceStartTime"] == "2026-03-01T09:00:00+08:00"
    assert payload["serviceEndTime"] == "2026-03-01T10:30:00+08:00"
    assert payload["serviceHours"] == 1.5
    assert payload["recordStatus"] == "credited"
    assert payload["recordVersion"] == 2
    void = zyh.payload_of({**ROW, "credited_minutes": 0, "version": 3}, zyh.DEFAULT_FIELD_MAP)
    assert (void["serviceHours"], void["recordStatus"]) == (0, "voided")


def test_signed_headers_verify_and_a_changed_body_does_not():
    body = zyh.batch_body("app-1", [zyh.payload_of(ROW, zyh.DEFAULT_FIELD_MAP)])
    assert json.loads(body)["appId"] == "app-1"
    headers = zyh.signed_headers("app-1", "s3cret", 1_700_000_000, "n-1", body)
    signature = headers[zyh.SIGNATURE_HEADER]
    assert headers[zyh.APP_ID_HEADER] == "app-1"
    assert headers[zyh.TIMESTAMP_HEADER] == "1700000000"
    assert signed_http.verify("s3cret", signature, 1_700_000_000, body, 1_700_000_100, "n-1")
    assert not signed_http.verify("s3cret", signature, 1_700_000_000, body + b" ",
                                  1_700_000_100, "n-1")
    assert not signed_http.verify("s3cret", signature, 1_700_000_000, body, 1_700_000_100, "n-2")
    assert not signed_http.verify("other", signature, 1_700_000_000, body, 1_700_000_100, "n-1")
    assert not signed_http.verify("s3cret", signature, 1_700_000_000, body, 1_700_001_000, "n-1")
    # the scheme, written out (the README's): HMAC-SHA256 of "<t>.<nonce>.<body>"
    import hashlib
    import hmac
    assert signature == hmac.new(b"s3cret", b"1700000000.n-1." + body, hashlib.sha256).hexdigest()


def test_the_back_off_schedule_is_deterministic_capped_then_dead():
    settings = zyh.ZyhSettings(max_attempts=5, backoff_base_seconds=10, backoff_cap_seconds=35)
    now = dt.datetime(2026, 1, 1, tzinfo=UTC)
    assert [settings.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 35, 35]
    assert settings.after_failure(1, now) == (zyh.PENDING, now + dt.timedelta(seconds=10))
    assert settings.after_failure(4, now) == (zyh.PENDING, now + dt.timedelta(seconds=35))
    assert settings.after_failure(5, now) == (zyh.DEAD, now)
