"""The fault injector's schedule: seeded, every scheduled fault done once, each counted only
when its recovery returned, a kind without a target skipped with its reason, a recovery that
failed reported, and ``stop`` ending it early."""
from __future__ import annotations

from injector import (
    BROKER_NODE_KILL,
    DATABASE_PAUSE,
    DATABASE_RESTART,
    PARTITION,
    PROCESS_KILL,
    FaultInjector,
    FaultTargets,
    Schedule,
)

QUICK = dict(gap=(0.0, 0.0), partition_seconds=0.0, pause_seconds=0.0)


def recording_targets(done: list, broken: str | None = None) -> FaultTargets:
    def kill(key):
        if key == broken:
            raise TimeoutError(f"{key} not healthy")
        done.append((PROCESS_KILL, key))

    return FaultTargets(
        processes=["ledger", "ledger-2", "gateway"], kill_process=kill,
        databases=["ledger", "demand"],
        restart_database=lambda s: done.append((DATABASE_RESTART, s)),
        pause_database=lambda s, seconds: done.append((DATABASE_PAUSE, s)),
        missing={BROKER_NODE_KILL: "one shared node", PARTITION: "one shared node"})


def test_the_ci_schedule_is_seeded_counted_and_skips_what_has_no_target():
    done: list = []
    injector = FaultInjector(recording_targets(done), Schedule({**Schedule.ci().counts}, **QUICK),
                             seed=7, log=lambda line: None)
    again = FaultInjector(recording_targets([]), Schedule.ci(), seed=7, log=lambda line: None)
    assert injector.plan == again.plan  # the same seed, the same faults in the same order
    injector.start()
    injector.join(30)
    assert injector.finished.is_set() and injector.crashed is None
    assert injector.survived == {PROCESS_KILL: 20, DATABASE_RESTART: 1, DATABASE_PAUSE: 1}
    assert len(done) == 22 and (DATABASE_PAUSE, "ledger") in done
    assert {key for kind, key in done if kind == PROCESS_KILL} == {"ledger", "ledger-2", "gateway"}
    assert injector.skipped == {BROKER_NODE_KILL: "one shared node", PARTITION: "one shared node"}
    assert injector.missing_counts() == {}
    assert "broker_node_kill: skipped (one shared node)" in injector.summary()


def test_a_fault_the_platform_did_not_recover_from_is_reported_not_counted():
    done: list = []
    injector = FaultInjector(recording_targets(done, broken="gateway"),
                             Schedule({PROCESS_KILL: 12}, **QUICK), seed=3, log=lambda line: None)
    injector.run()
    gateway_kills = sum(1 for _, key in injector.plan if key == "gateway")
    assert gateway_kills and len(injector.failed) == gateway_kills
    assert injector.survived[PROCESS_KILL] == 12 - gateway_kills
    assert injector.missing_counts() == {PROCESS_KILL: (12 - gateway_kills, 12)}
    assert "FAILED process_kill gateway: TimeoutError" in injector.summary()


def test_stop_ends_the_schedule_at_the_next_gap():
    done: list = []
    injector = FaultInjector(recording_targets(done), Schedule({PROCESS_KILL: 5}, gap=(60, 60)),
                             seed=1, log=lambda line: None)
    injector.start()
    injector.stop()
    injector.join(10)
    assert injector.finished.is_set() and done == []
    assert injector.missing_counts() == {PROCESS_KILL: (0, 5)}
