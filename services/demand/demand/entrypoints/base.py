"""What every demand entrypoint mixin shares: the configuration, the clock, the identity
client (each question within ``IDENTITY_RPC_TIMEOUT_SECONDS``, default 5: 503
``identity_unavailable``) and the defaults of a declared argument the caller left out."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema

from timebank_common.schemas import load

from ..adapters.identity import IdentityClient
from ..adapters.ledger import LedgerClient


class EntrypointBase:
    """A base of every mixin; ``DemandService`` provides ``config``, ``clock``, ``db`` and the
    ``identity`` proxy."""

    config: Any
    clock: Any
    db: Any
    identity: Any
    ledger: Any

    def setting(self, name: str, default: float) -> float:
        return float(self.config.get(name, default))

    @property
    def identity_client(self) -> IdentityClient:
        return IdentityClient(self.config, self.identity)

    @property
    def ledger_client(self) -> LedgerClient:
        return LedgerClient(self.config, self.ledger)


def given(value: Any, schema: type[Schema]) -> Any:
    """A declared argument as loaded, or its schema's defaults when the caller left it out
    (``@rpc`` loads only the arguments a call passes)."""
    return value if value is not None else load(schema(), None)
