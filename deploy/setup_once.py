"""Prepare a platform without starting it: keys, databases (provisioned as the PostgreSQL
superuser ``TIMEBANK_PG``, then migrated as their owner roles), demo data. docker-compose's
`setup` container runs this; run_local.py does the same through LocalPlatform.prepare().

The role passwords come from ``TIMEBANK_DB_PASSWORD`` (none with trust authentication); the
service containers are given the matching ``<SERVICE>_DATABASE_URL`` (application role)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from databases import ServiceDatabases  # noqa: E402

from local_platform import LocalPlatform  # noqa: E402

if __name__ == "__main__":
    LocalPlatform(databases=ServiceDatabases()).prepare(demo=True)
    print("platform prepared: keys, databases (roles, migrations), demo data")
