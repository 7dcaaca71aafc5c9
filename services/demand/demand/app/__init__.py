"""The demand service's use cases: one function per command or query, taking the unit-of-work
factory first (``db``, one transaction each), then the caller, the loaded data, the time
(``now``) and the clients of other services they need. No nameko here: the entrypoints call
these, and tests call them on a rolled-back unit of work."""
