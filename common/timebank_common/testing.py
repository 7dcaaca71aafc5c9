"""pytest fixtures for tests that use real PostgreSQL and RabbitMQ.

Loaded by the root ``conftest.py``. Every test session gets its own RabbitMQ
virtual host and its own databases (``tbtest_<run>_<service>``), so tests never
touch a platform running locally, and both are removed at the end.

Environment: ``TIMEBANK_PG`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432``),
``TIMEBANK_RABBIT`` (default ``guest:guest@127.0.0.1``: AMQP 5672, management 15672).
"""
from __future__ import annotations

import os
import re
import socket
import uuid
from contextlib import contextmanager

import pytest
import requests

PG_BASE = os.environ.get("TIMEBANK_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
RABBIT_HOST = os.environ.get("TIMEBANK_RABBIT_HOST", "127.0.0.1")
RABBIT_USER = os.environ.get("TIMEBANK_RABBIT_USER", "guest")
RABBIT_PASSWORD = os.environ.get("TIMEBANK_RABBIT_PASSWORD", "guest")
RABBIT_API = f"http://{RABBIT_HOST}:15672/api"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Rabbit:
    """A throw-away RabbitMQ virtual host and the management API for it."""

    def __init__(self, vhost: str):
        self.vhost = vhost
        self.auth = (RABBIT_USER, RABBIT_PASSWORD)
        self.uri = f"amqp://{RABBIT_USER}:{RABBIT_PASSWORD}@{RABBIT_HOST}:5672/{vhost}"

    def create(self):
        r = requests.put(f"{RABBIT_API}/vhosts/{self.vhost}", auth=self.auth, timeout=10)
        r.raise_for_status()
        r = requests.put(
            f"{RABBIT_API}/permissions/{self.vhost}/{RABBIT_USER}",
            json={"configure": ".*", "write": ".*", "read": ".*"}, auth=self.auth, timeout=10,
        )
        r.raise_for_status()

    def delete(self):
        requests.delete(f"{RABBIT_API}/vhosts/{self.vhost}", auth=self.auth, timeout=10)

    def queue(self, name: str) -> dict:
        r = requests.get(f"{RABBIT_API}/queues/{self.vhost}/{name}", auth=self.auth, timeout=10)
        r.raise_for_status()
        return r.json()

    def purge_queues_of(self, service: str) -> int:
        """Empty the event queues ``service`` consumes from (``evt-<source>-<type>--<service>.*``),
        so a module starting ``service`` does not inherit events other modules published
        while those queues had no consumer. Returns how many messages were dropped."""
        from kombu import Connection

        r = requests.get(f"{RABBIT_API}/queues/{self.vhost}", auth=self.auth, timeout=10)
        r.raise_for_status()
        names = [q["name"] for q in r.json()
                 if q["name"].startswith("evt-") and f"--{service}." in q["name"]]
        dropped = 0
        with Connection(self.uri) as conn:
            channel = conn.channel()
            try:
                for name in names:
                    dropped += channel.queue_purge(name) or 0
            finally:
                channel.close()
        return dropped

    def queue_depth(self, name: str) -> int:
        """Ready messages, read with a passive declare (the HTTP API's figures lag)."""
        from kombu import Connection

        with Connection(self.uri) as conn:
            channel = conn.channel()
            try:
                _, count, _ = channel.queue_declare(name, passive=True)
            finally:
                channel.close()
        return count


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def rabbit(run_id):
    vhost = Rabbit(f"tbtest-{run_id}")
    try:
        vhost.create()
    except requests.RequestException as exc:
        pytest.fail(
            "RabbitMQ (with the management plugin on 15672) is needed for this test: "
            f"{exc}. Start it with deploy/ensure-infra.sh"
        )
    yield vhost
    vhost.delete()


@pytest.fixture(scope="session")
def amqp_uri(rabbit) -> str:
    return rabbit.uri


@pytest.fixture(scope="session")
def pii_keys(tmp_path_factory):
    """A personal-data key file for this run (``timebank_common.pii``), also named in the
    environment (``PII_KEYS_FILE``) for code that runs in the test process (demo loaders,
    import commands, migrations)."""
    from .pii import ensure_key_file

    path = tmp_path_factory.mktemp("pii") / "pii-keys.json"
    ensure_key_file(path)
    previous = os.environ.get("PII_KEYS_FILE")
    os.environ["PII_KEYS_FILE"] = str(path)
    yield {"PII_KEYS_FILE": str(path)}
    if previous is None:
        os.environ.pop("PII_KEYS_FILE", None)
    else:
        os.environ["PII_KEYS_FILE"] = previous


@pytest.fixture(scope="session")
def database_url(run_id, pii_keys):
    """``database_url("ledger")``: a migrated database of that service for this run."""
    yield from _migrated_databases(run_id, "")


def _migrated_databases(run_id: str, suffix: str):
    """Yields ``get(service)`` → the URL of ``tbtest_<run>_<service><suffix>``, created and
    migrated on first use; drops them all afterwards."""
    from .db import drop_database
    from .migrations import upgrade

    made = {}

    def get(service: str) -> str:
        if service not in made:
            url = f"{PG_BASE}/tbtest_{run_id}_{service}{suffix}"
            upgrade(service, url)
            made[service] = url
        return made[service]

    yield get
    for url in made.values():
        drop_database(url)


@pytest.fixture(scope="session")
def token_keys(tmp_path_factory):
    from .auth import generate_keypair

    folder = tmp_path_factory.mktemp("keys")
    private, public = folder / "jwt-private.pem", folder / "jwt-public.pem"
    generate_keypair(private, public)
    return {"JWT_PRIVATE_KEY_FILE": str(private), "JWT_PUBLIC_KEY_FILE": str(public)}


@pytest.fixture(scope="session")
def certificate_keys(tmp_path_factory):
    """The ledger's certificate signing key pair, made for this test session."""
    from .auth import generate_keypair

    folder = tmp_path_factory.mktemp("certificate-keys")
    private, public = folder / "certificate-private.pem", folder / "certificate-public.pem"
    generate_keypair(private, public)
    return {"CERTIFICATE_PRIVATE_KEY_FILE": str(private),
            "CERTIFICATE_PUBLIC_KEY_FILE": str(public)}


@pytest.fixture(scope="module")
def service_config(amqp_uri, database_url, token_keys, pii_keys, certificate_keys):
    """``service_config("ledger", EXTRA=1)``: a nameko config for an in-process container."""

    def make(service: str | None, **overrides) -> dict:
        cfg = {
            "AMQP_URI": amqp_uri,
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
            "max_workers": 10,
            "EVENT_DELIVERY_LIMIT": 3,
            "OUTBOX_RELAY": {"enabled": True, "poll_seconds": 0.1},
            **token_keys,
            **pii_keys,
            **certificate_keys,
        }
        if service:
            cfg["DATABASE_URL"] = database_url(service)
        cfg.update(overrides)
        return cfg

    return make


def _container_starter():
    from nameko.containers import ServiceContainer

    containers = []

    def start(cls, config):
        container = ServiceContainer(cls, config)
        container.start()
        containers.append(container)
        return container

    def stop_all():
        for container in reversed(containers):
            container.stop()

    return start, stop_all


@pytest.fixture
def start_service():
    """``start_service(ServiceClass, config)``: run a real nameko container in-process
    for one test."""
    start, stop_all = _container_starter()
    yield start
    stop_all()


@pytest.fixture(scope="module")
def start_module_service():
    """Like ``start_service``, but the container serves the whole test module
    (stopping one takes a few seconds, so most integration modules share one)."""
    start, stop_all = _container_starter()
    yield start
    stop_all()


@contextmanager
def rpc_proxy(amqp_uri: str, service: str, timeout: float = 15):
    from nameko.standalone.rpc import ServiceRpcProxy

    with ServiceRpcProxy(service, {"AMQP_URI": amqp_uri}, timeout=timeout) as proxy:
        yield proxy


@pytest.fixture
def rpc(amqp_uri):
    """``with rpc("ledger") as ledger: ledger.balance(...)``"""

    def make(service: str, timeout: float = 15):
        return rpc_proxy(amqp_uri, service, timeout)

    return make


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.05):
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout``."""
    import time

    import eventlet

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        eventlet.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


class EventBus:
    """Publish events as a service's outbox relay would, and listen to them as a consumer.

    ``publish("demand", envelope)`` goes to exchange ``demand.events`` with the
    envelope's ``event_type`` as routing key (persistent, JSON), exactly like
    ``timebank_common.outbox``. ``listen("ledger", "hours_credited")`` binds a
    throw-away queue and returns a ``Listener``.
    """

    def __init__(self, amqp_uri: str):
        from kombu import Connection

        self.connection = Connection(amqp_uri)
        self._listeners = []

    def publish(self, source_service: str, envelope: dict) -> dict:
        from nameko.events import get_event_exchange

        exchange = get_event_exchange(source_service, {})
        self.connection.Producer().publish(
            envelope, exchange=exchange, routing_key=envelope["event_type"], serializer="json",
            delivery_mode=2, declare=[exchange], message_id=envelope["event_id"])
        return envelope

    def listen(self, source_service: str, event_type: str) -> Listener:
        listener = Listener(self.connection, source_service, event_type)
        self._listeners.append(listener)
        return listener

    def close(self):
        for listener in self._listeners:
            listener.close()
        self.connection.release()


class Listener:
    def __init__(self, connection, source_service: str, event_type: str):
        from kombu import Queue
        from nameko.events import get_event_exchange

        queue = Queue(f"test-{event_type}-{uuid.uuid4().hex[:8]}",
                      exchange=get_event_exchange(source_service, {}), routing_key=event_type)
        self.queue = queue(connection.channel())
        self.queue.declare()
        self.received: list[dict] = []

    def drain(self, expected: int = 1, timeout: float = 10.0) -> list[dict]:
        """Bodies received so far, waiting up to ``timeout`` for ``expected`` of them."""
        import time

        import eventlet

        deadline = time.monotonic() + timeout
        while True:
            message = self.queue.get(no_ack=True)
            if message is not None:
                self.received.append(message.payload)
                continue
            if len(self.received) >= expected or time.monotonic() > deadline:
                return self.received
            eventlet.sleep(0.05)

    def close(self):
        try:
            self.queue.delete()
        except Exception:  # the vhost may already be gone
            pass


@pytest.fixture(scope="module")
def event_bus(amqp_uri):
    bus = EventBus(amqp_uri)
    yield bus
    bus.close()


# --- query plans ---------------------------------------------------------------------------
class ExplainingUow:
    """Stands in for a unit of work in plan tests: EXPLAINs every statement it is given
    (``plans``, one text per statement), then runs it."""

    def __init__(self, connection):
        self.connection = connection
        self.plans: list[str] = []

    def execute(self, statement, params=None):
        compiled = statement.compile(dialect=self.connection.dialect,
                                     compile_kwargs={"render_postcompile": True})
        rows = self.connection.exec_driver_sql(f"EXPLAIN {compiled.string}", compiled.params)
        self.plans.append("\n".join(r[0] for r in rows))
        return self.connection.execute(statement, params)


@pytest.fixture(scope="session")
def empty_database_url(run_id, pii_keys):
    """``empty_database_url("ledger")``: a migrated database of that service for this run that
    no test writes to (``tbtest_<run>_<service>_empty``), for plans that must not depend on
    what other tests left in the shared one."""
    yield from _migrated_databases(run_id, "_empty")


@pytest.fixture
def explaining_uow(empty_database_url):
    """``uow = explaining_uow("demand")``: an ``ExplainingUow`` on an empty migrated database
    of that service (``empty_database_url``), with sequential scans priced out
    (``enable_seqscan = off``), so an index that can serve a statement is chosen although
    the tables are empty (and no JIT: the priced-out costs would make every statement
    compile); rolled back at the end, so it stays empty."""
    from sqlalchemy import create_engine, text

    opened = []

    def make(service: str) -> ExplainingUow:
        engine = create_engine(empty_database_url(service))
        connection = engine.connect()
        opened.append((engine, connection))
        connection.execute(text("SET enable_seqscan = off"))
        connection.execute(text("SET jit = off"))  # priced-out scans would make it compile
        return ExplainingUow(connection)

    yield make
    for engine, connection in opened:
        connection.rollback()
        connection.close()
        engine.dispose()


_INDEX_NODE = re.compile(r"(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\S+)")


def index_conditions(plan: str) -> list[tuple[str, str]]:
    """(index, its ``Index Cond``) of each index scan in an EXPLAIN text."""
    found, current = [], None
    for line in plan.splitlines():
        node = _INDEX_NODE.search(line)
        if node:
            current = node.group(1)
        elif "->" in line:
            current = None
        elif current and "Index Cond:" in line:
            found.append((current, line.split("Index Cond:", 1)[1].strip()))
    return found


def range_indexes(plans: list[str] | str, column: str = "region_code") -> set[str]:
    """Indexes with a range on ``column`` (``column >= …``, as ``regions.within`` writes a
    region prefix) in their ``Index Cond``, in any of ``plans``: the index serves the filter,
    not a whole-index scan applying it to each row. The range bounds the scan only when the
    index leads with ``column`` (or with columns the condition fixes by equality, then it):
    a test names the index it expects, one of that shape."""
    bounded = re.compile(rf"\b{re.escape(column)}\)?(?:::\w+)?\)? >= ")
    return {index for plan in ([plans] if isinstance(plans, str) else plans)
            for index, condition in index_conditions(plan) if bounded.search(condition)}
