"""Exports: the ``export_jobs`` table (the kit's jobs table: claimed under a lease, progress,
takeover, give-up; the format is in ``params``, the file name, size and expiry in ``result``),
and the kit's ``idempotency_keys`` (``start_export`` is an idempotent create).

Revision ID: 0003
Revises: 0002
"""
from alembic import op

from timebank_common.idempotency import create_idempotency_table
from timebank_common.jobs import create_job_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_job_table(op, "export_jobs")
    create_idempotency_table(op)


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("export_jobs")
