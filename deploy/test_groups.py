"""Run the test suite as groups side by side, each in its own pytest process, and fail when
any group fails (deploy/run-tests.sh, with no arguments).

The end-to-end tests spend most of their time waiting on processes they start and stop, so
they run beside the unit and integration tests instead of after them; those run as two halves
side by side for the same reason (much of their time is spent waiting on the database and the
broker). Once every group has finished, a last phase runs alone on the quiet machine: the
tests that boot a three-node RabbitMQ cluster (``-m cluster``: tests/integration/
test_rabbit_cluster.py) and the chaos suite (tests/chaos: a province day under process, broker
node and database faults, bounded to 15 minutes) — their timings are part of what they check,
and a cluster's Erlang VMs beside three busy pytest processes would miss them.
Each pytest process has its own RabbitMQ vhost and databases (``timebank_testing.plugin``), so
the groups never see each other's messages or rows. Output lines carry the group's name; each group's summary is
repeated at the end.

    python deploy/test_groups.py [extra pytest options, e.g. --durations=20]
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from databases import child_pids  # deploy/, this script's folder

ROOT = Path(__file__).resolve().parents[1]
_SECOND_HALF = ["services/demand", "services/ledger"]
MONTHS = "tests/e2e/test_reports_over_months.py"
CHAOS = "tests/chaos"
CLUSTER = "tests/integration/test_rabbit_cluster.py"
LAST = {
    # alone, after the groups, on the quiet machine: the cluster's own tests (a node killed,
    # one cut off), then the chaos suite — its tests of its checks, injector and targets, and
    # the province day under faults on a three-node cluster (5-9 minutes)
    "cluster": [[CLUSTER, "-m", "cluster"]],
    "chaos": [[CHAOS, "-m", "chaos and not cluster"], [CHAOS, "-m", "cluster"]],
}
DEFAULT_BOUND_SECONDS = 30 * 60  # a group's step; the whole run takes about 13 minutes
BOUND_SECONDS = {"cluster": 10 * 60, "chaos": 15 * 60}  # per step
STACK_DUMP_SECONDS = 10  # a step past its bound prints its stacks (SIGUSR1), then is killed
GROUPS = {
    # the console's browser tests run after the end-to-end tests, in a pytest process of their
    # own (no eventlet patch: see the root conftest.py); the test over several simulated months
    # starts a second whole platform, so it runs last, once the other groups (and the shared
    # platform) are done with the machine's two cores
    "e2e": [["tests/e2e", f"--ignore={MONTHS}"], ["tests/console"], ["tests/fuzz"], [MONTHS]],
    # unit and integration tests in two halves of about equal time (each waits on PostgreSQL
    # and RabbitMQ much of the time); anything not named in the second half is in the first
    "unit+integration 1": [["--ignore=tests/e2e", "--ignore=tests/console", "--ignore=tests/fuzz",
                            f"--ignore={CHAOS}",
                            *(f"--ignore={path}" for path in _SECOND_HALF)]],
    "unit+integration 2": [_SECOND_HALF],
}


def _pump(name: str, stream, lines: list[str], lock: threading.Lock) -> None:
    for raw in iter(stream.readline, ""):
        line = raw.rstrip("\n")
        lines.append(line)
        with lock:
            print(f"[{name}] {line}", flush=True)


def _descendants(pid: int) -> list[int]:
    """Every living process below ``pid``."""
    found, todo = [], [pid]
    while todo:
        children = child_pids(todo.pop())
        found += children
        todo += children
    return found


def _failures(lines: list[str]) -> list[str]:
    """The short test summary's lines naming what failed (``FAILED tests/...::test - why``),
    so the run's last lines, which CI keeps, say which tests failed and not only how many."""
    return [line[:300] for line in lines if line.startswith(("FAILED ", "ERROR "))]


def _run_group(name: str, steps: list[list[str]], extra: list[str], env: dict,
               lock: threading.Lock, results: dict) -> None:
    """The group's pytest runs one after the other; each step's last line is its summary. A
    step that outlives its bound (``BOUND_SECONDS``) is killed with everything it started and
    fails, saying so: a hang must fail the run, not use up CI's time. Before the kill it is
    sent SIGUSR1, on which the pytest plugin prints every thread's and green thread's stack
    (``timebank_common.stacks``): the log then says where it hung."""
    python = str(ROOT / ".venv" / "bin" / "python")
    bound = BOUND_SECONDS.get(name, DEFAULT_BOUND_SECONDS)
    outcomes = []
    for selection in steps:
        command = [python, "-m", "pytest", "-p", "no:cacheprovider", *extra, *selection]
        process = subprocess.Popen(command, cwd=ROOT, env=env, text=True, bufsize=1,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        timed_out = threading.Event()

        def kill(process=process, timed_out=timed_out):
            timed_out.set()
            try:  # first, where it is stuck: the pytest plugin prints every stack on SIGUSR1
                os.kill(process.pid, signal.SIGUSR1)
                process.wait(timeout=STACK_DUMP_SECONDS)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
            # the processes it started, even those in sessions of their own (the platform's)
            for pid in [process.pid, *_descendants(process.pid)]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

        timer = threading.Timer(bound, kill)
        timer.start()
        lines: list[str] = []
        _pump(name, process.stdout, lines, lock)
        code = process.wait()
        timer.cancel()
        summary = next((line for line in reversed(lines) if line.strip()), "(no output)")
        if timed_out.is_set():
            code, summary = 1, f"killed: still running after its bound of {bound} s"
            with lock:
                print(f"[{name}] {summary}", flush=True)
        outcomes.append((code, summary, _failures(lines)))
    results[name] = outcomes


def main(extra: list[str]) -> int:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    lock = threading.Lock()
    started = time.monotonic()
    results: dict[str, list[tuple[int, str, list[str]]]] = {}
    threads = [threading.Thread(target=_run_group, args=(name, steps, extra, env, lock, results))
               for name, steps in GROUPS.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name, steps in LAST.items():  # one at a time, on a machine the groups have left
        _run_group(name, steps, extra, env, lock, results)
    print(f"\n=== test groups finished in {time.monotonic() - started:.0f} s ===")
    failed = []
    for name in [*GROUPS, *LAST]:
        for code, summary, failures in results.get(name, [(1, "(did not run)", [])]):
            print(f"{name:>20}: exit {code}: {summary}")
            for failure in failures:
                print(f"{'':>20}  {failure}")
            if code != 0 and name not in failed:
                failed.append(name)
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
