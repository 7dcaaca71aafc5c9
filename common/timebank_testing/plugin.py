"""The pytest plugin every test session loads (root ``conftest.py``): fixtures for real
PostgreSQL and RabbitMQ, in-process nameko containers, a rolled-back unit of work, a clock.

Every test session gets its own RabbitMQ virtual host and its own databases
(``tbtest_<run>_<service>``), so tests never touch a platform running locally, and both are
removed at the end. Tests are marked by their folder: ``unit/``, ``integration/``, ``e2e/``.
"""
from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
import requests

from timebank_common import stacks
from timebank_common.clock import FixedClock

from .database import rolled_back_units_of_work
from .infra import PG_BASE, EventBus, Rabbit, free_port, rpc_proxy
from .plans import ExplainingUow

FOLDER_MARKERS = {"unit": "unit", "integration": "integration", "e2e": "e2e", "chaos": "chaos",
                  "fuzz": "fuzz"}
TEST_INSTANT = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)  # 10:00 on a Monday, China time


def pytest_configure(config):
    # SIGUSR1 prints where every green thread is (a stuck step in CI), past pytest's capture
    capture = config.pluginmanager.get_plugin("capturemanager")
    stacks.install(capture.global_and_fixture_disabled if capture else None)
    for marker, meaning in (("unit", "pure: no I/O"),
                            ("integration", "needs real PostgreSQL and/or RabbitMQ"),
                            ("e2e", "starts every service as its own process"),
                            ("chaos", "kills processes and cuts connections"),
                            ("fuzz", "generated requests against a whole platform (schemathesis)"),
                            ("perf", "benchmark; run explicitly with tests/perf"),
                            ("cluster", "starts a RabbitMQ cluster in network namespaces (root, "
                                        "a few minutes); runs only when selected: -m cluster")):
        config.addinivalue_line("markers", f"{marker}: {meaning}")


def pytest_collection_modifyitems(config, items):
    """Mark each test by the folder it lives in (``.../tests/unit/...`` is ``unit``), so
    ``-m unit`` runs what needs no database or broker. Tests marked ``cluster`` boot a
    three-node broker cluster: they run only when ``-m`` names them, so the test groups can
    schedule them apart."""
    for item in items:
        for part in Path(str(item.fspath)).parts[:-1]:
            if part in FOLDER_MARKERS:
                item.add_marker(FOLDER_MARKERS[part])
    if "cluster" not in (config.getoption("markexpr") or ""):
        skip = pytest.mark.skip(reason="starts a RabbitMQ cluster: select it with -m cluster")
        for item in items:
            if item.get_closest_marker("cluster"):
                item.add_marker(skip)


@pytest.fixture
def clock():
    """A ``FixedClock`` at Monday 2026-06-15 10:00 China time; move it with ``set`` or
    ``advance``. Pass it to use cases, or to an in-process service as ``CLOCK``."""
    return FixedClock(TEST_INSTANT)


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
    from timebank_common.pii import ensure_key_file

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
    from timebank_common.db import drop_database, ensure_database
    from timebank_common.migrations import upgrade

    made = {}

    def get(service: str) -> str:
        if service not in made:
            url = f"{PG_BASE}/tbtest_{run_id}_{service}{suffix}"
            ensure_database(url)  # the harness is the superuser: it creates what it tests on
            upgrade(service, url)
            made[service] = url
        return made[service]

    yield get
    for url in made.values():
        drop_database(url)


@pytest.fixture(scope="module")
def own_database_url(run_id, pii_keys, request):
    """``own_database_url("demand")``: a migrated database of that service for this test
    module alone (``tbtest_<run>_<service>_<module>``), dropped after it. For a module that
    commits many rows, or rows at odd times: the shared database stays as the other modules
    expect it (their rolled-back tests see what is committed there)."""
    from timebank_common.db import drop_database, ensure_database
    from timebank_common.migrations import upgrade

    made = {}
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")[:20]

    def get(service: str) -> str:
        if service not in made:
            url = f"{PG_BASE}/tbtest_{run_id}_{service}_{module}"
            ensure_database(url)
            upgrade(service, url)
            made[service] = url
        return made[service]

    yield get
    for url in made.values():
        drop_database(url)


@pytest.fixture(scope="session")
def token_keys(tmp_path_factory):
    from timebank_common.tokens import generate_keypair

    folder = tmp_path_factory.mktemp("keys")
    private, public = folder / "jwt-private.pem", folder / "jwt-public.pem"
    generate_keypair(private, public)
    return {"JWT_PRIVATE_KEY_FILE": str(private), "JWT_PUBLIC_KEY_FILE": str(public)}


@pytest.fixture(scope="session")
def certificate_keys(tmp_path_factory):
    """The ledger's certificate signing key pair, made for this test session."""
    from timebank_common.tokens import generate_keypair

    folder = tmp_path_factory.mktemp("certificate-keys")
    private, public = folder / "certificate-private.pem", folder / "certificate-public.pem"
    generate_keypair(private, public)
    return {"CERTIFICATE_PRIVATE_KEY_FILE": str(private),
            "CERTIFICATE_PUBLIC_KEY_FILE": str(public)}


@pytest.fixture
def uow_factory(database_url):
    """``uow = uow_factory("demand")``: units of work on that service's migrated database,
    all inside one transaction that is rolled back when the test ends. Each ``commit()``
    releases a savepoint, so a use case behaves as in production, events land in the outbox
    table where a test can read them, and nothing stays behind; no broker, no container."""
    with rolled_back_units_of_work(database_url) as make:
        yield make


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
            "CONSUMER_POLL_SECONDS": 0.05,  # a container stops in a tenth of a second
            "CHECK_CONTRACTS": True,  # every RPC's answer is checked against its declaration
            # a gateway under test takes many requests from one address and caller; the rate
            # limiter's own tests turn it on with limits of their own
            "RATE_LIMITS_ENABLED": False,
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


@pytest.fixture
def rpc(amqp_uri):
    """``with rpc("ledger") as ledger: ledger.balance(...)``"""

    def make(service: str, timeout: float = 15):
        return rpc_proxy(amqp_uri, service, timeout)

    return make


@pytest.fixture(scope="module")
def event_bus(amqp_uri):
    bus = EventBus(amqp_uri)
    yield bus
    bus.close()


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


