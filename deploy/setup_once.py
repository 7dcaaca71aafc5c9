"""Prepare a platform without starting it: keys, databases (created and migrated),
demo data. docker-compose's `setup` container runs this; run_local.py does the same
through LocalPlatform.prepare()."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from local_platform import LocalPlatform  # noqa: E402

if __name__ == "__main__":
    LocalPlatform().prepare(demo=True)
    print("platform prepared: keys, databases, demo data")
