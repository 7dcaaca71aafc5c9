"""Owns the service catalogue, demands and their lifecycle (submission on every channel,
review, adjustment, escalation, recurring series, claims and assignments, check-in and
check-out, no-shows and expiry), service records with their evidence flags, confirmation and
second look, evaluations with follow-up tasks, and disputes; asks the ledger to reserve an
elder's hours for each assignment (the reservation saga) and gives it each confirmed record."""
