"""Password and secret hashing (argon2id) and refresh-token digests (sha256)."""
from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# verified against when the phone is unknown, so both refusals take the same time
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def use_parameters(time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Hash new passwords and secrets with these argon2 parameters from now on (the default
    ones are argon2-cffi's; tests choose cheap ones). A hash carries its own parameters, so
    every stored hash still verifies."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                             parallelism=parallelism)
    _DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def new_client_secret() -> str:
    """A municipal system's secret: shown once, stored only as its argon2 hash."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
