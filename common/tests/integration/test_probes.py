"""``/livez`` and ``/readyz`` on real containers, RabbitMQ and PostgreSQL: they answer while
every worker of the service is busy (where ``/health``, a worker-pool ``@http``, waits); a
database that cannot be reached makes ``/readyz`` 503 naming ``database``, one behind the
code's migration head names ``migrations`` until it is migrated, a broker connection lost
names ``broker`` until it is back. The gateway's:
``gateway/tests/integration/test_probes.py``."""
from __future__ import annotations

import socket
from urllib.parse import urlsplit

import eventlet
import pytest
import requests
from eventlet.event import Event
from nameko.web.handlers import http
from timebank_testing.infra import wait_for

from timebank_common.service import Database, ServiceBase

WAIT = 20  # seconds a condition is waited for before the test fails (never a sleep)


class Held:
    """The events one test's blocked worker waits on (module state: nameko builds the
    service instance itself)."""

    entered: Event
    release: Event


class Probed(ServiceBase):
    # a real service's name, so the migrations of its code are checked against its database
    name = "ledger"
    db = Database()

    @http("GET", "/hold")
    def hold(self, request):
        """Keeps its worker until the test releases it."""
        Held.entered.send(True)
        Held.release.wait()
        return "released"


def _base(config) -> str:
    return f"http://{config['WEB_SERVER_ADDRESS']}"


def test_probes_answer_while_every_worker_is_busy(service_config, start_service):
    Held.entered, Held.release = Event(), Event()
    config = service_config("ledger", max_workers=1)
    start_service(Probed, config)
    base = _base(config)
    holder = eventlet.spawn(requests.get, f"{base}/hold", timeout=60)
    try:
        with eventlet.Timeout(WAIT):
            Held.entered.wait()  # the one worker is taken
        live = requests.get(f"{base}/livez", timeout=5)
        ready = requests.get(f"{base}/readyz", timeout=5)
        assert live.status_code == 200 and live.json()["status"] == "ok"
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "ok", "migrations": "ok", "broker": "ok",
                                          "consumers": "ok"}
        # what they replace: a worker-pool endpoint waits for the worker
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(f"{base}/health", timeout=1)
    finally:
        Held.release.send(True)
    assert holder.wait().text == "released"
    assert requests.get(f"{base}/health", timeout=10).status_code == 200


def test_readyz_names_the_database_it_cannot_reach(service_config, start_service):
    config = service_config(None, DATABASE_URL="postgresql+psycopg://app:app@127.0.0.1:1/ledger",
                            PROBE_TIMEOUT_SECONDS=1)
    start_service(Probed, config)
    answer = requests.get(f"{_base(config)}/readyz", timeout=10)
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["database"].startswith("error")
    assert body["checks"]["broker"] == "ok" and body["checks"]["consumers"] == "ok"
    assert requests.get(f"{_base(config)}/livez", timeout=10).status_code == 200


class Cuttable:
    """A TCP forwarder in front of RabbitMQ that the test cuts (every connection through it
    shut, new ones refused: a broker gone away) and restores."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = eventlet.listen(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepting = True
        self.open: list = []
        self.server = eventlet.spawn(self._accept)

    def _accept(self):
        while True:
            client, _ = self.listener.accept()
            if not self.accepting:
                client.close()
                continue
            upstream = eventlet.connect(self.target)
            self.open += [client, upstream]
            eventlet.spawn_n(self._pipe, client, upstream)
            eventlet.spawn_n(self._pipe, upstream, client)

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass

    def cut(self):
        self.accepting = False
        for sock in self.open:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.open = []

    def restore(self):
        self.accepting = True

    def close(self):
        self.server.kill()
        self.listener.close()


def test_readyz_names_the_broker_while_its_connection_is_lost(service_config, start_service,
                                                              amqp_uri):
    address = urlsplit(amqp_uri)
    proxy = Cuttable(address.hostname, address.port or 5672)
    through = address._replace(netloc=f"{address.username}:{address.password}"
                                      f"@127.0.0.1:{proxy.port}").geturl()
    config = service_config("ledger", AMQP_URI=through)
    try:
        start_service(Probed, config)
        readyz = f"{_base(config)}/readyz"
        assert requests.get(readyz, timeout=10).status_code == 200
        proxy.cut()
        lost = wait_for(lambda: _not_ready(readyz), timeout=WAIT, what="/readyz to say 503")
        assert lost["checks"]["broker"].startswith("error")
        assert lost["checks"]["database"] == "ok"
        assert requests.get(f"{_base(config)}/livez", timeout=10).status_code == 200
        proxy.restore()
        wait_for(lambda: requests.get(readyz, timeout=10).status_code == 200, timeout=WAIT,
                 what="/readyz to be 200 again once the broker is back")
    finally:
        proxy.restore()  # the container stops through it
    proxy.close()


def _not_ready(url: str) -> dict | None:
    answer = requests.get(url, timeout=10)
    return answer.json() if answer.status_code == 503 else None


@pytest.fixture
def database_behind(run_id):
    """A ledger database migrated to the revision before the code's head (dropped after)."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from timebank_testing.infra import PG_BASE

    from timebank_common.db import drop_database, ensure_database
    from timebank_common.migrations import alembic_config, upgrade

    url = f"{PG_BASE}/tbtest_{run_id}_ledger_behind"
    ensure_database(url)
    scripts = ScriptDirectory.from_config(alembic_config("ledger", url))
    (head,) = scripts.get_heads()
    before = scripts.get_revision(head).down_revision
    command.upgrade(alembic_config("ledger", url), before)
    yield url, before, head, lambda: upgrade("ledger", url)
    drop_database(url)


def test_readyz_waits_for_the_migration_head(service_config, start_service, database_behind):
    url, before, head, migrate = database_behind
    config = service_config(None, DATABASE_URL=url)
    start_service(Probed, config)
    readyz = f"{_base(config)}/readyz"
    behind = requests.get(readyz, timeout=10)
    assert behind.status_code == 503
    assert behind.json()["checks"]["migrations"] == \
        f"error: database at {before}, code at {head}"
    assert behind.json()["checks"]["database"] == "ok"
    migrate()
    assert requests.get(readyz, timeout=10).status_code == 200
