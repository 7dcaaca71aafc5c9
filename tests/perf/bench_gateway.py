"""Benchmark: the gateway's authenticated balance read against the bare-framework
ceiling measured in the same run (DESIGN.md §8), and their ratio.

    .venv/bin/python tests/perf/bench_gateway.py [--seconds 10] [--rounds 5] [--connections 50]
                                                 [--profile /tmp/gw]

(a) GET /api/v1/accounts/{id} through the gateway with a Bearer token:
    token check in the gateway + one RPC to ledger + one SQL read.
(b) A bare nameko @http entrypoint making one RPC echo (tests/perf/echo_services.py).

Both run side by side and are loaded in turns, ``--rounds`` windows each (``interleaved``), so a
change in the machine's other work weighs on both alike.

Next to each rate it prints the CPU milliseconds per request of the process answering HTTP
(the gateway; the bare ``@http`` process) and, as "behind", of the RPC service it asks (ledger;
the echo service), read from ``/proc/<pid>/stat`` (utime + stime) before and after each timed
window: the ratio says how far apart the two paths are, the CPU figures where the time goes.

Everything runs on this machine, against loopback only, on a throw-away RabbitMQ
vhost and throw-away databases. Uses wrk if installed (apt-get install wrk).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from databases import ServiceDatabases  # noqa: E402
from timebank_testing import Rabbit, free_port  # noqa: E402

from loadgen import load  # noqa: E402
from local_platform import SERVICES, LocalPlatform  # noqa: E402


def post_json(url, body, token=None):
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def get_json(url, token):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds ``pid`` has used so far (``/proc/<pid>/stat`` fields 14, 15)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backends_of(superuser_url: str) -> Callable[[], dict[int, float]]:
    """``cpu()`` → CPU seconds so far of each PostgreSQL backend connected to this database
    (``pg_stat_activity``; the server runs on this machine, so ``/proc`` has its processes):
    the database's side of a read, which round trips saved show here (BEGIN and ROLLBACK
    cost the server a message each, like the SELECT)."""
    import psycopg

    def cpu() -> dict[int, float]:
        with psycopg.connect(superuser_url.replace("postgresql+psycopg://", "postgresql://"),
                             autocommit=True) as monitor:  # its own backend left out
            pids = [row[0] for row in monitor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")]
        found = {}
        for backend in pids:
            try:
                found[backend] = cpu_seconds(backend)
            except OSError:  # ended meanwhile
                pass
        return found

    return cpu


def measured(pid: int, behind: int, url: str, seconds: int, connections: int,
             headers: dict, database: Callable[[], dict[int, float]] | None = None) -> dict:
    """``load`` on ``url`` with the CPU seconds used meanwhile by the answering process
    (``pid``), by the RPC service behind it (``behind``) and by its database's backends
    (``database``, ``backends_of``; a backend that ended meanwhile is not counted — with the
    pool as large as the workers none does)."""
    before = cpu_seconds(pid), cpu_seconds(behind), database() if database else {}
    result = load(url, seconds, connections, headers)
    after = cpu_seconds(pid), cpu_seconds(behind), database() if database else {}
    result["requests"] = result["rate"] * seconds
    result["cpu_s"], result["behind_cpu_s"] = after[0] - before[0], after[1] - before[1]
    result["db_cpu_s"] = sum(used - before[2].get(backend, 0.0)
                             for backend, used in after[2].items())
    return result


def interleaved(paths: dict[str, tuple], seconds: int, rounds: int, connections: int) -> dict:
    """Each path (name → ``(pid, behind pid, url, headers, database CPU or None)``) loaded for ``seconds`` in all,
    in ``rounds`` windows taken in turns (gateway, baseline, gateway, ...): on a machine
    shared with other work the load changes from minute to minute, and back-to-back runs of
    10 s each measured ratios from 0.3 to 1.3 for the same code. Rates and CPU figures are
    totals over the windows; p50 and p99 are the windows' figures averaged, weighted by their
    requests; ``ratios`` are the rounds' own."""
    window = max(1, round(seconds / rounds))
    windows: dict[str, list[dict]] = {name: [] for name in paths}
    for _ in range(rounds):
        for name, (pid, behind, url, headers, database) in paths.items():
            windows[name].append(measured(pid, behind, url, window, connections, headers,
                                          database))
    totals = {}
    for name, results in windows.items():
        requests = sum(r["requests"] for r in results) or float("nan")
        totals[name] = {
            "tool": results[0]["tool"], "rate": requests / (window * rounds),
            "p50_ms": sum(r["p50_ms"] * r["requests"] for r in results) / requests,
            "p99_ms": sum(r["p99_ms"] * r["requests"] for r in results) / requests,
            "errors": sum(r["errors"] for r in results),
            "cpu_ms": sum(r["cpu_s"] for r in results) * 1000 / requests,
            "behind_cpu_ms": sum(r["behind_cpu_s"] for r in results) * 1000 / requests,
            "db_cpu_ms": sum(r["db_cpu_s"] for r in results) * 1000 / requests,
            "rates": [r["rate"] for r in results],
        }
    return totals


