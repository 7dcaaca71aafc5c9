"""The ledger owns the time accounts (personal, grant, issuance, donation pool), the
double-entry transfers and their immutable entries, the hash-chained journal, the regional
policies (grants, yearly cap, rounding) and the service-record certificates; it credits
volunteers for the services demand records, reserves and posts elders' hours, grants hours
to priority elders, and moves gifts, donations and pool allocations (DESIGN.md §6)."""
