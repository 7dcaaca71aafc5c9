"""Batch dispatch, its proposals and the region setting."""
from __future__ import annotations

from typing import Any

from timebank_common.caller import Caller
from timebank_common.service import rpc

from ..app import dispatch
from ..contracts import (
    DecisionSchema,
    DispatchOut,
    DispatchSchema,
    ProposalOut,
    ProposalsOut,
    RegionSettingOut,
    RegionSettingSchema,
)
from .dependencies import Dependencies


class Dispatch(Dependencies):
    @rpc(args={"data": DispatchSchema}, returns=DispatchOut)
    def dispatch(self, caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
        """Propose a volunteer for every open slot of a region's open demands (most
        priority-weighted matches, then least distance; never overlapping assignments):
        station staff in scope. Applied at once when ``auto_apply`` or the region's setting
        says so, else held for approval."""
        run = dispatch.dispatch(self.db, self.volunteer_index, caller, data, self.clock,
                                self.demand_client())
        dumped: dict[str, Any] = DispatchOut().dump(run)
        return dumped

    @rpc(returns=ProposalsOut)
    def proposals(self, caller: Caller, status: str | None = "held") -> dict[str, Any]:
        """Dispatch proposals in the caller's scope with a status (``held``, ``applied``,
        ``rejected``, ``failed``; None: any), newest first: staff."""
        dumped: dict[str, Any] = ProposalsOut().dump(
            {"items": dispatch.proposals(self.db, caller, status)})
        return dumped

    @rpc(args={"data": DecisionSchema}, returns=ProposalOut)
    def decide_proposal(self, caller: Caller, proposal_id: str, data: dict[str, Any]
                        ) -> dict[str, Any]:
        """Approve (demand assigns the volunteer) or reject a held proposal: station staff in
        its scope; 409 ``proposal_decided``."""
        decided = dispatch.decide_proposal(self.db, caller, proposal_id, data["decision"],
                                           self.clock, self.demand_client())
        dumped: dict[str, Any] = ProposalOut().dump(decided)
        return dumped

    @rpc(args={"data": RegionSettingSchema}, returns=RegionSettingOut)
    def set_dispatch_setting(self, caller: Caller, region_code: str, data: dict[str, Any]
                             ) -> dict[str, Any]:
        """Whether dispatch in a region (and below, unless set there) applies its proposals at
        once: admins in scope."""
        setting = dispatch.set_dispatch_setting(self.db, caller, region_code, data, self.clock)
        dumped: dict[str, Any] = RegionSettingOut().dump(setting)
        return dumped
