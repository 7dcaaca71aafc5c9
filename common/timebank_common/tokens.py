"""Signed access tokens: identity signs them with its Ed25519 private key; the gateway
verifies them with the public key alone (no round trip) and passes the ``Caller``
(``caller.py``) on to the services, which never see tokens.

Key rotation: every token names its signing key in the JWT header ``kid`` (``signing.key_id``
of the public key: 16 hex digits of its SHA-256). The gateway verifies against a ``KeySet`` —
the current public key and any number of other accepted ones — picking the key by ``kid``, so
a new signing key is added to the set, then used, and the old one retired once every token it
signed has expired, without logging anyone out (deploy/README.md, "Rotating keys"). A token
without ``kid`` (issued before kids existed) is checked against the current key; a ``kid``
the set does not hold is 401 ``token_key_unknown``.

Revocation without a round trip: identity announces each revocation (a person, an
API client or one login session, "every token issued up to this instant") with the
event ``tokens_revoked``; the gateway keeps them in a ``RevocationList`` that
``TokenCache.verify`` consults on every request (a few dict lookups).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .caller import Caller
from .errors import Unauthenticated
from .signing import key_id

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


def _ed25519_public(pem: bytes, where: str = "public key") -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{where}: not an Ed25519 public key")
    return key


def private_key_id(private_key_pem: bytes) -> str:
    """The ``kid`` of the tokens this private key signs (the key id of its public half)."""
    private = serialization.load_pem_private_key(private_key_pem, password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key_id(private.public_key())


def token_key_unknown(kid: str) -> Unauthenticated:
    return Unauthenticated("token_key_unknown", "登录凭证的签名密钥已停用，请重新登录",
                           "The access token was signed with a key no longer accepted; "
                           "please log in again", {"kid": kid})


class KeySet:
    """The public keys access tokens are verified with: ``current`` (the key of identity's
    signing key; a token without ``kid`` is checked against it) and any others accepted
    during a rotation (the next key before identity signs with it, or the previous one
    until its tokens have expired). Pure: built from PEM bytes, no file or clock."""

    def __init__(self, current_pem: bytes, accepted_pems: Iterable[bytes] = ()):
        current = _ed25519_public(current_pem, "current public key")
        self.current_kid = key_id(current)
        self.keys: dict[str, Ed25519PublicKey] = {self.current_kid: current}
        for pem in accepted_pems:
            key = _ed25519_public(pem, "accepted public key")
            self.keys.setdefault(key_id(key), key)

    @classmethod
    def from_files(cls, current_file: str | Path,
                   accepted_files: Iterable[str | Path] | str | None = ()) -> KeySet:
        """``accepted_files``: paths, or one string of paths separated by commas (what an
        environment variable holds); blanks are skipped."""
        if isinstance(accepted_files, str):
            accepted_files = accepted_files.split(",")
        paths = [str(p).strip() for p in (accepted_files or ()) if str(p).strip()]
        return cls(Path(current_file).read_bytes(), [Path(p).read_bytes() for p in paths])

    @property
    def kids(self) -> list[str]:
        return sorted(self.keys)

    def key_for(self, token: str) -> Ed25519PublicKey:
        """The key to verify ``token`` with, by its header's ``kid`` (none: the current key).
        A token whose header cannot be read is ``token_invalid``; an unknown kid
        ``token_key_unknown``."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise _invalid() from None
        kid = header.get("kid")
        if kid is None:
            return self.keys[self.current_kid]
        if not isinstance(kid, str):
            raise _invalid()
        key = self.keys.get(kid)
        if key is None:
            raise token_key_unknown(kid)
        return key


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

    def __init__(self, keys: KeySet | bytes, max_size: int = 50_000,
                 revocations: RevocationList | None = None):
        """``keys``: the ``KeySet``, or one public key's PEM bytes (a set of that key alone)."""
        self.keys = keys if isinstance(keys, KeySet) else KeySet(keys)
        self.max_size = max_size
        self.revocations = revocations if revocations is not None else RevocationList()
        self._verified: dict[str, tuple[Caller, float, float]] = {}

    def verify(self, token: str, now: float | None = None) -> Caller:
        import time

        now = time.time() if now is None else now
        hit = self._verified.get(token)
        if hit is None or hit[1] <= now:
            claims = decode_access_token(self.keys, token, now)
            if len(self._verified) >= self.max_size:
                self._verified.clear()
            hit = (caller_of(claims), float(claims["exp"]), float(claims["iat"]))
            self._verified[token] = hit
        caller, _, issued_at = hit
        if self.revocations.is_revoked(caller, issued_at):
            raise token_revoked()
        return caller


def issue_access_token(private_key_pem: bytes, caller: Caller, ttl_seconds: int,
                       now: dt.datetime | None = None, kid: str | None = None) -> str:
    """A signed access token naming its key in the header (``kid``: given, as identity's
    ``Signer`` does once at start, or derived from the private key)."""
    now = now or dt.datetime.now(dt.UTC)
    kid = kid or private_key_id(private_key_pem)
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
    if caller.password_change_required:
        claims["pwd_change"] = True  # a one-time password: only changing it is allowed
    return jwt.encode(claims, private_key_pem, algorithm=ALGORITHM, headers={"kid": kid})


def _invalid() -> Unauthenticated:
    return Unauthenticated("token_invalid", "登录凭证无效", "The access token is not valid")


def decode_access_token(public_key, token: str, now: float | None = None) -> dict:
    """The claims of a valid access token (signature, audience, issuer, type, and expiry and
    issue time against ``now``, seconds since the epoch: the caller's clock, so a platform
    living at a simulated time verifies the tokens its identity issued; default the
    machine's). ``public_key``: a ``KeySet`` (the key picked by the token's ``kid``), a key
    object or PEM bytes (that key, whatever the ``kid``)."""
    import time

    invalid = _invalid()
    if isinstance(public_key, KeySet):
        public_key = public_key.key_for(token)
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
    data["password_change_required"] = claims.get("pwd_change") is True
    return Caller.from_dict(data)


def verify_access_token(public_key, token: str) -> Caller:
    """``public_key``: PEM bytes, or a key object from ``load_public_key`` (faster: parsed once).
    Revocations are not checked here (see ``TokenCache``)."""
    return caller_of(decode_access_token(public_key, token))
