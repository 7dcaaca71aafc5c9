"""The ledger's pure rules: accounts, transfers, postings, display, access (no I/O)."""
