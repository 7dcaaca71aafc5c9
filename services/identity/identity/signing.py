"""The Ed25519 signing key and token lifetimes, read from config once at service setup."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nameko.extensions import DependencyProvider

DEFAULT_ACCESS_TTL = 900
DEFAULT_REFRESH_TTL = 30 * 24 * 3600


@dataclass(frozen=True)
class Signer:
    private_key: bytes
    access_ttl: int = DEFAULT_ACCESS_TTL
    refresh_ttl: int = DEFAULT_REFRESH_TTL


def signer_from_config(cfg: dict) -> Signer:
    return Signer(
        private_key=Path(cfg["JWT_PRIVATE_KEY_FILE"]).read_bytes(),
        access_ttl=int(cfg.get("ACCESS_TOKEN_TTL_SECONDS") or DEFAULT_ACCESS_TTL),
        refresh_ttl=int(cfg.get("REFRESH_TOKEN_TTL_SECONDS") or DEFAULT_REFRESH_TTL),
    )


class TokenSigner(DependencyProvider):
    """Injects a ``Signer``; a missing key file fails the service at start, not at first login."""

    def setup(self):
        self.signer = signer_from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.signer
