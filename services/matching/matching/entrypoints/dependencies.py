"""What every entrypoint mixin may use: the dependencies ``MatchingService`` declares."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timebank_common.clock import Clock
from timebank_common.db import UnitOfWorkFactory

from ..adapters.clients import DemandClient, IdentityClient
from ..adapters.index_cache import IndexCache


class Dependencies:
    db: UnitOfWorkFactory
    clock: Clock
    config: Mapping[str, Any]
    demand: Any  # RpcProxy("demand")
    identity: Any  # RpcProxy("identity")
    volunteer_index: IndexCache  # this process's in-memory views

    def demand_client(self) -> DemandClient:
        return DemandClient(self.config, self.demand)

    def identity_client(self) -> IdentityClient:
        return IdentityClient(self.config, self.identity)
