"""Matching's use cases: one function per command or query, taking the unit-of-work factory
(``db``) first, then the caller, the data, the time (``now`` or ``clock``) and the other
services' clients and in-memory views they need; one transaction each. Event use cases
(``app.upkeep``) take the handler's open unit of work instead, so that the inbox record and
the effect commit together."""
