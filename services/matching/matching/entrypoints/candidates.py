"""The ranked candidates for a demand."""
from __future__ import annotations

from typing import Any

from timebank_common.caller import Caller
from timebank_common.service import rpc

from ..app import candidates
from ..contracts import CANDIDATES_SHOWN, CandidatesOut
from .dependencies import Dependencies


class Candidates(Dependencies):
    @rpc(returns=CandidatesOut)
    def candidates_for(self, caller: Caller, demand_id: str, limit: int = CANDIDATES_SHOWN
                       ) -> dict[str, Any]:
        """Volunteers who pass every hard rule for an open demand, best first, each with the
        parts of their score (``limit`` 1–100): station staff in the demand's scope; 404
        ``open_demand_not_found`` when the demand is not open."""
        found = candidates.candidates_for(self.db, self.volunteer_index, caller, demand_id,
                                          limit, self.clock.now(), self.demand_client())
        dumped: dict[str, Any] = CandidatesOut().dump(found)
        return dumped
