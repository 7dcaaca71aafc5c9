"""The gateway's ``/readyz`` on a real container and RabbitMQ: ready on its own connections
while none of the services behind it runs (its ``/health``, which pings them, is 503)."""
from __future__ import annotations

import requests

from gateway.service import GatewayService


def test_the_gateway_is_ready_while_the_services_behind_it_are_down(service_config,
                                                                     start_service):
    config = service_config(None, RATE_LIMITS_ENABLED=True,
                            RATE_LIMIT_STORAGE_URL="redis://127.0.0.1:1/0")
    start_service(GatewayService, config)
    base = f"http://{config['WEB_SERVER_ADDRESS']}"
    ready = requests.get(f"{base}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert checks["broker"] == "ok" and checks["consumers"] == "ok"
    assert "database" not in checks and "identity" not in checks
    # a store that cannot be reached is reported, and requests pass uncounted meanwhile
    assert checks["rate_limit_store"].startswith("error")
    assert requests.get(f"{base}/livez", timeout=10).status_code == 200
    # /health still asks every service, as the local runner expects
    assert requests.get(f"{base}/health", timeout=20).status_code == 503
