"""Ledger core: TigerBeetle-style account totals, two-phase transfers, reversals, hash chain.

Revision ID: 0002
Revises: 0001

* ``accounts.balance_minutes`` becomes ``debits_posted``/``credits_posted`` (summed from
  the existing entries) plus ``debits_pending``/``credits_pending`` (0);
* ``transfers`` gains ``phase``, ``pending_id``, ``reverses_id``, ``timeout_seconds``,
  ``expires_at``, ``reason``, ``approver`` (existing rows are ``posted``);
* ``journal`` + ``journal_head``: the hash chain, built here for the existing transfers
  in (created_at, id) order.
"""
import sqlalchemy as sa
from alembic import op

from ledger.domain.journal import GENESIS_HASH, link
from ledger.domain.transfers import Transfer

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
PHASES = "('posted', 'pending', 'post_pending', 'void_pending', 'expired')"


def upgrade() -> None:
    for column in ("debits_posted", "credits_posted", "debits_pending", "credits_pending"):
        op.add_column("accounts", sa.Column(column, sa.BigInteger, nullable=False,
                                            server_default="0"))
    op.execute("""
        UPDATE accounts a SET
            debits_posted = COALESCE((SELECT -SUM(amount_minutes) FROM entries e
                                      WHERE e.account_id = a.id AND amount_minutes < 0), 0),
            credits_posted = COALESCE((SELECT SUM(amount_minutes) FROM entries e
                                       WHERE e.account_id = a.id AND amount_minutes > 0), 0)
    """)
    op.drop_constraint("account_balance_not_negative", "accounts", type_="check")
    op.drop_column("accounts", "balance_minutes")
    op.create_check_constraint(
        "account_totals_not_negative", "accounts",
        "debits_posted >= 0 AND credits_posted >= 0 AND debits_pending >= 0 "
        "AND credits_pending >= 0")
    op.create_check_constraint(
        "account_balance_not_negative", "accounts",
        "kind = 'issuance' OR debits_posted + debits_pending <= credits_posted")

    op.add_column("transfers", sa.Column("phase", sa.String(20), nullable=False,
                                         server_default="posted"))
    op.add_column("transfers", sa.Column("pending_id", sa.String(200),
                                         sa.ForeignKey("transfers.id")))
    op.add_column("transfers", sa.Column("reverses_id", sa.String(200),
                                         sa.ForeignKey("transfers.id")))
    op.add_column("transfers", sa.Column("timeout_seconds", sa.Integer))
    op.add_column("transfers", sa.Column("expires_at", TS))
    op.add_column("transfers", sa.Column("reason", sa.Text))
    op.add_column("transfers", sa.Column("approver", sa.String(64)))
    op.create_check_constraint("transfer_phase_known", "transfers", f"phase IN {PHASES}")
    op.create_check_constraint("transfer_pending_has_timeout", "transfers",
                               "(phase = 'pending') = (expires_at IS NOT NULL) "
                               "AND (phase = 'pending') = (timeout_seconds IS NOT NULL)")
    op.create_check_constraint(
        "transfer_resolution_names_pending", "transfers",
        "(phase IN ('post_pending', 'void_pending', 'expired')) = (pending_id IS NOT NULL)")
    op.create_check_constraint(
        "transfer_reversal_names_original", "transfers",
        "(kind = 'reversal') = (reverses_id IS NOT NULL) AND "
        "(reverses_id IS NULL OR (reason IS NOT NULL AND approver IS NOT NULL))")
    # a reservation is closed at most once (posted, voided or expired)
    op.create_index("transfers_one_resolution", "transfers", ["pending_id"], unique=True,
                    postgresql_where=sa.text("pending_id IS NOT NULL"))
    op.create_index("transfers_by_reversed", "transfers", ["reverses_id"],
                    postgresql_where=sa.text("reverses_id IS NOT NULL"))
    op.create_index("transfers_pending_by_expiry", "transfers", ["expires_at"],
                    postgresql_where=sa.text("phase = 'pending'"))

    op.create_table(
        "journal",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("transfer_id", sa.String(200), sa.ForeignKey("transfers.id"), nullable=False,
                  unique=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "journal_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.CheckConstraint("id = 1", name="journal_head_single_row"),
    )
    op.execute(
        "CREATE TRIGGER journal_immutable BEFORE UPDATE OR DELETE ON journal "
        "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()")
    _build_chain(op.get_bind())


def _build_chain(bind) -> None:
    """Chain the transfers that exist already (all posted, two entries each)."""
    entries = {}
    for row in bind.execute(sa.text("SELECT transfer_id, account_id, amount_minutes "
                                    "FROM entries")):
        entries.setdefault(row.transfer_id, []).append((str(row.account_id),
                                                        int(row.amount_minutes)))
    last = None
    rows = bind.execute(sa.text(
        "SELECT id, kind, debit_account_id, credit_account_id, amount_minutes, memo, "
        "reference, created_at FROM transfers ORDER BY created_at, id")).all()
    for row in rows:
        transfer = Transfer(row.id, row.kind, str(row.debit_account_id),
                            str(row.credit_account_id), int(row.amount_minutes), row.memo,
                            row.reference or {}, created_at=row.created_at)
        last = link(last, transfer, entries.get(row.id, []))
        bind.execute(sa.text("INSERT INTO journal (seq, transfer_id, prev_hash, hash) "
                             "VALUES (:s, :t, :p, :h)"),
                     {"s": last.seq, "t": last.transfer_id, "p": last.prev_hash, "h": last.hash})
    bind.execute(sa.text("INSERT INTO journal_head (id, seq, hash) VALUES (1, :s, :h)"),
                 {"s": last.seq if last else 0, "h": last.hash if last else GENESIS_HASH})


def downgrade() -> None:
    op.drop_table("journal_head")
    op.drop_table("journal")
    for name in ("transfers_pending_by_expiry", "transfers_by_reversed",
                 "transfers_one_resolution"):
        op.drop_index(name, table_name="transfers")
    newer = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM transfers WHERE phase <> 'posted' OR kind = 'reversal'")).scalar()
    if newer:  # history is immutable: 0001 cannot hold reservations or reversals
        raise RuntimeError(f"{newer} reservations/reversals exist; 0001 cannot represent them")
    for name in ("transfer_reversal_names_original", "transfer_resolution_names_pending",
                 "transfer_pending_has_timeout", "transfer_phase_known"):
        op.drop_constraint(name, "transfers", type_="check")
    for column in ("approver", "reason", "expires_at", "timeout_seconds", "reverses_id",
                   "pending_id", "phase"):
        op.drop_column("transfers", column)
    op.drop_constraint("account_balance_not_negative", "accounts", type_="check")
    op.drop_constraint("account_totals_not_negative", "accounts", type_="check")
    op.add_column("accounts", sa.Column("balance_minutes", sa.BigInteger, nullable=False,
                                        server_default="0"))
    op.execute("UPDATE accounts SET balance_minutes = credits_posted - debits_posted")
    for column in ("debits_posted", "credits_posted", "debits_pending", "credits_pending"):
        op.drop_column("accounts", column)
    op.create_check_constraint("account_balance_not_negative", "accounts",
                               "balance_minutes >= 0 OR kind = 'issuance'")
