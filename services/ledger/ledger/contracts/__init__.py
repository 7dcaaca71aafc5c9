"""What other services and the gateway may import from the ledger (DESIGN.md §2): the RPC
inputs and outputs (``accounts``, ``transfers``, ``giving``, ``policies``, ``statistics``,
``reconciliation``, ``verification``, ``certificates``), the events it produces
(``events``; all of them in ``EVENTS``), and the names and role sets callers need (``kinds``,
``roles``). Only marshmallow and the kit's pure core are imported here."""
from .events import (
    CERTIFICATE_ISSUED,
    CREDIT_CORRECTED,
    EVENTS,
    HOURS_CREDITED,
    HOURS_GIVEN,
    HOURS_GRANTED,
    MILESTONE_REACHED,
    POOL_ALLOCATED,
    RESERVATION_MADE,
    RESERVATION_REFUSED,
)

__all__ = ["CERTIFICATE_ISSUED", "CREDIT_CORRECTED", "EVENTS", "HOURS_CREDITED", "HOURS_GIVEN", "MILESTONE_REACHED",
           "RESERVATION_MADE", "RESERVATION_REFUSED", "HOURS_GRANTED", "POOL_ALLOCATED"]
