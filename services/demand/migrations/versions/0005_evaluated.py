"""Demand: the ``evaluated`` status (DESIGN.md §5). No schema change (``demands.status`` is
a VARCHAR(20) without a CHECK); the demands evaluated before this revision move from
``recorded`` to ``evaluated`` by the rule of ``Demand.follow_evaluations``: every live
assignment (not withdrawn, not a no-show) whose record counts (not rejected or voided) has an
evaluation, and at least one live assignment has one. Downgrade moves them back to
``recorded`` (the older code knows no ``evaluated``).

Revision ID: 0005_evaluated
Revises: 0004_record
"""
from alembic import op

revision = "0005_evaluated"
down_revision = "0004_record"
branch_labels = None
depends_on = None

_LIVE = "a.demand_id = d.id AND a.status NOT IN ('withdrawn', 'no_show')"


def upgrade() -> None:
    op.execute(f"""
        UPDATE demands d SET status = 'evaluated', updated_at = now()
        WHERE d.status = 'recorded'
          AND EXISTS (SELECT 1 FROM assignments a
                      JOIN evaluations e ON e.assignment_id = a.id
                      WHERE {_LIVE})
          AND NOT EXISTS (SELECT 1 FROM assignments a
                          JOIN service_records r ON r.assignment_id = a.id
                          WHERE {_LIVE} AND r.status NOT IN ('rejected', 'voided')
                            AND NOT EXISTS (SELECT 1 FROM evaluations e
                                            WHERE e.assignment_id = a.id))""")


def downgrade() -> None:
    op.execute("UPDATE demands SET status = 'recorded', updated_at = now() "
               "WHERE status = 'evaluated'")
