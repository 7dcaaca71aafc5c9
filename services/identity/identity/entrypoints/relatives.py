"""Direct relatives (直系亲属): links, their verification, and whether two people are related."""
from __future__ import annotations

from timebank_common.service import rpc

from ..app import relatives
from ..contracts import DirectRelatives, LinkOut, LinkRelativesSchema, RelativesList, ReviewSchema


class RelativeEntrypoints:
    @rpc(args={"data": LinkRelativesSchema}, returns=LinkOut, idempotent=True)
    def link_relatives(self, caller, data):
        """Link two persons (pending): the person themself, or staff in scope."""
        return relatives.link_relatives(self.db, caller, data)

    @rpc(args={"data": ReviewSchema}, returns=LinkOut)
    def verify_relatives(self, caller, link_id, data):
        """Verify or reject a pending link (another staff member in scope)."""
        return relatives.verify_relatives(self.db, caller, link_id, data)

    @rpc(returns=RelativesList)
    def list_relatives(self, caller, person_id):
        """A person's links, seen from them (every status)."""
        return relatives.list_relatives(self.db, caller, person_id)

    @rpc(returns=DirectRelatives, internal=True)
    def are_direct_relatives(self, person_a, person_b):
        """Whether a verified link joins the two; ``kind``: what person_b is to person_a."""
        return relatives.are_direct_relatives(self.db, person_a, person_b)
