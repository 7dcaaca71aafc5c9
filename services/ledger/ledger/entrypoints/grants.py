"""Grants for priority elders: identity's ``elder_priority_granted`` and the periodic top-up."""
from __future__ import annotations

import logging

from identity.contracts import ELDER_PRIORITY_GRANTED, ELDER_PRIORITY_REVOKED
from timebank_common.events import event_handler, once
from timebank_common.service import rpc, scheduled

from ..app import grants
from ..contracts.transfers import GrantTopUpOut

log = logging.getLogger("timebank.ledger")
GRANT_CONSUMER = "ledger.grant_priority"
REVOKE_CONSUMER = "ledger.revoke_priority"


class GrantEntrypoints:
    @event_handler(ELDER_PRIORITY_GRANTED)
    @once(GRANT_CONSUMER)
    def on_elder_priority_granted(self, uow, event):
        """Record the entitlement and grant the current period (once per period)."""
        grants.on_priority_granted(uow, ELDER_PRIORITY_GRANTED.load_event(event)["payload"],
                                   self.clock.now())

    @event_handler(ELDER_PRIORITY_REVOKED)
    @once(REVOKE_CONSUMER)
    def on_elder_priority_revoked(self, uow, event):
        """The category's grants stop after the current period; hours granted stay."""
        grants.on_priority_revoked(uow, ELDER_PRIORITY_REVOKED.load_event(event)["payload"],
                                   self.clock.now())

    @rpc(returns=GrantTopUpOut, internal=True)
    def grant_top_up(self):
        """Grant every entitlement its current period (also run on a timer)."""
        return {"granted": grants.top_up(self.db, self.clock.now())}

    @scheduled("GRANT_TOPUP_SECONDS", 3600)
    def scheduled_grant_top_up(self):
        granted = grants.top_up(self.db, self.clock.now())
        if granted:
            log.info("granted %s periodic grants", granted)
