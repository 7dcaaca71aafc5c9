"""The end-to-end tests' fixtures (tests/e2e/platform_fixtures.py)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # first_path.py, platform_fixtures.py

from platform_fixtures import Api, api, channels, demo_accounts, platform  # noqa: E402,F401
