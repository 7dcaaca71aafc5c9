"""SQLAlchemy Core tables of the ledger database (migrations/versions/0001 to 0010)."""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("owner_person_id", String(64)),
    Column("region_code", String(12), nullable=False),
    # TigerBeetle-style totals (minutes); balance = credits_posted - debits_posted
    Column("debits_posted", BigInteger, nullable=False, server_default="0"),
    Column("credits_posted", BigInteger, nullable=False, server_default="0"),
    Column("debits_pending", BigInteger, nullable=False, server_default="0"),
    Column("credits_pending", BigInteger, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("frozen_at", DateTime(timezone=True)),  # 0010: the owner died (see app/standing.py)
)

transfers = Table(
    "transfers",
    metadata,
    Column("id", String(200), primary_key=True),  # chosen by the caller
    Column("kind", String(30), nullable=False),
    Column("phase", String(20), nullable=False, server_default="posted"),
    Column("debit_account_id", UUID(as_uuid=False), ForeignKey("accounts.id"), nullable=False),
    Column("credit_account_id", UUID(as_uuid=False), ForeignKey("accounts.id"), nullable=False),
    Column("amount_minutes", BigInteger, nullable=False),
    Column("pending_id", String(200), ForeignKey("transfers.id")),  # the reservation closed
    Column("reverses_id", String(200), ForeignKey("transfers.id")),  # the transfer reversed
    Column("timeout_seconds", Integer),
    Column("expires_at", DateTime(timezone=True)),
    Column("memo", Text),
    Column("reference", JSONB, nullable=False, server_default="{}"),
    Column("reason", Text),
    Column("approver", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False,
           server_default=text("clock_timestamp()")),
    # 0009: where it happened, and each account's region when it was written
    Column("region_code", String(12), nullable=False),
    Column("debit_region_code", String(12), nullable=False),
    Column("credit_region_code", String(12), nullable=False),
)

entries = Table(
    "entries",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("transfer_id", String(200), ForeignKey("transfers.id"), nullable=False),
    Column("account_id", UUID(as_uuid=False), ForeignKey("accounts.id"), nullable=False),
    Column("amount_minutes", BigInteger, nullable=False),  # debit negative, credit positive
    Column("balance_after", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False,
           server_default=text("clock_timestamp()")),
)

journal = Table(  # hash chain over transfers (ledger/domain/journal.py documents the hash)
    "journal",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("transfer_id", String(200), ForeignKey("transfers.id"), nullable=False, unique=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

journal_head = Table(  # one row (id = 1): the last link; locked to append
    "journal_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

certificates = Table(  # migrations/versions/0003
    "certificates",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("person_id", String(64), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("content", JSONB, nullable=False),
    Column("signature", Text, nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("issued_by", String(64)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_reason", Text),
)

milestones = Table(  # 0005: a star level reached, once per person and level, for life
    "milestones",
    metadata,
    Column("person_id", String(64), primary_key=True),
    Column("level", Integer, primary_key=True),
    Column("cumulative_minutes", BigInteger, nullable=False),
    Column("transfer_id", String(200), ForeignKey("transfers.id"), nullable=False),
    Column("reached_at", DateTime(timezone=True), nullable=False,
           server_default=text("clock_timestamp()")),
)

policies = Table(  # regional policy rows (migration 0004; ledger/domain/policy.py); append-only
    "policies",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("region_code", String(12), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("policy_values", JSONB, nullable=False),
    Column("reason", Text),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
)

grant_entitlements = Table(  # who is granted hours each period (identity's elder_priority_granted)
    "grant_entitlements",
    metadata,
    Column("person_id", String(64), primary_key=True),
    Column("category", String(40), primary_key=True),
    Column("region_code", String(12), nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
    Column("verified_by", String(64)),
    Column("revoked_at", DateTime(timezone=True)),  # 0010: elder_priority_revoked
    Column("revoked_reason", Text),
    Column("person_status", String(20), nullable=False, server_default="active"),
)

service_minutes_by_year = Table(  # 0006: the yearly cap's running sum, kept by posting.py
    "service_minutes_by_year",
    metadata,
    Column("account_id", UUID(as_uuid=False), ForeignKey("accounts.id"), primary_key=True),
    Column("year", Integer, primary_key=True),  # China-time year of the service credit
    Column("minutes", BigInteger, nullable=False),
)

reservation_closures = Table(  # 0007: closed service reservations (reservations.py)
    "reservation_closures",
    metadata,
    Column("reservation_id", String(200), primary_key=True),
    Column("reason", String(50), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
)

account_moves = Table(  # 0009: an account that followed its owner to another region
    "account_moves",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("account_id", UUID(as_uuid=False), ForeignKey("accounts.id"), nullable=False),
    Column("person_id", String(64), nullable=False),
    Column("from_region_code", String(12), nullable=False),
    Column("to_region_code", String(12), nullable=False),
    Column("balance_minutes", BigInteger, nullable=False),
    Column("moved_at", DateTime(timezone=True), nullable=False),
    Column("event_id", String(64)),
)
