"""The ledger's Ed25519 certificate key (the kit's ``timebank_common.signing``): sign the
canonical content, verify it later.

Key files are read from config like identity's JWT key (``CERTIFICATE_PRIVATE_KEY_FILE``,
``CERTIFICATE_PUBLIC_KEY_FILE``; made by ``deploy/setup_once.py`` / ``run-local.sh`` and by
the test fixtures). The service does not make a missing key itself: a new key would
silently stop every earlier certificate from verifying. Retired public keys stay
verifiable through ``CERTIFICATE_RETIRED_PUBLIC_KEY_FILES`` (a list of paths).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nameko.extensions import DependencyProvider

from timebank_common.signing import SigningKeys, fingerprint, key_id, load_keys

__all__ = ["CertificateKeys", "CertificateSetup", "CertificateSigner", "fingerprint", "key_id",
           "keys_from_config"]

CertificateKeys = SigningKeys
"""The mechanism is the kit's (``timebank_common.signing``); the ledger's key is its own."""


def keys_from_config(cfg: Mapping[str, Any]) -> CertificateKeys:
    return load_keys(cfg["CERTIFICATE_PRIVATE_KEY_FILE"], cfg.get("CERTIFICATE_PUBLIC_KEY_FILE"),
                     cfg.get("CERTIFICATE_RETIRED_PUBLIC_KEY_FILES") or [])


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
