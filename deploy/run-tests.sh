#!/usr/bin/env bash
# Install and run all tests (README, second command). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/ensure-infra.sh
deploy/install.sh
.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache  # architecture: pyproject.toml [tool.importlinter]
.venv/bin/mypy                    # types: pyproject.toml [tool.mypy]
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
