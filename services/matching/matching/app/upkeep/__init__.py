"""Keeping the read models current from identity's and demand's events: one function per
event, each taking the handler's open unit of work (the inbox record of the event commits with
the effect), the payload as the producer's contract loads it and the event's ``occurred_at``. Every change to
what the in-memory views hold is also written to the change log."""
