"""Gifts to a direct relative, donations to the pool, and pool allocations."""
from __future__ import annotations

from timebank_common.service import rpc

from ..adapters.identity import IdentityClient
from ..app import allocation, giving
from ..contracts.giving import AllocateIn, AllocationOut, GiveOut, TransferBody


class GivingEntrypoints:
    @rpc(args={"data": TransferBody}, returns=GiveOut, idempotent=True)
    def give(self, caller, data, idempotency_key):
        """``gift_to_relative`` (to a verified direct relative, earned hours only) or
        ``donation`` (to the pool of the giver's city-level unit). The giver is the caller,
        or an elder the caller acts for (``from_person_id``; identity's ``may_act_for``).
        The transfer id follows from giver + key: a retry answers ``exists``."""
        outcome = giving.give(self.db, caller, data, idempotency_key,
                              identity=IdentityClient(self.config, self.identity),
                              now=self.clock.now())
        return GiveOut().dump({"status": outcome.status, "transfer": outcome.transfer})

    @rpc(args={"data": AllocateIn}, returns=AllocationOut)
    def allocate_pool(self, caller, data):
        """A province or city admin allocates a city-level unit's donation pool to its
        priority elders' grant accounts: living alone first, then oldest first,
        ``minutes_each`` while the pool lasts; one linked batch; repeat-safe by
        ``allocation_id``."""
        return AllocationOut().dump(allocation.allocate_pool(
            self.db, caller, data, identity=IdentityClient(self.config, self.identity),
            now=self.clock.now()))
