"""Mechanisms every Time Bank service shares (DESIGN.md §3).

This package holds mechanisms only -- configuration, database unit of work,
outbox/inbox, reliable event handlers, typed errors, metrics, logging, tokens --
never a service's domain rules.
"""
import os

# psycopg 3 blocks the eventlet hub unless it waits with select() (DESIGN.md §8).
# This must happen before psycopg is imported anywhere, so it lives here.
os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
