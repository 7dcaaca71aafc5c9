"""The chaos suite's fixtures: the end-to-end platform (tests/e2e/platform_fixtures.py) and the
modules of this folder, of tests/e2e (the journeys) and of tests/perf (the province day)."""
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
for folder in ("deploy", "tests/perf", "tests/e2e", "tests/chaos"):  # last inserted comes first
    sys.path.insert(0, str(_ROOT / folder))

from platform_fixtures import channels, demo_accounts  # noqa: E402,F401
