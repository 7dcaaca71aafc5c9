"""SQLAlchemy Core tables of the ledger database (created by migrations/versions/0001, 0003)."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, MetaData, String, Table, Text, text
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("owner_person_id", String(64)),
    Column("region_code", String(12), nullable=False),
    Column("balance_minutes", BigInteger, nullable=False, server_default="0"),  # cache of entries
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
)

transfers = Table(
    "transfers",
    metadata,
    Column("id", String(200), primary_key=True),  # chosen by the caller
    Column("kind", String(30), nullable=False),
    Column("debit_account_id", UUID(as_uuid=False), ForeignKey("accounts.id"), nullable=False),
    Column("credit_account_id", UUID(as_uuid=False), ForeignKey("accounts.id"), nullable=False),
    Column("amount_minutes", BigInteger, nullable=False),
    Column("memo", Text),
    Column("reference", JSONB, nullable=False, server_default="{}"),
    Column("created_at", DateTime(timezone=True), nullable=False,
           server_default=text("clock_timestamp()")),
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
