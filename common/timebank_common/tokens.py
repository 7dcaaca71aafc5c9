"""Signed access tokens: identity signs them with its Ed25519 private key; the gateway
verifies them with the public key alone (no round trip) and passes the ``Caller``
(``caller.py``) on to the services, which never see tokens.

Revocation without a round trip: identity announces each revocation (a person, an
API client or one login session, "every token issued up to this instant") with the
event ``tokens_revoked``; the gateway keeps them in a ``RevocationList`` that
``TokenCache.verify`` consults on every request (a few dict lookups).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .caller import Caller
from .errors import Unauthenticated

ISSUER = "timebank-identity"
AUDIENCE = "timebank"
ALGORITHM = "EdDSA"


def generate_keypair(private_path: Path, public_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    private_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption())
    )
    private_path.chmod(0o600)
    public_path.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM,
                                      serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def ensure_keypair(private_path: str, public_path: str) -> None:
    priv, pub = Path(private_path), Path(public_path)
    if not priv.exists() or not pub.exists():
        generate_keypair(priv, pub)


def load_public_key(public_key_pem: bytes):
    return serialization.load_pem_public_key(public_key_pem)


def _epoch(value) -> float:
    """Seconds since the epoch from a number, an aware datetime or an ISO 8601 string."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.timestamp()


class RevocationList:
    """Revocations the gateway honours: "tokens of this person / client / session issued
    at or before ``revoked_before`` are no longer accepted".

    Only the latest instant per person, client and session is kept, and an entry older
    than the longest access-token lifetime is dropped (every token it could refuse has
    expired anyway), so the list stays as small as the revocations of the last minutes.
    """

    KINDS = ("person_id", "client_id", "session_id")

    def __init__(self, max_token_age: float = 900):
        self.max_token_age = float(max_token_age)
        self._before: dict[tuple[str, str], float] = {}

    def __len__(self) -> int:
        return len(self._before)

    def add(self, entry: dict, now: float | None = None) -> None:
        """``entry``: ``{person_id, client_id, session_id, revoked_before}`` (as in the
        ``tokens_revoked`` event; unused ids are None)."""
        import time

        before = _epoch(entry["revoked_before"])
        for kind in self.KINDS:
            if entry.get(kind):
                key = (kind, str(entry[kind]))
                self._before[key] = max(before, self._before.get(key, before))
        self.prune(time.time() if now is None else now)

    def prune(self, now: float) -> None:
        oldest_useful = now - self.max_token_age
        for key in [k for k, before in self._before.items() if before < oldest_useful]:
            self._before.pop(key, None)

    def is_revoked(self, caller: Caller, issued_at: float) -> bool:
        for kind in self.KINDS:
            value = getattr(caller, kind)
            if value and issued_at <= self._before.get((kind, str(value)), float("-inf")):
                return True
        return False


def token_revoked() -> Unauthenticated:
    return Unauthenticated("token_revoked", "登录已失效，请重新登录",
                           "This session has ended; please log in again")


class TokenCache:
    """Verified tokens, kept until they expire: a token is verified once, not per request.

    Only tokens whose signature and claims checked out are kept, and a hit still
    checks the expiry and the revocations, so the answer is the one
    ``verify_access_token`` plus the ``RevocationList`` would give.
    """

    def __init__(self, public_key_pem: bytes, max_size: int = 50_000,
                 revocations: RevocationList | None = None):
        self.public_key = load_public_key(public_key_pem)
        self.max_size = max_size
        self.revocations = revocations if revocations is not None else RevocationList()
        self._verified: dict[str, tuple[Caller, float, float]] = {}

    def verify(self, token: str, now: float | None = None) -> Caller:
        import time

        now = time.time() if now is None else now
        hit = self._verified.get(token)
        if hit is None or hit[1] <= now:
            claims = decode_access_token(self.public_key, token, now)
            if len(self._verified) >= self.max_size:
                self._verified.clear()
            hit = (caller_of(claims), float(claims["exp"]), float(claims["iat"]))
            self._verified[token] = hit
        caller, _, issued_at = hit
        if self.revocations.is_revoked(caller, issued_at):
            raise token_revoked()
        return caller


def issue_access_token(private_key_pem: bytes, caller: Caller, ttl_seconds: int,
                       now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": caller.person_id or caller.client_id,
        # to the microsecond (RFC 7519 allows fractions): a revocation at instant t
        # refuses the tokens issued up to t, not those of a login a moment later
        "iat": now.timestamp(),
        "exp": int((now + dt.timedelta(seconds=ttl_seconds)).timestamp()),
        "typ": "access",
        "caller": caller.to_dict(),
    }
    if caller.session_id:
        claims["sid"] = caller.session_id
    return jwt.encode(claims, private_key_pem, algorithm=ALGORITHM)


def decode_access_token(public_key, token: str, now: float | None = None) -> dict:
    """The claims of a valid access token (signature, audience, issuer, type, and expiry and
    issue time against ``now``, seconds since the epoch: the caller's clock, so a platform
    living at a simulated time verifies the tokens its identity issued; default the
    machine's)."""
    import time

    invalid = Unauthenticated("token_invalid", "登录凭证无效", "The access token is not valid")
    try:
        claims = jwt.decode(
            token, public_key, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
            options={"require": ["exp", "iat", "sub"], "verify_exp": False,
                     "verify_iat": False},
        )
    except jwt.InvalidTokenError:
        raise invalid from None
    now = time.time() if now is None else now
    if not all(isinstance(claims[c], int | float) and not isinstance(claims[c], bool)
               for c in ("exp", "iat")):
        raise invalid
    if claims["exp"] <= now:
        raise Unauthenticated("token_expired", "登录已过期，请重新登录或刷新令牌",
                              "The access token has expired; refresh it or log in again")
    if int(claims["iat"]) > now:  # issued in the future: not yet valid
        raise invalid
    if claims.get("typ") != "access" or not isinstance(claims.get("caller"), dict):
        raise invalid
    return claims


def caller_of(claims: dict) -> Caller:
    data = dict(claims["caller"])
    if claims.get("sid") and not data.get("session_id"):
        data["session_id"] = claims["sid"]
    return Caller.from_dict(data)


def verify_access_token(public_key, token: str) -> Caller:
    """``public_key``: PEM bytes, or a key object from ``load_public_key`` (faster: parsed once).
    Revocations are not checked here (see ``TokenCache``)."""
    return caller_of(decode_access_token(public_key, token))
