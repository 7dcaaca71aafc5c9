"""The fuzzing run's fixtures: a platform of its own (tests/e2e/platform_fixtures.py), since
generated requests change its data freely."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from platform_fixtures import Api, api, channels, demo_accounts, platform  # noqa: E402,F401
