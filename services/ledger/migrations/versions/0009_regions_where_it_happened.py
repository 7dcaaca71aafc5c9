"""Ledger: where each transfer happened, and the moves of accounts between regions (issue 13).

An account follows its owner (``person_moved``), so an account's ``region_code`` says where
it is *now*. History keeps where each thing happened, in three new columns of ``transfers``:

* ``debit_region_code`` / ``credit_region_code`` — the region of each account when the
  transfer was written (what the 通存通兑 report and the statistics count by);
* ``region_code`` — where the movement happened: a service, the demand's region; a gift or
  donation, the giver's region; a grant or pool allocation, the elder's; a reversal, its
  original's.

Backfill: no account has moved before this revision, so the accounts' regions are the
regions at the time; a service credit's ``region_code`` is the elder's account region when
the elder paid, else the paying unit (the demand's region was not stored). The immutability
trigger is switched off for the backfill only, in this transaction.

``account_moves``: one row per account moved (the balance it carried, from and to), written
under the account's lock by the ``person_moved`` handler.

Revision ID: 0009_regions_where_it_happened
Revises: 0008_region_indexes
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_regions_where_it_happened"
down_revision = "0008_region_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in ("region_code", "debit_region_code", "credit_region_code"):
        op.add_column("transfers", sa.Column(column, sa.String(12)))
    op.execute("ALTER TABLE transfers DISABLE TRIGGER transfers_immutable")
    op.execute("""
        UPDATE transfers t SET debit_region_code = d.region_code, credit_region_code = c.region_code,
            region_code = CASE
                WHEN t.kind IN ('grant', 'pool_allocation') THEN c.region_code
                ELSE d.region_code END
        FROM accounts d, accounts c
        WHERE d.id = t.debit_account_id AND c.id = t.credit_account_id
    """)
    op.execute("""
        UPDATE transfers r SET region_code = o.region_code
        FROM transfers o WHERE r.reverses_id = o.id
    """)
    op.execute("ALTER TABLE transfers ENABLE TRIGGER transfers_immutable")
    for column in ("region_code", "debit_region_code", "credit_region_code"):
        op.alter_column("transfers", column, nullable=False)
    op.create_index("transfers_by_debit_region", "transfers", ["debit_region_code", "created_at"])
    op.create_index("transfers_by_credit_region", "transfers",
                    ["credit_region_code", "created_at"])
    op.create_table(
        "account_moves",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.dialects.postgresql.UUID(as_uuid=False),
                  sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("from_region_code", sa.String(12), nullable=False),
        sa.Column("to_region_code", sa.String(12), nullable=False),
        sa.Column("balance_minutes", sa.BigInteger, nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(64)),
    )
    op.create_index("account_moves_by_account", "account_moves", ["account_id", "id"])
    op.execute("CREATE TRIGGER account_moves_immutable BEFORE UPDATE OR DELETE ON account_moves "
               "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()")


def downgrade() -> None:
    op.drop_table("account_moves")
    op.drop_index("transfers_by_credit_region", table_name="transfers")
    op.drop_index("transfers_by_debit_region", table_name="transfers")
    for column in ("credit_region_code", "debit_region_code", "region_code"):
        op.drop_column("transfers", column)
