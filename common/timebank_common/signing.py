"""Ed25519 signatures of documents anyone can verify later (the ledger's certificates,
reporting's monthly reports): sign canonical bytes with the service's private key, verify
with the current or a retired public key named by its ``key_id``.

Key files come from the service's config (PEM files made by ``deploy/local_platform.py`` and by
the test fixtures; ``timebank_common.tokens.ensure_keypair``).
A service never makes a missing key itself: a new key would silently stop every document
signed earlier from verifying. What is signed is the service's business (the canonical form of a
document: ``timebank_common.documents.canonical_json``).
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def key_id(public_key: Ed25519PublicKey) -> str:
    """16 hex digits of the SHA-256 of the raw public key: names the key a document used."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def fingerprint(signature_b64: str) -> str:
    """A short text a person can compare: 16 hex digits of the signature's SHA-256, grouped."""
    digest = hashlib.sha256(base64.b64decode(signature_b64)).hexdigest()[:16].upper()
    return " ".join(digest[i:i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True)
class SigningKeys:
    private_key: Ed25519PrivateKey
    verify_keys: dict[str, Ed25519PublicKey] = field(default_factory=dict)

    @property
    def key_id(self) -> str:
        return key_id(self.private_key.public_key())

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private_key.sign(message)).decode("ascii")

    def verify(self, message: bytes, signature_b64: str, used_key_id: str) -> str | None:
        """None when genuine; otherwise why not (``unknown_key``, ``signature_mismatch``)."""
        public = self.verify_keys.get(used_key_id)
        if public is None:
            return "unknown_key"
        try:
            public.verify(base64.b64decode(signature_b64, validate=True), message)
        except (InvalidSignature, ValueError):
            return "signature_mismatch"
        return None


def _public(path: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(Path(path).read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path}: not an Ed25519 public key")
    return key


def load_keys(private_file: str, public_file: str | None = None,
              retired_public_files: Iterable[str] = ()) -> SigningKeys:
    """The private key, and every public key a document may name (its own, the configured
    public file, the retired ones)."""
    private = serialization.load_pem_private_key(Path(private_file).read_bytes(), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError(f"{private_file}: not an Ed25519 private key")
    publics = [private.public_key()]
    if public_file:
        publics.append(_public(public_file))
    publics += [_public(p) for p in retired_public_files]
    return SigningKeys(private, {key_id(k): k for k in publics})
