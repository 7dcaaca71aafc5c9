"""Tencent Cloud API 3.0 request signing, TC3-HMAC-SHA256, as used by SMS ``SendSms``.

Reference: Tencent Cloud API 3.0 documentation, "Signature v3" (签名方法 v3; e.g.
https://www.tencentcloud.com/document/product/267/37447 — its worked example,
signature ``72e494ea…5168``, is a unit test here), and SMS ``SendSms`` (API version
2021-01-11, host sms.tencentcloudapi.com, service ``sms``). Steps:

1. CanonicalRequest = method \\n canonical URI ("/") \\n canonical query ("" for POST) \\n
   canonical headers (lower-case "name:value\\n", sorted: content-type, host, x-tc-action)
   \\n signed headers ("content-type;host;x-tc-action") \\n hex(SHA256(payload));
2. StringToSign = "TC3-HMAC-SHA256" \\n timestamp \\n "<date>/<service>/tc3_request" \\n
   hex(SHA256(CanonicalRequest)), date = UTC date of the timestamp;
3. key = HMAC("TC3" + SecretKey, date) → HMAC(·, service) → HMAC(·, "tc3_request");
   signature = hex(HMAC(key, StringToSign));
4. Authorization: "TC3-HMAC-SHA256 Credential=<SecretId>/<scope>, SignedHeaders=..., Signature=...".
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac

ALGORITHM = "TC3-HMAC-SHA256"
CONTENT_TYPE = "application/json; charset=utf-8"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data if isinstance(data, bytes) else data.encode("utf-8")).hexdigest()


def headers_to_sign(host: str, action: str | None) -> dict[str, str]:
    """The signed headers: content-type and host (required), and x-tc-action (recommended)."""
    signed = {"content-type": CONTENT_TYPE, "host": host}
    if action:
        signed["x-tc-action"] = action.lower()
    return signed


def canonical_request(signed: dict[str, str], payload: bytes) -> tuple[str, str]:
    """(CanonicalRequest of a POST, SignedHeaders): headers lower-cased, sorted by name."""
    names = sorted(k.lower() for k in signed)
    values = {k.lower(): str(v).strip().lower() for k, v in signed.items()}
    canonical_headers = "".join(f"{n}:{values[n]}\n" for n in names)
    signed_names = ";".join(names)
    return "\n".join(["POST", "/", "", canonical_headers, signed_names, _sha256(payload)]), \
        signed_names


def signature(secret_key: str, service: str, timestamp: int, signed: dict[str, str],
              payload: bytes) -> tuple[str, str, str]:
    """(credential scope, SignedHeaders, hex signature) of one POST request."""
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    request, signed_names = canonical_request(signed, payload)
    to_sign = "\n".join([ALGORITHM, str(timestamp), scope, _sha256(request)])
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode("utf-8"), date), service), "tc3_request")
    return scope, signed_names, hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def signed_headers(secret_id: str, secret_key: str, *, service: str, host: str, action: str,
                   version: str, region: str, timestamp: int, payload: bytes) -> dict[str, str]:
    """Every header a signed Tencent Cloud API 3.0 POST carries."""
    scope, names, sig = signature(secret_key, service, timestamp,
                                  headers_to_sign(host, action), payload)
    return {
        "Authorization": f"{ALGORITHM} Credential={secret_id}/{scope}, "
                         f"SignedHeaders={names}, Signature={sig}",
        "Content-Type": CONTENT_TYPE,
        "Host": host,
        "X-TC-Action": action,
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Version": version,
        "X-TC-Region": region,
    }


def parse_authorization(value: str) -> dict[str, str]:
    """The parts of an Authorization header (for a verifying server): algorithm, credential,
    signed headers, signature."""
    algorithm, _, rest = value.partition(" ")
    parts = dict(p.strip().split("=", 1) for p in rest.split(",") if "=" in p)
    return {"algorithm": algorithm, "credential": parts.get("Credential", ""),
            "signed_headers": parts.get("SignedHeaders", ""),
            "signature": parts.get("Signature", "")}
