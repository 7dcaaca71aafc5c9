"""Interest in volunteering (我要当志愿者): the public registration, the station's list and
follow-up."""
from __future__ import annotations

from timebank_common.service import rpc

from ..app import interest
from ..contracts import (
    InterestListSchema,
    InterestOut,
    InterestPage,
    InterestReceipt,
    InterestStatusSchema,
    RegisterInterestSchema,
)


class InterestEntrypoints:
    @rpc(args={"data": RegisterInterestSchema}, returns=InterestReceipt)
    def register_interest(self, data):
        """A resident's registration (no login; the gateway limits it per address): the
        reference and what eligibility needs; the open one again for the same mobile and
        community."""
        return interest.register_interest(self.db, data, self.clock.now())

    @rpc(args={"query": InterestListSchema}, returns=InterestPage)
    def list_interest(self, caller, query):
        """Registrations in the caller's scope, newest first (station staff and admins)."""
        return interest.list_interest(self.db, caller, query)

    @rpc(returns=InterestOut)
    def get_interest(self, caller, interest_id, unmasked=False):
        """One registration in scope; ``unmasked``: with the mobile (audited)."""
        return interest.get_interest(self.db, caller, interest_id, bool(unmasked))

    @rpc(args={"data": InterestStatusSchema}, returns=InterestOut)
    def set_interest_status(self, caller, interest_id, data):
        """Contacted, declined, or registered with the new volunteer's person; audited."""
        return interest.set_interest_status(self.db, caller, interest_id, data,
                                            self.clock.now())
