#!/usr/bin/env bash
# The three-node RabbitMQ cluster in network namespaces (deploy/rabbit_cluster.py), with this
# worktree's Python: deploy/rabbit-cluster.sh start|stop|status|kill N|start-node N|partition N|heal N|restore|uri|env
# Needs root (ip netns). Options (--base-dir, --prefix, --subnet, --size) go before the command.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || PY=python3
exec "$PY" "$ROOT/deploy/rabbit_cluster.py" "$@"
