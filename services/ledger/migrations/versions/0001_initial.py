"""Ledger service: accounts, transfers, entries (immutable), and the outbox/inbox.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from timebank_common.messaging_tables import create_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
ACCOUNT_KINDS = "('personal', 'grant', 'issuance', 'donation_pool')"
TRANSFER_KINDS = ("('service_credit', 'grant', 'gift_to_relative', 'donation', "
                  "'pool_allocation', 'reversal')")

REFUSE_CHANGES = """
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger history is immutable: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$;
"""


def upgrade() -> None:
    create_messaging_tables(op)
    op.create_table(
        "accounts",
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("owner_person_id", sa.String(64)),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("balance_minutes", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("created_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.CheckConstraint(f"kind IN {ACCOUNT_KINDS}", name="account_kind_known"),
        sa.CheckConstraint("balance_minutes >= 0 OR kind = 'issuance'",
                           name="account_balance_not_negative"),
        sa.CheckConstraint(
            "(kind IN ('personal', 'grant')) = (owner_person_id IS NOT NULL)",
            name="account_owner_matches_kind",
        ),
    )
    op.create_index("accounts_one_per_person", "accounts", ["kind", "owner_person_id"],
                    unique=True, postgresql_where=sa.text("kind IN ('personal', 'grant')"))
    op.create_index("accounts_one_per_region", "accounts", ["kind", "region_code"],
                    unique=True, postgresql_where=sa.text("kind IN ('issuance', 'donation_pool')"))
    op.create_index("accounts_by_owner", "accounts", ["owner_person_id"])

    op.create_table(
        "transfers",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("debit_account_id", UUID(as_uuid=False), sa.ForeignKey("accounts.id"),
                  nullable=False),
        sa.Column("credit_account_id", UUID(as_uuid=False), sa.ForeignKey("accounts.id"),
                  nullable=False),
        sa.Column("amount_minutes", sa.BigInteger, nullable=False),
        sa.Column("memo", sa.Text),
        sa.Column("reference", JSONB, nullable=False, server_default="{}"),
        sa.Column("created_at", TS, nullable=False, server_default=sa.text("clock_timestamp()")),
        sa.CheckConstraint(f"kind IN {TRANSFER_KINDS}", name="transfer_kind_known"),
        sa.CheckConstraint("amount_minutes > 0", name="transfer_amount_positive"),
        sa.CheckConstraint("debit_account_id <> credit_account_id", name="transfer_two_accounts"),
    )

    op.create_table(
        "entries",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),  # bigserial
        sa.Column("transfer_id", sa.String(200), sa.ForeignKey("transfers.id"), nullable=False),
        sa.Column("account_id", UUID(as_uuid=False), sa.ForeignKey("accounts.id"),
                  nullable=False),
        sa.Column("amount_minutes", sa.BigInteger, nullable=False),
        sa.Column("balance_after", sa.BigInteger, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.text("clock_timestamp()")),
        sa.CheckConstraint("amount_minutes <> 0", name="entry_amount_not_zero"),
    )
    op.create_index("entries_by_account", "entries", ["account_id", "id"])
    op.create_index("entries_by_transfer", "entries", ["transfer_id"])

    # history is append-only: the database refuses edits and deletions, not only the code
    op.execute(REFUSE_CHANGES)
    for table in ("transfers", "entries"):
        op.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
        )


def downgrade() -> None:
    op.drop_table("entries")
    op.drop_table("transfers")
    op.drop_table("accounts")
    op.execute("DROP FUNCTION IF EXISTS ledger_refuse_change()")
    op.drop_table("inbox")
    op.drop_table("outbox")
