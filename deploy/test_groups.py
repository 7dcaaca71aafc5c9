"""Run the test suite as groups side by side, each in its own pytest process, and fail when
any group fails (deploy/run-tests.sh, with no arguments).

The end-to-end tests spend most of their time waiting on processes they start and stop, so
they run beside the unit and integration tests instead of after them; those run as two halves
side by side for the same reason (much of their time is spent waiting on the database and the
broker). Each pytest process has
its own RabbitMQ vhost and databases (``timebank_testing.plugin``), so the groups never see
each other's messages or rows. Output lines carry the group's name; each group's summary is
repeated at the end.

    python deploy/test_groups.py [extra pytest options, e.g. --durations=20]
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_SECOND_HALF = ["services/demand", "services/ledger"]
GROUPS = {
    "e2e": ["tests/e2e"],
    # unit and integration tests in two halves of about equal time (each waits on PostgreSQL
    # and RabbitMQ much of the time); anything not named in the second half is in the first
    "unit+integration 1": ["--ignore=tests/e2e", *(f"--ignore={path}" for path in _SECOND_HALF)],
    "unit+integration 2": _SECOND_HALF,
}


def _pump(name: str, stream, lines: list[str], lock: threading.Lock) -> None:
    for raw in iter(stream.readline, ""):
        line = raw.rstrip("\n")
        lines.append(line)
        with lock:
            print(f"[{name}] {line}", flush=True)


def main(extra: list[str]) -> int:
    python = str(ROOT / ".venv" / "bin" / "python")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    lock = threading.Lock()
    started = time.monotonic()
    runs = []
    for name, selection in GROUPS.items():
        command = [python, "-m", "pytest", "-p", "no:cacheprovider", *extra, *selection]
        process = subprocess.Popen(command, cwd=ROOT, env=env, text=True, bufsize=1,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        lines: list[str] = []
        pump = threading.Thread(target=_pump, args=(name, process.stdout, lines, lock),
                                daemon=True)
        pump.start()
        runs.append((name, process, pump, lines))
    failed = []
    for name, process, pump, _ in runs:
        code = process.wait()
        pump.join()
        if code != 0:
            failed.append(name)
    print(f"\n=== test groups finished in {time.monotonic() - started:.0f} s ===")
    for name, process, _, lines in runs:
        summary = next((line for line in reversed(lines) if line.strip()), "(no output)")
        print(f"{name:>20}: exit {process.returncode}: {summary}")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
