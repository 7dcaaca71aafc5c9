#!/usr/bin/env bash
# Install and run all tests (README, second command). Extra arguments go to pytest.
# With no paths among them, the suite runs as groups side by side (deploy/test_groups.py:
# the end-to-end tests beside two halves of the unit and integration tests); with paths, one
# pytest run.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/ensure-infra.sh
deploy/install.sh
deploy/ensure-browser.sh           # Debian's Chromium for the console's browser tests
deploy/build-console.sh --check   # the console: type check, unit tests (Vitest), build
.venv/bin/ruff check .
# architecture: pyproject.toml [tool.importlinter]; run from deploy/, because lint-imports puts
# its working directory first on sys.path and at the root gateway/ would shadow the gateway package
(cd deploy && ../.venv/bin/lint-imports ../pyproject.toml --no-cache)
.venv/bin/mypy                    # types: pyproject.toml [tool.mypy]
for arg in "$@"; do
  case "$arg" in
    -*) ;;
    *) exec .venv/bin/python -m pytest -p no:cacheprovider "$@" ;;
  esac
done
exec .venv/bin/python deploy/test_groups.py "$@"
