"""Who serves a demand: claims, assignments, withdrawals, check-in and check-out, and the
volunteers' reliability."""
from __future__ import annotations

from timebank_common.service import rpc

from ..app import assignment
from ..contracts import DemandOut, PresenceSchema, ReliabilityOut, WithdrawSchema
from ..domain.payments import DEFAULT_MARGIN_SECONDS
from .base import EntrypointBase, given


class AssignmentEntrypoints(EntrypointBase):
    def _margin(self) -> float:
        return self.setting("RESERVATION_MARGIN_SECONDS", DEFAULT_MARGIN_SECONDS)

    @rpc(returns=DemandOut, idempotent=True)
    def claim(self, caller, demand_id):
        """A volunteer takes a slot (eligible; qualified for a professional category)."""
        return assignment.claim(self.db, caller, demand_id, self.clock.now(),
                                self.identity_client, self._margin())

    @rpc(returns=DemandOut, idempotent=True)
    def assign(self, caller, demand_id, volunteer_id):
        """An operator in scope gives a volunteer a slot."""
        return assignment.assign(self.db, caller, demand_id, volunteer_id, self.clock.now(),
                                 self.identity_client, self._margin())

    @rpc(args={"data": WithdrawSchema}, returns=DemandOut, idempotent=True)
    def withdraw(self, caller, demand_id, data):
        """The assigned volunteer gives the slot back before the window starts (a reason is
        required); the slot reopens while nobody has started."""
        return assignment.withdraw(self.db, caller, demand_id, data, self.clock.now())

    @rpc(args={"data": PresenceSchema}, returns=DemandOut, idempotent=True)
    def check_in(self, caller, demand_id, data=None):
        """The assigned volunteer starts the service (``at`` default now)."""
        return assignment.check_in(self.db, caller, demand_id, given(data, PresenceSchema),
                                   self.clock.now())

    @rpc(args={"data": PresenceSchema}, returns=DemandOut, idempotent=True)
    def check_out(self, caller, demand_id, data=None):
        """The assigned volunteer ends the service (``at`` default now)."""
        return assignment.check_out(self.db, caller, demand_id, given(data, PresenceSchema),
                                    self.clock.now())

    @rpc(returns=ReliabilityOut(many=True), internal=True)
    def reliability(self, volunteer_ids):
        """Matching's ranking: per volunteer ``{volunteer_id, assigned, completed, withdrawn,
        no_shows, reliability}``, in the order asked."""
        return assignment.reliability(self.db, volunteer_ids)
