"""The ledger's nameko entrypoints, one mixin per feature (composed in ``ledger/service.py``):
each RPC calls its use case with the service's unit of work (``self.db``), the caller, the
loaded arguments, the clock (``self.clock``) and the remote services, and dumps the answer;
event handlers, declared with the producer's ``EventContract``, read the envelope with it
(``CONTRACT.load_event(event)``) and call theirs in the inbox transaction."""
