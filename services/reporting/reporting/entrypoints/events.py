"""The events the read model consumes, each declared with its producer's contract (which also
checks the envelope: a payload it refuses fails the handler, retried then dead-lettered, never
counted) and applied once through the inbox (``once("reporting.on_<event>")``): the archive
row, the facts and the inbox record commit together. The two events of every service
(``service_recorded``, ``hours_credited``) are taken in batches of up to ``BATCH`` per
transaction (``timebank_common.batch_events``): the handler receives a list."""
from __future__ import annotations

from demand.contracts import (
    ASSIGNMENT_NO_SHOW,
    ASSIGNMENT_WITHDRAWN,
    DEMAND_ASSIGNED,
    DEMAND_CANCELLED,
    DEMAND_PUBLISHED,
    DEMAND_REJECTED,
    DEMAND_STARTED,
    DEMAND_SUBMITTED,
    DISPUTE_OPENED,
    DISPUTE_RESOLVED,
    EVALUATION_SUBMITTED,
    RECORD_HELD,
    RECORDING_OVERDUE,
    SERVICE_RECORDED,
)
from identity.contracts import (
    ELDER_PRIORITY_GRANTED,
    ELDER_PRIORITY_REVOKED,
    PERSON_REGISTERED,
    VOLUNTEER_ELIGIBLE,
)
from ledger.contracts import (
    CREDIT_CORRECTED,
    HOURS_CREDITED,
    HOURS_GIVEN,
    HOURS_GRANTED,
    MILESTONE_REACHED,
    POOL_ALLOCATED,
)
from matching.contracts import DISPATCH_RUN, FIRST_CANDIDATE_FOUND, PROPOSAL_DECIDED
from timebank_common.batch_events import batch_event_handler, batch_once
from timebank_common.contracts import EventContract
from timebank_common.events import event_handler, once

from ..app.absorbing import absorb
from ..domain.facts import RULES

CONSUMED = (SERVICE_RECORDED, HOURS_CREDITED, HOURS_GIVEN, DEMAND_SUBMITTED, DEMAND_PUBLISHED,
            DEMAND_STARTED, DEMAND_CANCELLED, EVALUATION_SUBMITTED, DISPUTE_OPENED,
            DISPUTE_RESOLVED, RECORD_HELD, PERSON_REGISTERED, VOLUNTEER_ELIGIBLE,
            MILESTONE_REACHED, CREDIT_CORRECTED, HOURS_GRANTED, POOL_ALLOCATED,
            RECORDING_OVERDUE, ELDER_PRIORITY_GRANTED, ELDER_PRIORITY_REVOKED,
            DEMAND_REJECTED, DEMAND_ASSIGNED, ASSIGNMENT_NO_SHOW, ASSIGNMENT_WITHDRAWN,
            FIRST_CANDIDATE_FOUND, DISPATCH_RUN, PROPOSAL_DECIDED)
assert {c.name for c in CONSUMED} == set(RULES), "every rule has its handler and no more"
BATCHED = (SERVICE_RECORDED, HOURS_CREDITED)
"""The hot events, absorbed in batches (the handler takes a list of envelopes)."""
BATCH = 200


def _batch_handler(contract: EventContract):
    @batch_event_handler(contract, batch_size=BATCH, max_wait=0.05)
    @batch_once(f"reporting.on_{contract.name}")
    def handle(self, uow, events) -> None:
        for event in events:
            contract.load_event(event)  # a refused payload fails the batch: retried alone
        absorb(uow, events, self.clock.now())

    handle.__name__ = handle.__qualname__ = f"on_{contract.name}"
    handle.__doc__ = (f"{contract.source}'s ``{contract.name}`` into the read model, up to "
                      f"{BATCH} per transaction.")
    return handle


def _handler(contract: EventContract):
    @event_handler(contract)
    @once(f"reporting.on_{contract.name}")
    def handle(self, uow, event) -> None:
        contract.load_event(event)  # refuses what the producer's contract does not allow
        absorb(uow, [event], self.clock.now())

    handle.__name__ = handle.__qualname__ = f"on_{contract.name}"
    handle.__doc__ = f"{contract.source}'s ``{contract.name}`` into the read model."
    return handle


EventEntrypoints = type("EventEntrypoints", (), {
    f"on_{contract.name}": (_batch_handler if contract in BATCHED else _handler)(contract)
    for contract in CONSUMED})
EventEntrypoints.__doc__ = "One reliable, inbox-checked handler per consumed event."
EventEntrypoints.__module__ = __name__
