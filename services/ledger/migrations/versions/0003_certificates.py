"""Service-record certificates (服务记录证明): the signed content of each one issued.

Revision ID: 0003
Revises: 0002 (the coordinator re-chains it after the core's 0002 at merge)
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("number", sa.String(32), primary_key=True),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("content", JSONB, nullable=False),  # the canonical content (masked ID only)
        sa.Column("signature", sa.Text, nullable=False),  # Ed25519, base64
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("issued_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("issued_by", sa.String(64)),
        sa.Column("revoked_at", TS),
        sa.Column("revoked_reason", sa.Text),
    )
    op.create_index("certificates_by_person", "certificates", ["person_id", "issued_at"])


def downgrade() -> None:
    op.drop_table("certificates")
