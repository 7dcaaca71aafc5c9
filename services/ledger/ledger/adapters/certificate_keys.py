"""The ledger's Ed25519 certificate key: sign the canonical content, verify it later.

Key files are read from config like identity's JWT key (``CERTIFICATE_PRIVATE_KEY_FILE``,
``CERTIFICATE_PUBLIC_KEY_FILE``; made by ``deploy/setup_once.py`` / ``run-local.sh`` and by
the test fixtures). The service does not make a missing key itself: a new key would
silently stop every earlier certificate from verifying. Retired public keys stay
verifiable through ``CERTIFICATE_RETIRED_PUBLIC_KEY_FILES`` (a list of paths).
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from nameko.extensions import DependencyProvider


def key_id(public_key: Ed25519PublicKey) -> str:
    """16 hex digits of the SHA-256 of the raw public key: names the key a certificate used."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def fingerprint(signature_b64: str) -> str:
    """A short text a person can compare: 16 hex digits of the signature's SHA-256, grouped."""
    digest = hashlib.sha256(base64.b64decode(signature_b64)).hexdigest()[:16].upper()
    return " ".join(digest[i:i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True)
class CertificateKeys:
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


def keys_from_config(cfg: Mapping[str, Any]) -> CertificateKeys:
    private = serialization.load_pem_private_key(
        Path(cfg["CERTIFICATE_PRIVATE_KEY_FILE"]).read_bytes(), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError(f"{cfg['CERTIFICATE_PRIVATE_KEY_FILE']}: not an Ed25519 private key")
    publics = [private.public_key()]
    if cfg.get("CERTIFICATE_PUBLIC_KEY_FILE"):
        publics.append(_public(cfg["CERTIFICATE_PUBLIC_KEY_FILE"]))
    publics += [_public(p) for p in cfg.get("CERTIFICATE_RETIRED_PUBLIC_KEY_FILES") or []]
    return CertificateKeys(private, {key_id(k): k for k in publics})


DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class CertificateSetup:
    keys: CertificateKeys
    public_base_url: str  # the gateway's address as the public sees it (the QR code's URL)


class CertificateSigner(DependencyProvider):
    """Injects ``CertificateSetup``; a missing key file fails the service at start."""

    def setup(self):
        cfg = self.container.config
        self.value = CertificateSetup(
            keys_from_config(cfg),
            str(cfg.get("PUBLIC_BASE_URL") or DEFAULT_PUBLIC_BASE_URL))

    def get_dependency(self, worker_ctx):
        return self.value
