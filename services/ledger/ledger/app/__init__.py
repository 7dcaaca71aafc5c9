"""The ledger's use cases: plain functions, one per command or query, each taking the
unit-of-work factory first (``db``, one transaction) or, for an event, the handler's unit of
work, then the caller, the data, the instant (``now``/``clock``) and the remote services
(``adapters/identity.py``, ``adapters/demand.py``) they need. No nameko here.
``posting.py`` is the batch path every use case that moves hours shares."""
