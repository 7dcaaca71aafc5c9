"""Password and secret hashing (argon2id) and refresh-token digests (sha256).

argon2 is meant to be slow (about 0.3 s of CPU with the default parameters) and runs in C
without the GIL, so a hash or a check runs in a native thread (``eventlet.tpool``) while the
process's other requests go on; at most ``CONCURRENT_HASHES`` at once, since each takes the
hasher's memory cost (64 MiB by default). Run on the event loop, every login stopped the whole
identity process for its duration: under the province day's logins the other requests, holding
their database connections, waited past the pool's timeout (a 500 on login).
"""
from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventlet import tpool
from eventlet.semaphore import Semaphore

CONCURRENT_HASHES = 4
_hashing = Semaphore(CONCURRENT_HASHES)

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


def _off_the_event_loop(work, *args):
    with _hashing:
        return tpool.execute(work, *args)


def hash_password(password: str) -> str:
    return _off_the_event_loop(_hasher.hash, password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _off_the_event_loop(_hasher.verify, password_hash or _DUMMY_HASH, password) \
            and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def new_client_secret() -> str:
    """A municipal system's secret: shown once, stored only as its argon2 hash."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
