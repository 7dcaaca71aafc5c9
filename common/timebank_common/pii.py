"""Encryption at rest for personal data: a field cipher with key rotation and a keyed hash.

* ``FieldCipher``: AES-256-GCM. A value is stored as ``v1:<kid>:<base64(nonce|ciphertext)>``;
  the key id names the key that sealed it, so values sealed under an old key still open after
  the active key changed (rotation), and ``needs_rotation`` tells which ones to re-seal.
* ``KeyedHash``: HMAC-SHA256 (hex) with its own key, for looking up and enforcing uniqueness of
  values that are only stored encrypted (an ID number, a phone). The ``purpose`` is mixed in, so
  the same digits give different digests as an ID number and as a phone.

Keys live in a JSON key file (never in code), named by the service configuration::

    {"active": "k20261129", "keys": {"k20261129": "<base64 of 32 bytes>"},
     "hash_key": "<base64 of 32 bytes>"}

``ensure_key_file(path)`` writes a fresh file when there is none (local runs and tests, like the
JWT keys); ``add_key(path)`` adds a new key and makes it active (rotation, then re-encrypt).

    python -m timebank_common.pii ensure var/keys/pii-keys.json
    python -m timebank_common.pii add-key var/keys/pii-keys.json
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12


class PiiKeyError(Exception):
    """A key is missing or wrong, or a stored value cannot be opened."""


class FieldCipher:
    def __init__(self, keys: dict[str, bytes], active: str):
        if active not in keys:
            raise PiiKeyError(f"the active personal-data key {active!r} is not among the keys")
        for kid, key in keys.items():
            if len(key) != KEY_BYTES or ":" in kid:
                raise PiiKeyError(f"personal-data key {kid!r} must be {KEY_BYTES} bytes, no ':'")
        self._aead = {kid: AESGCM(key) for kid, key in keys.items()}
        self.active = active

    def encrypt(self, plaintext: str | None) -> str | None:
        if plaintext is None:
            return None
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead[self.active].encrypt(nonce, plaintext.encode("utf-8"), None)
        return f"{FORMAT}:{self.active}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, token: str | None) -> str | None:
        if token is None:
            return None
        kid, blob = self._parse(token)
        aead = self._aead.get(kid)
        if aead is None:
            raise PiiKeyError(f"no personal-data key {kid!r} to open a stored value")
        try:
            raw = base64.b64decode(blob, validate=True)
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode("utf-8")
        except (InvalidTag, ValueError) as exc:
            raise PiiKeyError(f"a stored value does not open with key {kid!r}") from exc

    def needs_rotation(self, token: str | None) -> bool:
        """True when ``token`` was sealed under another key than the active one."""
        return token is not None and self._parse(token)[0] != self.active

    def reencrypt(self, token: str | None) -> str | None:
        return self.encrypt(self.decrypt(token)) if self.needs_rotation(token) else token

    @staticmethod
    def _parse(token: str) -> tuple[str, str]:
        parts = token.split(":", 2)
        if len(parts) != 3 or parts[0] != FORMAT:
            raise PiiKeyError("a stored value is not in the encrypted format")
        return parts[1], parts[2]


class KeyedHash:
    def __init__(self, key: bytes):
        if len(key) < 16:
            raise PiiKeyError("the personal-data hash key must be at least 16 bytes")
        self._key = key

    def digest(self, purpose: str, value: str | None) -> str | None:
        if value is None:
            return None
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class PiiKeys:
    cipher: FieldCipher
    hasher: KeyedHash


def _b64key(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise PiiKeyError(f"{what} is not base64") from exc


def keys_from_dict(data: dict) -> PiiKeys:
    try:
        keys = {kid: _b64key(k, f"key {kid}") for kid, k in data["keys"].items()}
        return PiiKeys(FieldCipher(keys, data["active"]),
                       KeyedHash(_b64key(data["hash_key"], "hash_key")))
    except KeyError as exc:
        raise PiiKeyError(f"the personal-data key file has no {exc}") from None


def load_key_file(path: str | os.PathLike) -> PiiKeys:
    path = Path(path)
    if not path.exists():
        raise PiiKeyError(f"personal-data key file {path} is missing; create it with "
                          f"`python -m timebank_common.pii ensure {path}` (new installation) "
                          "or restore it from the secret store")
    return keys_from_dict(json.loads(path.read_text(encoding="utf-8")))


def _new_key() -> str:
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def _new_kid(existing) -> str:
    base = "k" + dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    kid, n = base, 1
    while kid in existing:
        n += 1
        kid = f"{base}-{n}"
    return kid


def _write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)


def ensure_key_file(path: str | os.PathLike) -> None:
    """A new key file (one random key, one random hash key) unless one exists."""
    path = Path(path)
    if not path.exists():
        kid = _new_kid(())
        _write(path, {"active": kid, "keys": {kid: _new_key()}, "hash_key": _new_key()})


def add_key(path: str | os.PathLike) -> str:
    """Add a new random key to the file and make it active; old keys stay to open old values.
    The hash key is kept (changing it would need every digest recomputed)."""
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    kid = _new_kid(data["keys"])
    data["keys"][kid] = _new_key()
    data["active"] = kid
    _write(path, data)
    return kid


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Personal-data key file")
    parser.add_argument("action", choices=("ensure", "add-key"))
    parser.add_argument("path")
    args = parser.parse_args(argv)
    if args.action == "ensure":
        ensure_key_file(args.path)
        print(f"{args.path}: ready")
    else:
        print(f"{args.path}: new active key {add_key(args.path)}")


if __name__ == "__main__":
    main()
