"""Benchmark: the CPU one database round trip costs a service process under eventlet, with
psycopg waiting in green ``select()`` (``PSYCOPG_WAIT_FUNC=wait_select``) against waiting on
the hub (``timebank_common.pg_wait``), measured in the same run, in turns.

    .venv/bin/python tests/perf/bench_pg_wait.py [--transactions 3000] [--threads 4] [--rounds 3]

Each transaction is BEGIN, ``SELECT %s``, COMMIT (three round trips) on the machine's own
PostgreSQL (``postgres`` database, read only), ``--threads`` green threads at once; the figure
is this process's CPU (user + system) per transaction, as a service pays it.
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")

import psycopg  # noqa: E402
from psycopg import waiting  # noqa: E402

from timebank_common import pg_wait  # noqa: E402

URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
WAITS = {"green select": waiting.wait, "hub": pg_wait.wait_on_hub}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(transactions: int, threads: int) -> float:
    """Microseconds of CPU per transaction."""
    def work(n: int) -> None:
        with psycopg.connect(URL) as conn:
            for i in range(n):
                with conn.transaction():
                    conn.execute("SELECT %s::int", (i,)).fetchone()

    before = cpu_seconds()
    pool = eventlet.GreenPool(threads)
    for _ in range(threads):
        pool.spawn(work, transactions // threads)
    pool.waitall()
    return (cpu_seconds() - before) * 1e6 / transactions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, list[float]] = {name: [] for name in WAITS}
    run(300, args.threads)  # warm up
    for _ in range(args.rounds):
        for name, wait in WAITS.items():
            waiting.wait = wait
            figures[name].append(run(args.transactions, args.threads))
    for name, values in figures.items():
        print(f"{name:>13}: {min(values):6.0f} µs CPU per transaction (best of "
              f"{args.rounds}; all {', '.join(f'{v:.0f}' for v in values)})")
    base, hub = min(figures["green select"]), min(figures["hub"])
    print(f"ratio hub / green select: {hub / base:.2f}")


if __name__ == "__main__":
    main()
