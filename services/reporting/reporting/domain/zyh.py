"""志愿汇 pushes, pure: the settings read from the ``ZYH`` configuration block, the payload of
one service record under the operator's field mapping, the signed headers of a batch, and the
retry schedule (deterministic exponential back-off, then dead). No I/O, no clock: ``now`` and
the nonce are passed in."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from timebank_common.signed_http import backoff, check_url, sign

PENDING, SENT, DEAD = "pending", "sent", "dead"
STATUSES = (PENDING, SENT, DEAD)
CREDITED, VOIDED = "credited", "voided"

APP_ID_HEADER = "X-Zyh-App-Id"
TIMESTAMP_HEADER = "X-Zyh-Timestamp"
NONCE_HEADER = "X-Zyh-Nonce"
SIGNATURE_HEADER = "X-Zyh-Signature"

OUR_FIELDS = ("record_id", "version", "volunteer_id", "volunteer_region_code", "started_at",
              "ended_at", "hours", "minutes", "category", "station", "region_code", "status",
              "day")
"""What a payload may carry (our names; the mapping renames them)."""

DEFAULT_FIELD_MAP: dict[str, str] = {
    "record_id": "serviceRecordId",
    "version": "recordVersion",
    "volunteer_id": "volunteerNo",
    "started_at": "serviceStartTime",
    "ended_at": "serviceEndTime",
    "hours": "serviceHours",
    "category": "serviceType",
    "station": "stationId",
    "region_code": "areaCode",
    "status": "recordStatus",
}
"""Our field → 志愿汇's field name (``ZYH.field_map`` replaces it; a field left out of the
mapping is not sent)."""

CHINA = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class ZyhSettings:
    enabled: bool = False
    endpoint: str = ""
    app_id: str = ""
    secret: str = ""
    timeout_seconds: float = 10.0
    max_attempts: int = 8
    backoff_base_seconds: float = 60.0
    backoff_cap_seconds: float = 3600.0
    batch_size: int = 100
    scan_batch: int = 1000
    sending_lease_seconds: float = 120.0
    field_map: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_FIELD_MAP))

    def backoff(self, attempts: int) -> dt.timedelta:
        """The pause after the ``attempts``-th failed attempt."""
        return backoff(attempts, self.backoff_base_seconds, self.backoff_cap_seconds)

    def after_failure(self, attempts: int, now: dt.datetime) -> tuple[str, dt.datetime]:
        """(status, next attempt) once ``attempts`` attempts have failed: pending again after
        the back-off, or dead when they are used up."""
        if attempts >= self.max_attempts:
            return DEAD, now
        return PENDING, now + self.backoff(attempts)


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def settings_of(config: Mapping[str, Any] | None) -> ZyhSettings:
    """The ``ZYH`` block of the service's configuration (every value has a default; disabled
    unless ``enabled`` and an endpoint are set). Raises ValueError on a mapping naming a field
    we do not have, or an endpoint that is not https (plain http: to this machine only)."""
    cfg = dict((config or {}).get("ZYH") or {})
    mapping = cfg.get("field_map")
    if mapping is None or mapping == "":
        field_map = dict(DEFAULT_FIELD_MAP)
    else:
        if isinstance(mapping, str):  # from the environment: JSON text
            mapping = json.loads(mapping)
        field_map = {str(k): str(v) for k, v in dict(mapping).items() if v not in (None, "")}
        unknown = sorted(set(field_map) - set(OUR_FIELDS))
        if unknown:
            raise ValueError(f"ZYH.field_map names unknown fields {unknown}; known: {OUR_FIELDS}")
    endpoint = str(cfg.get("endpoint") or "").strip()
    if endpoint:
        check_url(endpoint)  # https, or http to this machine only (UrlRefused: a ValueError)
    return ZyhSettings(
        enabled=_flag(cfg.get("enabled", False)) and bool(endpoint),
        endpoint=endpoint,
        app_id=str(cfg.get("app_id") or ""),
        secret=str(cfg.get("secret") or ""),
        timeout_seconds=float(cfg.get("timeout_seconds", 10)),
        max_attempts=max(1, int(cfg.get("max_attempts", 8))),
        backoff_base_seconds=float(cfg.get("backoff_base_seconds", 60)),
        backoff_cap_seconds=float(cfg.get("backoff_cap_seconds", 3600)),
        batch_size=max(1, int(cfg.get("batch_size", 100))),
        scan_batch=max(1, int(cfg.get("scan_batch", 1000))),
        sending_lease_seconds=float(cfg.get("sending_lease_seconds", 120)),
        field_map=field_map)


def _china(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(CHINA).isoformat(timespec="seconds")
    return str(value)


def minutes_of(row: Mapping[str, Any]) -> int:
    """The minutes a push carries: 0 for a void (credited 0 after a correction)."""
    return int(row.get("credited_minutes") or 0)


def values_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """Our fields of one ``service_records`` row (credited): a void is credited 0, status
    ``voided``."""
    minutes = minutes_of(row)
    return {
        "record_id": row["record_id"],
        "version": int(row["version"]),
        "volunteer_id": row.get("volunteer_id"),
        "volunteer_region_code": row.get("volunteer_region_code"),
        "started_at": _china(row.get("started_at")),
        "ended_at": _china(row.get("ended_at")),
        "hours": round(minutes / 60, 2),
        "minutes": minutes,
        "category": row.get("category"),
        "station": row.get("carrier_id"),
        "region_code": row.get("region_code"),
        "status": CREDITED if minutes > 0 else VOIDED,
        "day": row["day"].isoformat() if isinstance(row.get("day"), dt.date) else row.get("day"),
    }


def payload_of(row: Mapping[str, Any], field_map: Mapping[str, str]) -> dict[str, Any]:
    """One record as 志愿汇 reads it: our fields renamed by the mapping (unmapped: not sent)."""
    values = values_of(row)
    return {theirs: values[ours] for ours, theirs in field_map.items() if ours in values}


def batch_body(app_id: str, records: list[Mapping[str, Any]]) -> bytes:
    """The JSON of one POST: ``{"appId", "records": [...]}``, compact, keys sorted (the bytes
    signed are the bytes sent)."""
    return json.dumps({"appId": app_id, "records": list(records)}, ensure_ascii=False,
                      separators=(",", ":"), sort_keys=True, default=str).encode()


def signed_headers(app_id: str, secret: str, timestamp: int, nonce: str,
                   body: bytes) -> dict[str, str]:
    """The headers of a POST: app id, timestamp (unix seconds), nonce, and the hex
    HMAC-SHA256 of ``"<timestamp>.<nonce>.<body>"`` under the shared secret."""
    return {APP_ID_HEADER: app_id, TIMESTAMP_HEADER: str(int(timestamp)), NONCE_HEADER: nonce,
            SIGNATURE_HEADER: sign(secret, timestamp, body, nonce)}
