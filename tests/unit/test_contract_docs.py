"""``docs/rpc-and-events.md`` is generated from the declarations (every RPC's ``@rpc(args=...,
returns=...)``, every service's ``EVENTS`` and event handlers) and the committed file is the
generated one: ``python -m timebank_common.contract_docs`` rewrites it."""
from pathlib import Path

from timebank_common import contract_docs

ROOT = Path(__file__).resolve().parents[2]


def test_every_rpc_of_every_service_is_declared():
    assert contract_docs.undeclared() == []


def test_the_committed_reference_is_the_generated_one():
    committed = (ROOT / contract_docs.DOCUMENT).read_text(encoding="utf-8")
    assert committed == contract_docs.render(), (
        "docs/rpc-and-events.md is stale: run .venv/bin/python -m timebank_common.contract_docs")


def test_every_produced_event_is_documented_with_its_consumers():
    text = contract_docs.render()
    for service in contract_docs.SERVICES:
        for event in contract_docs.collect(service).events:
            assert f"| `{event.name}` (v{event.version})" in text
    recorded = next(line for line in text.splitlines()
                    if line.startswith("| `service_recorded` (v"))
    for consumer in ("identity", "matching", "ledger", "notify", "reporting"):
        assert f"`{consumer}.on_service_recorded`" in recorded
