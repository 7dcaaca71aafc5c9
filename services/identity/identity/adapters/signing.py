"""The Ed25519 signing key and token lifetimes, read from config once at service setup
(``entrypoints.dependencies.TokenSigner``). Tokens name the key in their ``kid`` header
(``key_id``, computed here once), so the gateway picks the public key of its key set."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from timebank_common.tokens import private_key_id

DEFAULT_ACCESS_TTL = 900
DEFAULT_REFRESH_TTL = 30 * 24 * 3600


@dataclass(frozen=True)
class Signer:
    private_key: bytes
    access_ttl: int = DEFAULT_ACCESS_TTL
    refresh_ttl: int = DEFAULT_REFRESH_TTL
    key_id: str = ""  # the tokens' kid; derived from the key when empty

    def __post_init__(self) -> None:
        if not self.key_id:
            object.__setattr__(self, "key_id", private_key_id(self.private_key))


def signer_from_config(cfg: Mapping[str, Any]) -> Signer:
    return Signer(
        private_key=Path(cfg["JWT_PRIVATE_KEY_FILE"]).read_bytes(),
        access_ttl=int(cfg.get("ACCESS_TOKEN_TTL_SECONDS") or DEFAULT_ACCESS_TTL),
        refresh_ttl=int(cfg.get("REFRESH_TOKEN_TTL_SECONDS") or DEFAULT_REFRESH_TTL),
    )
