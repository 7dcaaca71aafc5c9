from alembic import context

from timebank_common.alembic_env import run

run(context)
