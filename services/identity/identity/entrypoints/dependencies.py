"""What identity's entrypoints are given besides the database and the clock: the token signer,
the lockout policy and the personal-data keys, each read once when the service starts (a
missing key file stops the start, not the first login)."""
from __future__ import annotations

from typing import Any

from nameko.extensions import DependencyProvider

from ..adapters import personal_data
from ..adapters.signing import Signer, signer_from_config
from ..domain.lockout import LockoutPolicy


class TokenSigner(DependencyProvider):
    """Injects the ``Signer`` of ``JWT_PRIVATE_KEY_FILE`` and the token lifetimes."""

    signer: Signer

    def setup(self) -> None:
        self.signer = signer_from_config(self.container.config)

    def get_dependency(self, worker_ctx: Any) -> Signer:
        return self.signer


class LoginLockout(DependencyProvider):
    """Injects the ``LockoutPolicy`` of config ``LOGIN_LOCKOUT: {max_failures, lock_seconds,
    failure_window_seconds}`` (defaults 5, 900, 86400)."""

    policy: LockoutPolicy

    def setup(self) -> None:
        self.policy = LockoutPolicy.from_config(self.container.config)

    def get_dependency(self, worker_ctx: Any) -> LockoutPolicy:
        return self.policy


class PersonalDataKeys(DependencyProvider):
    """Loads the personal-data key file (``PII_KEYS_FILE``) at service setup."""

    keys: Any

    def setup(self) -> None:
        self.keys = personal_data.configure(self.container.config)

    def get_dependency(self, worker_ctx: Any) -> Any:
        return self.keys
