#!/usr/bin/env bash
# Build the console (console/dist, served by the gateway at /) when its sources or lock file
# changed: `npm ci` when package-lock.json changed, `npm run build` when anything it builds from
# changed. Node.js and npm come from the machine (Node 20 here). Idempotent and quick when
# nothing changed. With --check, also type-check and run the unit tests (the test command).
set -euo pipefail
cd "$(dirname "$0")/../console"
if ! command -v npm >/dev/null 2>&1; then
  echo "build-console: npm not found; install Node.js 20+ (apt-get install nodejs npm)" >&2
  exit 1
fi
hash_of() { sha256sum "$@" | sha256sum | cut -c1-16; }
lock_hash=$(hash_of package-lock.json package.json)
if [ ! -d node_modules ] || [ "$(cat node_modules/.tb-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  echo "build-console: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.tb-lock-hash
fi
if [ "${1:-}" = "--check" ]; then
  npm run --silent typecheck
  npm run --silent test -- --reporter=dot
fi
sources=$(find src index.html vite.config.ts tsconfig.json openapi.json package-lock.json -type f | sort)
build_hash=$(hash_of $sources)
if [ ! -f dist/index.html ] || [ "$(cat .build-stamp 2>/dev/null)" != "$build_hash" ]; then
  echo "build-console: npm run build"
  npm run --silent build
  echo "$build_hash" > .build-stamp
fi
