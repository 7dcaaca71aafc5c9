"""The ledger owns the time accounts (personal, grant, issuance, donation pool), the
double-entry transfers and their immutable entries, the hash-chained journal, the regional
policies (grants, yearly cap, rounding) and the service-record certificates; it credits
volunteers for the services demand records, reserves and posts elders' hours, grants hours
to priority elders, and moves gifts, donations and pool allocations (DESIGN.md §6)."""

# Tables the ledger only ever appends to: its application role gets no UPDATE, DELETE or
# TRUNCATE on them (timebank_common.migrations.apply_grants), so the hash-chained journal and
# the entries cannot be rewritten by the service process, whatever statement it runs.
APPEND_ONLY_TABLES = ("journal", "entries")
