"""Identity: 高龄 granted by rule, once per elder; hardship categories can be withdrawn.

* ``elder_profiles.advanced_age_granted_at``: when ``elder_priority_granted`` with
  ``advanced_age`` was emitted for the elder (at registration, or by the daily sweep in the
  month the elder turns 80). Set in the transaction that emits, on the elder's own row (taken
  ``FOR UPDATE SKIP LOCKED`` by the sweep), so it happens exactly once whatever the number of
  processes. Elders already 80 or older have none: the first sweep grants them.
* ``elder_priorities.status`` may be ``revoked`` (a verified category withdrawn, with the
  reason; it may be submitted again later).

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("elder_profiles",
                  sa.Column("advanced_age_granted_at", sa.DateTime(timezone=True)))
    op.create_index("elder_profiles_age_not_granted", "elder_profiles", ["person_id"],
                    postgresql_where=sa.text("advanced_age_granted_at IS NULL"))
    op.drop_constraint("elder_priorities_status", "elder_priorities", type_="check")
    op.create_check_constraint("elder_priorities_status", "elder_priorities",
                               "status IN ('pending', 'verified', 'rejected', 'revoked')")


def downgrade() -> None:
    op.execute("UPDATE elder_priorities SET status = 'rejected' WHERE status = 'revoked'")
    op.drop_constraint("elder_priorities_status", "elder_priorities", type_="check")
    op.create_check_constraint("elder_priorities_status", "elder_priorities",
                               "status IN ('pending', 'verified', 'rejected')")
    op.drop_index("elder_profiles_age_not_granted", table_name="elder_profiles")
    op.drop_column("elder_profiles", "advanced_age_granted_at")
