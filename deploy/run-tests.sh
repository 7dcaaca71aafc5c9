#!/usr/bin/env bash
# Install and run all tests (README, second command). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/ensure-infra.sh
deploy/install.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
