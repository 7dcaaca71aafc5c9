"""Demand: the elder's choice of payer, made at submission, and the fallback agreed at review.

``funding_source`` is now set at submission (``issuance`` when nobody chose: demands still
waiting for review get it, so every demand has one); ``funding_chosen_by`` says who chose
(elder, proxy, operator, api_client; null: the default). At review the station sees the
chosen source's cover (``funding_available_minutes``) and the shortfall
(``funding_shortfall_minutes``); approving a demand with a shortfall needs its
``fallback_reason`` (the city's issuance account pays what is missing). A series carries the
payer chosen when it was made (``demand_series.funding_source``, ``funding_chosen_by``) to
each occurrence.

Revision ID: 0010_funding_choice
Revises: 0009_recording_overdue
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_funding_choice"
down_revision = "0009_recording_overdue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("demands", sa.Column("funding_chosen_by", sa.String(20)))
    op.add_column("demands", sa.Column("fallback_reason", sa.Text()))
    op.add_column("demands", sa.Column("funding_available_minutes", sa.Integer()))
    op.add_column("demands", sa.Column("funding_shortfall_minutes", sa.Integer(),
                                       nullable=False, server_default="0"))
    op.execute("UPDATE demands SET funding_source = 'issuance' WHERE funding_source IS NULL")
    # a series' occurrences are paid as the elder chose when the series was made
    op.add_column("demand_series", sa.Column("funding_source", sa.String(20), nullable=False,
                                             server_default="issuance"))
    op.add_column("demand_series", sa.Column("funding_chosen_by", sa.String(20)))


def downgrade() -> None:
    op.drop_column("demand_series", "funding_chosen_by")
    op.drop_column("demand_series", "funding_source")
    op.execute("UPDATE demands SET funding_source = NULL WHERE status = 'submitted'")
    for column in ("funding_shortfall_minutes", "funding_available_minutes", "fallback_reason",
                   "funding_chosen_by"):
        op.drop_column("demands", column)
