"""The ledger's ``/readyz`` as deployed (its RPC queue, its event handlers' queues and its
batch crediting handler on a connection of its own): ready once everything consumes, every
check named in the answer."""
from __future__ import annotations

import requests

from ledger.service import LedgerService


def test_the_ledger_is_ready_with_every_check_named(service_config, start_service):
    config = service_config("ledger")
    start_service(LedgerService, config)
    base = f"http://{config['WEB_SERVER_ADDRESS']}"
    ready = requests.get(f"{base}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"service": "ledger", "status": "ok",
                            "checks": {"database": "ok", "migrations": "ok", "broker": "ok",
                                       "consumers": "ok"}}
    assert requests.get(f"{base}/livez", timeout=10).json() == {"service": "ledger",
                                                               "status": "ok"}
