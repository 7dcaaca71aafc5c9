"""The fault injector: while a load runs, a seeded schedule of faults, each followed by its
recovery (waited for on a condition), counted when the platform came back from it.

Fault kinds (issue 17, item 4):

* ``process_kill``: SIGKILL one process — any service's, the gateway's, or one of several
  processes of one service — and start it again, until its ``/health`` answers;
* ``broker_node_kill``: SIGKILL one RabbitMQ node's Erlang VM and start it again;
* ``partition``: cut one RabbitMQ node off from the others and the clients for a while, heal;
* ``database_restart``: restart one service's PostgreSQL;
* ``database_pause``: stop the ledger's database from answering for a few seconds.

What each fault does to which part is a ``FaultTargets``: callables that the test wires to the
platform it runs (``tests/chaos/targets.py``). A kind whose target is missing is skipped, with
the reason given by the targets, and the run reports it; it does not count as survived.
"""
from __future__ import annotations

import random
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

PROCESS_KILL, BROKER_NODE_KILL, PARTITION = "process_kill", "broker_node_kill", "partition"
DATABASE_RESTART, DATABASE_PAUSE = "database_restart", "database_pause"
KINDS = (PROCESS_KILL, BROKER_NODE_KILL, PARTITION, DATABASE_RESTART, DATABASE_PAUSE)


@dataclass
class FaultTargets:
    """The platform's breakable parts. Each callable performs its fault *and* the recovery,
    returning once the part is back (or raising when it did not come back in time).

    ``processes``: the process keys that may be killed (``kill_process(key)``);
    ``broker_nodes``: how many broker nodes there are (``kill_broker_node(i)``,
    ``partition_broker_node(i, seconds)``, 1-based); ``databases``: the services whose database
    may be restarted (``restart_database(service)``); ``pause_database(service, seconds)``.
    ``missing`` says, for each kind left ``None``, why."""

    processes: list[str]
    kill_process: Callable[[str], None]
    broker_nodes: int = 0
    kill_broker_node: Callable[[int], None] | None = None
    partition_broker_node: Callable[[int, float], None] | None = None
    databases: list[str] = field(default_factory=list)
    restart_database: Callable[[str], None] | None = None
    pause_database: Callable[[str, float], None] | None = None
    missing: dict[str, str] = field(default_factory=dict)

    def available(self, kind: str) -> bool:
        return {PROCESS_KILL: bool(self.processes),
                BROKER_NODE_KILL: self.kill_broker_node is not None and self.broker_nodes > 0,
                PARTITION: self.partition_broker_node is not None and self.broker_nodes > 0,
                DATABASE_RESTART: self.restart_database is not None and bool(self.databases),
                DATABASE_PAUSE: self.pause_database is not None}[kind]

    def why_not(self, kind: str) -> str:
        return self.missing.get(kind, "no target wired for it")


@dataclass(frozen=True)
class Schedule:
    """How many faults of each kind, and the quiet time between two faults (seconds, drawn
    from ``gap``), so the load makes progress between them. ``partition_seconds`` and
    ``pause_seconds``: how long a partition and a database pause last."""

    counts: dict[str, int]
    gap: tuple[float, float] = (2.0, 5.0)
    partition_seconds: float = 10.0
    pause_seconds: float = 4.0
    paused_service: str = "ledger"

    @classmethod
    def ci(cls) -> Schedule:
        """The minimum issue 17 asks of CI: 20 process kills, 2 broker node kills, a partition,
        a database restart and a pause of the ledger's database."""
        return cls({PROCESS_KILL: 20, BROKER_NODE_KILL: 2, PARTITION: 1, DATABASE_RESTART: 1,
                    DATABASE_PAUSE: 1})

    @classmethod
    def full(cls) -> Schedule:
        """For the full province day: the same kinds, more of each, spread over a longer day."""
        return cls({PROCESS_KILL: 60, BROKER_NODE_KILL: 6, PARTITION: 3, DATABASE_RESTART: 3,
                    DATABASE_PAUSE: 3}, gap=(5.0, 15.0))


@dataclass
class Fault:
    kind: str
    target: str
    started: float = 0.0
    seconds: float = 0.0
    error: str | None = None


