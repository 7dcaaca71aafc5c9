"""The body of every service's ``migrations/env.py`` (online mode only)."""
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

_MIGRATION_LOCK = 7_300_001  # pg advisory lock: replicas starting together migrate one at a time


def run(context) -> None:
    cfg = context.config
    url = cfg.attributes.get("database_url") or cfg.get_main_option("sqlalchemy.url")
    engine = create_engine(url, poolclass=NullPool, hide_parameters=True)
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
        connection.commit()
        try:
            context.configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
            connection.commit()
    engine.dispose()
