"""Identity's use cases: one function per command or query, taking the unit-of-work factory
first (``with db() as uow:``, one transaction each), then the caller, the data and the time
(``now``); refusals are the kit's typed errors."""
