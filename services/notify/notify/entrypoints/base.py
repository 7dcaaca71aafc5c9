"""What every entrypoint mixin may use of the service (``notify.service.NotifyService``
declares the dependencies)."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema

from timebank_common.db import UnitOfWorkFactory

from ..adapters.demand import Demand
from ..adapters.identity import Identity


class NotifyEntrypoints:
    db: UnitOfWorkFactory
    clock: Any  # the Clock ServiceBase injects: self.clock.now()
    config: Any
    identity: Any  # RpcProxy("identity")
    demand: Any  # RpcProxy("demand")

    def identity_service(self) -> Identity:
        """identity, asked within ``IDENTITY_RPC_TIMEOUT_SECONDS``."""
        return Identity(self.config, self.identity)

    def demand_service(self) -> Demand:
        """demand, asked within ``DEMAND_RPC_TIMEOUT_SECONDS``."""
        return Demand(self.config, self.demand)


def defaults_of(schema: type[Schema]) -> dict[str, Any]:
    """What a query argument left out means (an RPC's declared arguments are loaded only
    when given)."""
    loaded: dict[str, Any] = schema().load({})
    return loaded
