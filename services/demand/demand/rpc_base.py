"""What every demand RPC mixin shares: the service's configuration and identity questions
asked within ``IDENTITY_RPC_TIMEOUT_SECONDS`` (default 5: 503 ``identity_unavailable``)."""
from __future__ import annotations

from nameko.dependency_providers import Config

from . import identity_calls


class DemandRpcBase:
    config = Config()

    def _setting(self, name: str, default: float) -> float:
        return float(self.config.get(name, default))

    def _ask_identity(self, method: str, *args):
        seconds = self._setting("IDENTITY_RPC_TIMEOUT_SECONDS", identity_calls.IDENTITY_TIMEOUT)
        return identity_calls.ask(self.identity, method, *args, timeout=seconds)
