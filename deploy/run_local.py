"""Run the whole platform locally: ``./deploy/run-local.sh`` calls this.

The service databases are provisioned (roles and databases, as the PostgreSQL superuser:
``deploy/databases.py``; ``TIMEBANK_DB_TOPOLOGY=per-service`` gives each service a cluster of
its own) and migrated as their owner roles, demo data loaded, then every service and the
gateway start as separate processes connecting as the application roles (logs in var/log/).
Ctrl-C stops them cleanly.
"""
from __future__ import annotations

import os
import signal
import sys
import time

from databases import ServiceDatabases  # this folder is on sys.path

from local_platform import LocalPlatform, PlatformError


def print_banner(platform: LocalPlatform) -> None:
    from identity.commands.demo import DEMO_API_CLIENT, DEMO_LOGINS

    url = platform.url("gateway")
    print()
    print("=" * 72)
    print(f"  时间银行 Time Bank is running:  {url}")
    print(f"  控制台 Console (browser):      {url}/")
    print(f"  API 文档 API docs:             {url}/docs")
    print(f"  OpenAPI:                      {url}/openapi.json")
    print(f"  Logs:                         {platform.log_dir}/<service>.log")
    print("-" * 72)
    print("  演示账号 Demo logins (the console's login screen, or POST /api/v1/auth/login):")
    for account in DEMO_LOGINS:
        print(f"    {account['role']:<18} {account['name']:<8} {account['city']:<6}"
              f" {account['phone']:<13} {account['password']}")
    print(f"  municipal system (POST /api/v1/auth/token): client_id {DEMO_API_CLIENT['client_id']}"
          f"  client_secret {DEMO_API_CLIENT['client_secret']}")
    print("-" * 72)
    print("  Ctrl-C 停止 / stops everything")
    print("=" * 72, flush=True)


def main() -> int:
    databases = ServiceDatabases(topology=os.environ.get("TIMEBANK_DB_TOPOLOGY", "shared"))
    platform = LocalPlatform(databases=databases)
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        print("Preparing databases and demo data ...", flush=True)
        platform.prepare(demo=True)
        print("Starting services ...", flush=True)
        platform.start_all()
        print_banner(platform)
        while not stopping:
            for name, proc in platform.processes.items():
                if proc.poll() is not None:
                    print(f"{name} exited ({proc.returncode}); restarting. See var/log/{name}.log", flush=True)
                    platform.start(name)
            time.sleep(1)
    except PlatformError as exc:
        print(f"error: {exc}", file=sys.stderr)
        platform.stop_all()
        return 1
    print("\nStopping ...", flush=True)
    platform.stop_all()
    print("Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
