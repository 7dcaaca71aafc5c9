"""Signed access tokens and the ``Caller`` every RPC receives.

identity signs tokens with its Ed25519 private key; the gateway verifies them
with the public key alone (no round trip). Services never see tokens: the
gateway passes a ``caller`` dict (person id, roles, scope, carrier) as the first
RPC argument, and each service enforces scope itself (DESIGN.md §4).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .errors import Forbidden, Unauthenticated
from .regions import in_scope

ISSUER = "timebank-identity"
AUDIENCE = "timebank"
ALGORITHM = "EdDSA"

ADMIN_ROLES = ("province_admin", "city_admin", "county_admin", "township_admin")
STAFF_ROLES = ADMIN_ROLES + ("station_operator", "auditor")


@dataclass(frozen=True)
class Caller:
    person_id: str | None
    roles: tuple[str, ...] = field(default_factory=tuple)
    scope: str | None = None  # 12-digit region code the caller may act in
    carrier_id: str | None = None
    client_id: str | None = None
    name: str | None = None

    @classmethod
    def from_dict(cls, data: dict | None) -> Caller:
        if not data:
            raise Unauthenticated("login_required", "请先登录", "Please log in first")
        return cls(
            person_id=data.get("person_id"),
            roles=tuple(data.get("roles") or ()),
            scope=data.get("scope"),
            carrier_id=data.get("carrier_id"),
            client_id=data.get("client_id"),
            name=data.get("name"),
        )

    def to_dict(self) -> dict:
        data = asdict(self)
        data["roles"] = list(self.roles)
        return data

    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    def is_staff(self) -> bool:
        return self.has(*STAFF_ROLES)

    def covers(self, region_code: str | None) -> bool:
        return in_scope(self.scope, region_code)

    def require(self, *roles: str) -> None:
        if not self.has(*roles):
            raise Forbidden(
                "role_required",
                "您的角色无权进行此操作",
                "Your role does not allow this action",
                {"required_any_of": list(roles)},
            )

    def require_scope(self, region_code: str | None) -> None:
        if not self.covers(region_code):
            raise Forbidden(
                "out_of_scope",
                "该记录不在您的管辖范围内",
                "This record is outside your region",
                {"region_code": region_code, "scope": self.scope},
            )


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


class TokenCache:
    """Verified tokens, kept until they expire: a token is verified once, not per request.

    Only tokens whose signature and claims checked out are kept, and a hit still
    checks the expiry, so the answer is the one ``verify_access_token`` would give.
    """

    def __init__(self, public_key_pem: bytes, max_size: int = 50_000):
        self.public_key = load_public_key(public_key_pem)
        self.max_size = max_size
        self._verified: dict[str, tuple[Caller, float]] = {}

    def verify(self, token: str, now: float | None = None) -> Caller:
        import time

        now = time.time() if now is None else now
        hit = self._verified.get(token)
        if hit is not None and hit[1] > now:
            return hit[0]
        caller = verify_access_token(self.public_key, token)
        if len(self._verified) >= self.max_size:
            self._verified.clear()
        expires = jwt.decode(token, options={"verify_signature": False})["exp"]
        self._verified[token] = (caller, float(expires))
        return caller


def issue_access_token(private_key_pem: bytes, caller: Caller, ttl_seconds: int,
                       now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": caller.person_id or caller.client_id,
        "iat": int(now.timestamp()),
        "exp": int((now + dt.timedelta(seconds=ttl_seconds)).timestamp()),
        "typ": "access",
        "caller": caller.to_dict(),
    }
    return jwt.encode(claims, private_key_pem, algorithm=ALGORITHM)


def verify_access_token(public_key, token: str) -> Caller:
    """``public_key``: PEM bytes, or a key object from ``load_public_key`` (faster: parsed once)."""
    try:
        claims = jwt.decode(
            token, public_key, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("token_expired", "登录已过期，请重新登录或刷新令牌",
                              "The access token has expired; refresh it or log in again") from None
    except jwt.InvalidTokenError:
        raise Unauthenticated("token_invalid", "登录凭证无效", "The access token is not valid") from None
    if claims.get("typ") != "access":
        raise Unauthenticated("token_invalid", "登录凭证无效", "The access token is not valid")
    return Caller.from_dict(claims["caller"])
