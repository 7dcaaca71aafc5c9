#!/usr/bin/env bash
# Install and run the whole platform locally (README, first command).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/ensure-infra.sh
deploy/install.sh
deploy/build-console.sh
export PYTHONPATH="deploy${PYTHONPATH:+:$PYTHONPATH}"
exec .venv/bin/python deploy/run_local.py
