"""Identity: imports of the national volunteer system's files as background jobs.

``import_jobs`` (the kit's jobs table, ``timebank_common.jobs``), ``import_files`` (the
uploaded file, sealed with the personal-data keys, dropped when the job ends) and
``import_job_rows`` (one outcome per data line: created, updated, unchanged or refused with
its code and zh/en reason; the primary key (job, line) keeps a line from being done twice).

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from timebank_common.jobs import create_job_table

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_job_table(op, "import_jobs")
    op.create_table(
        "import_files",
        sa.Column("job_id", sa.String(36), sa.ForeignKey("import_jobs.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("content_enc", sa.Text),
    )
    op.create_table(
        "import_job_rows",
        sa.Column("job_id", sa.String(36), sa.ForeignKey("import_jobs.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("code", sa.String(60)),
        sa.Column("zh", sa.Text),
        sa.Column("en", sa.Text),
        sa.Column("person_id", UUID(as_uuid=True)),
        sa.PrimaryKeyConstraint("job_id", "line"),
        sa.CheckConstraint("outcome IN ('created', 'updated', 'unchanged', 'refused')",
                           name="import_job_rows_outcome"),
    )
    op.create_index("import_job_rows_refused", "import_job_rows", ["job_id", "line"],
                    postgresql_where=sa.text("outcome = 'refused'"))


def downgrade() -> None:
    op.drop_table("import_job_rows")
    op.drop_table("import_files")
    op.drop_table("import_jobs")
