"""The division tree and service carriers (服务载体)."""
from __future__ import annotations

from timebank_common.service import rpc

from ..app import carriers, regions
from ..contracts import (
    CarrierListSchema,
    CarrierOut,
    CarrierPage,
    RegionOut,
    RegisterCarrierSchema,
)
from .arguments import or_defaults


class PlaceEntrypoints:
    @rpc(returns=RegionOut(many=True))
    def list_regions(self, parent_code=None):
        """The children of a region (the province without ``parent_code``)."""
        return regions.list_regions(self.db, parent_code)

    @rpc(returns=RegionOut)
    def get_region(self, code):
        """One region; ``NotFound region_not_found``."""
        return regions.get_region(self.db, code)

    @rpc(args={"data": RegisterCarrierSchema}, returns=CarrierOut, idempotent=True)
    def register_carrier(self, caller, data):
        """A carrier at community level; admins in scope."""
        return carriers.register_carrier(self.db, caller, data)

    @rpc(args={"query": CarrierListSchema}, returns=CarrierPage)
    def list_carriers(self, caller, query=None):
        """Carriers in the caller's scope (narrowed by ``region_code``), paged; staff."""
        return carriers.list_carriers(self.db, caller, or_defaults(query, CarrierListSchema))

    @rpc(returns=CarrierOut)
    def get_carrier(self, caller, carrier_id):
        """One carrier in the caller's scope; staff."""
        return carriers.get_carrier(self.db, caller, carrier_id)
