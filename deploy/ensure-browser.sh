#!/usr/bin/env bash
# The browser tests' Chromium, from Debian's packages (Playwright's own download cannot be
# reached here; the tests launch /usr/bin/chromium). Idempotent.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "ensure-browser: installing Debian's chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-droid-fallback >/dev/null
fi
