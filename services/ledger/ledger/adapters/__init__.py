"""What the ledger's use cases stand on: the tables, one repository per aggregate (accounts,
transfers, journal, policies, milestones, reservations, certificates, ...), the checks read
from the database (``invariants.py``) and their gauges, the certificate's PDF and signing
keys, and the clients of identity and demand."""
