"""notify's use cases: one function per command, query, event or timer tick, taking the
unit-of-work factory (``db``; an event's use case runs in its handler's unit of work,
``uow``, so the inbox record commits with the effect), then the caller, the data, the time
(``now``/``clock``) and the other services (``adapters.identity``, ``adapters.demand``)."""