class FaultInjector:
    """Runs ``schedule`` against ``targets`` in a seeded random order, in a thread of its own
    (``start``, ``join``) or in the caller's (``run``). ``survived`` counts each kind whose
    recovery completed, ``failed`` lists the faults the platform did not come back from,
    ``skipped`` the kinds that had no target (and why). ``stop()`` ends it early (at the next
    gap); ``finished`` is set when it is done, whichever way."""

    def __init__(self, targets: FaultTargets, schedule: Schedule, seed: int,
                 log: Callable[[str], None] | None = None):
        self.targets, self.schedule = targets, schedule
        self.log = log or (lambda line: print(line, flush=True))  # as it happens
        self.rng = random.Random(seed)
        self.survived: Counter[str] = Counter()
        self.failed: list[Fault] = []
        self.done: list[Fault] = []
        self.skipped = {kind: targets.why_not(kind) for kind in KINDS
                        if schedule.counts.get(kind) and not targets.available(kind)}
        self.stopping, self.finished = threading.Event(), threading.Event()
        self.crashed: str | None = None  # the injector's own error, if it had one
        self.started_at = self.finished_at = 0.0
        self.plan = self._plan()
        """The faults in the order they will happen: (kind, target), drawn from the seed."""
        self._thread = threading.Thread(target=self.run, name="fault-injector", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _plan(self) -> list[tuple[str, str]]:
        faults = [kind for kind in KINDS if kind not in self.skipped
                  for _ in range(self.schedule.counts.get(kind, 0))]
        self.rng.shuffle(faults)
        return [(kind, self._target_of(kind)) for kind in faults]

    def _target_of(self, kind: str) -> str:
        t = self.targets
        if kind == PROCESS_KILL:
            return self.rng.choice(t.processes)
        if kind in (BROKER_NODE_KILL, PARTITION):
            return str(self.rng.randint(1, t.broker_nodes))
        if kind == DATABASE_RESTART:
            return self.rng.choice(t.databases)
        return self.schedule.paused_service

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        self.started_at = time.monotonic()
        try:
            for kind, target in self.plan:
                if self.stopping.wait(self.rng.uniform(*self.schedule.gap)):
                    break
                self._inject(Fault(kind, target))
        except Exception:  # noqa: BLE001 - reported by summary(), fails the run
            self.crashed = traceback.format_exc()
        finally:
            self.finished_at = time.monotonic()
            self.finished.set()

    def _inject(self, fault: Fault) -> None:
        t, s = self.targets, self.schedule
        fault.started = time.monotonic()
        try:
            if fault.kind == PROCESS_KILL:
                t.kill_process(fault.target)
            elif fault.kind == BROKER_NODE_KILL:
                assert t.kill_broker_node is not None
                t.kill_broker_node(int(fault.target))
            elif fault.kind == PARTITION:
                assert t.partition_broker_node is not None
                t.partition_broker_node(int(fault.target), s.partition_seconds)
            elif fault.kind == DATABASE_RESTART:
                assert t.restart_database is not None
                t.restart_database(fault.target)
            else:
                assert t.pause_database is not None
                t.pause_database(fault.target, s.pause_seconds)
        except Exception as exc:  # noqa: BLE001 - a fault the platform did not survive
            fault.error = f"{exc!r}\n{traceback.format_exc(limit=3)}"
            self.failed.append(fault)
        else:
            self.survived[fault.kind] += 1
        fault.seconds = time.monotonic() - fault.started
        self.done.append(fault)
        self.log(f"fault {len(self.done)}: {fault.kind} {fault.target} "
                 f"{'FAILED ' + fault.error.splitlines()[0] if fault.error else 'recovered'} "
                 f"in {fault.seconds:.1f}s")

    def summary(self) -> str:
        """The counts, printed at the end of a run."""
        lines = [f"faults survived in {self.finished_at - self.started_at:.0f}s:"]
        lines += [f"  {kind}: {self.survived[kind]} of {self.schedule.counts.get(kind, 0)}"
                  for kind in KINDS if kind not in self.skipped]
        lines += [f"  {kind}: skipped ({why})" for kind, why in self.skipped.items()]
        lines += [f"  FAILED {f.kind} {f.target}: {f.error}" for f in self.failed]
        if self.crashed:
            lines.append(f"  the injector itself failed:\n{self.crashed}")
        return "\n".join(lines)

    def missing_counts(self) -> dict[str, tuple[int, int]]:
        """Kinds (not skipped) survived fewer times than scheduled: kind -> (survived, asked)."""
        return {kind: (self.survived[kind], n) for kind, n in self.schedule.counts.items()
                if kind not in self.skipped and self.survived[kind] < n}
