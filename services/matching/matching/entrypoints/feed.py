"""A volunteer's feed of open demands."""
from __future__ import annotations

from typing import Any

from timebank_common.caller import Caller
from timebank_common.service import rpc

from ..app import feed
from ..contracts import FeedOut
from .dependencies import Dependencies


class Feed(Dependencies):
    @rpc(returns=FeedOut)
    def feed_for(self, caller: Caller, volunteer_id: str) -> dict[str, Any]:
        """Open demands ranked for a volunteer: with a home set, only those they may take
        (radius, qualifications, hours, no overlap), nearest band first (≤1, ≤3, ≤5, ≤10 km,
        beyond), priority elders first among equals, then the earliest window and the longest
        waiting; otherwise the city-level feed (own city-level unit first, earliest window).
        The volunteer, or staff whose scope covers the volunteer (limited to their scope; 404
        ``volunteer_not_found`` for a volunteer outside it, as for an id nobody has)."""
        items = feed.feed_for(self.db, self.volunteer_index, caller, volunteer_id,
                              self.clock.now(), self.demand_client(), self.identity_client())
        dumped: dict[str, Any] = FeedOut().dump({"items": items})
        return dumped