def profile(pids: dict[str, int], path: str, url: str, seconds: int, connections: int,
            headers: dict) -> None:
    """py-spy samples each process of ``pids`` (name → pid; without pausing them) into
    ``<path>.<name>`` while ``url`` is under load: outside the timed window, whose figures a
    sampler would lower."""
    spies = [subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record",
                               "--nonblocking", "--format", "raw", "--rate", "200",
                               "--output", f"{path}.{name}", "--duration", str(seconds),
                               "--pid", str(pid)], stdout=subprocess.DEVNULL)
             for name, pid in pids.items()]
    load(url, seconds, connections, headers)
    for spy in spies:
        spy.wait(seconds + 30)


def wait_http(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5,
                        help="windows per path, taken in turns (see interleaved)")
    parser.add_argument("--profile", metavar="PATH", default=None,
                        help="after the timed windows, profile each process under the same load "
                             "with py-spy (pip install py-spy) into PATH.gateway, PATH.ledger, "
                             "PATH.baseline, PATH.echo (collapsed stacks: one line per stack "
                             "with its sample count)")
    args = parser.parse_args()

    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    run = uuid.uuid4().hex[:8]
    rabbit = Rabbit(f"tbperf-{run}")
    rabbit.create()
    tmp = Path(tempfile.mkdtemp(prefix="tbperf-"))
    prefix = f"tbperf_{run}"
    ports = {name: free_port() for name in ("gateway", *SERVICES)}  # none of the fixed defaults
    databases = ServiceDatabases(prefix)  # roles and databases of this run, dropped after it
    platform = LocalPlatform(
        databases=databases,
        env={"AMQP_URI": rabbit.uri,
             "JWT_PRIVATE_KEY_FILE": str(tmp / "k.pem"), "JWT_PUBLIC_KEY_FILE": str(tmp / "k.pub"),
             "LOG_LEVEL": "WARNING",
             # one caller reads thousands of times a second: limits above that (still checked)
             **{f"RATE_LIMIT_{name}": "10000000/minute" for name in ("LOGIN", "LOGIN_IP", "READ")}},
        ports=ports, log_dir=tmp / "log",
    )
    echo_procs = []
    try:
        platform.prepare(demo=True)
        platform.start_all()
        from identity.commands.demo import DEMO_ACCOUNTS

        volunteer = next(a for a in DEMO_ACCOUNTS if a["role"] == "volunteer")
        gw = platform.url("gateway")
        token = post_json(f"{gw}/api/v1/auth/login",
                          {"phone": volunteer["phone"], "password": volunteer["password"]})["access_token"]
        me = get_json(f"{gw}/api/v1/me", token)
        balance_url = f"{gw}/api/v1/accounts/{me['person_id']}"
        get_json(balance_url, token)
        headers = {"Authorization": f"Bearer {token}"}
        echo_port = free_port()
        for argv in (["rpc", rabbit.uri], ["http", rabbit.uri, str(echo_port)]):
            echo_procs.append(subprocess.Popen(
                [sys.executable, str(ROOT / "tests/perf/echo_services.py"), *argv],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        echo_url = f"http://127.0.0.1:{echo_port}/echo"
        wait_http(echo_url)
        load(balance_url, 2, args.connections, headers)  # warm-up
        load(echo_url, 2, args.connections, {})
        paths = {"gateway": (platform.processes["gateway"].pid, platform.processes["ledger"].pid,
                             balance_url, headers, backends_of(databases.superuser_url("ledger"))),
                 "baseline": (echo_procs[1].pid, echo_procs[0].pid, echo_url, {}, None)}
        measured_paths = interleaved(paths, args.seconds, args.rounds, args.connections)
        gateway, baseline = measured_paths["gateway"], measured_paths["baseline"]
        if args.profile:
            profile({name: platform.processes[name].pid for name in ("gateway", "ledger")},
                    args.profile, balance_url, args.seconds, args.connections, headers)
            profile({"baseline": echo_procs[1].pid, "echo": echo_procs[0].pid}, args.profile,
                    echo_url, args.seconds, args.connections, {})
    finally:
        for proc in echo_procs:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        platform.stop_all()
        rabbit.delete()
        databases.drop()

    print()
    print(f"load: {gateway['tool']}, {args.connections} connections, {args.seconds} s each in {args.rounds} "
          f"windows taken in turns, loopback, 2 cores shared; "
          f"load average before/after: {load_before} / {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'path':<48}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'CPU ms/req':>12}{'behind':>8}"
          f"{'db':>6}")
    for label, r in (("gateway GET /api/v1/accounts/{id} (auth + RPC + SQL)", gateway),
                     ("bare nameko @http -> RPC echo (baseline)", baseline)):
        db = f"{r['db_cpu_ms']:>6.2f}" if label.startswith("gateway") else f"{'-':>6}"
        print(f"{label[:47]:<48}{r['rate']:>9.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['errors']:>9}"
              f"{r['cpu_ms']:>12.2f}{r['behind_cpu_ms']:>8.2f}{db}")
    print("CPU ms/req: the HTTP process; behind: the RPC service it asks (ledger; echo); "
          "db: the ledger database's PostgreSQL backends")
    print(f"ratio gateway / baseline: {gateway['rate'] / baseline['rate']:.2f} of the framework ceiling; "
          f"CPU per request {gateway['cpu_ms'] / baseline['cpu_ms']:.2f}x the baseline's")
    print("ratio in each round: " + " ".join(
        f"{g / b:.2f}" for g, b in zip(gateway["rates"], baseline["rates"], strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
