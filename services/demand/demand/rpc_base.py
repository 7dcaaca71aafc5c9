"""What every demand RPC mixin shares: the service's configuration and identity questions
asked within ``IDENTITY_RPC_TIMEOUT_SECONDS`` (default 5: 503 ``identity_unavailable``), by
the shared ``timebank_common.remote.ask`` (the ledger asks identity the same way)."""
from __future__ import annotations

from nameko.dependency_providers import Config

from timebank_common import remote


class DemandRpcBase:
    config = Config()

    def _setting(self, name: str, default: float) -> float:
        return float(self.config.get(name, default))

    def _ask_identity(self, method: str, *args):
        return remote.ask(self.config, self.identity, "identity", method, *args)
