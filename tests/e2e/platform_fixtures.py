"""The whole platform as separate processes, on its own vhost and databases: the `platform`
fixture and an `Api` client, used by the end-to-end tests (tests/e2e) and the console's browser
tests (tests/console)."""
from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # first_path.py

from databases import ServiceDatabases  # noqa: E402
from timebank_testing import Rabbit, free_port  # noqa: E402
from timebank_testing.fake_channels import sms_server, smtp_server  # noqa: E402

from local_platform import SERVICES, LocalPlatform  # noqa: E402

HIGH_RATE_LIMITS = {"RATE_LIMIT_STORAGE_URL": "memory://",
                    **{f"RATE_LIMIT_{name}": "100000/minute"
                       for name in ("LOGIN", "LOGIN_IP", "PUBLIC", "WRITE", "READ")}}


@pytest.fixture(scope="session")
def channels():
    """The local SMS and SMTP servers every platform of the session sends to (one each: the
    SMTP server's event loop cannot be started twice in one process)."""
    with sms_server() as sms, smtp_server() as mailbox:
        yield sms, mailbox


@contextmanager
def running_platform(tmp: Path, channels, extra_env: dict[str, str] | None = None,
                     topology: str | None = None, cluster=None) -> Iterator[LocalPlatform]:
    """Every service and the gateway as processes on a vhost and databases of their own, the
    demo data loaded. The databases (``platform.databases``, ``deploy/databases.py``) are
    provisioned with roles of this run (``tbe2e_<run>_<service>_owner``/``_app``) on the
    machine's server (``topology="shared"``) or in one PostgreSQL cluster per service
    (``"per-service"``; the default is ``TIMEBANK_E2E_DB_TOPOLOGY``, else shared, so a whole
    suite can be run on either); the processes connect as the app roles. ``platform.db_url(service)``
    is the superuser's URL, for a test's own assertions. Notify sends SMS to a local
    Tencent-style server that checks signatures (``platform.sms``) and e-mail to a local SMTP server (``platform.mailbox``), and looks for
    due deliveries and reminders every second. ``extra_env`` adds to (or overrides) the
    processes' environment (e.g. ``CLOCK_FILE`` for a platform living at a simulated time).
    ``cluster``, a started ``deploy/rabbit_cluster.RabbitCluster``, puts the vhost on it
    instead of the machine's broker (``platform.cluster``; the processes get its failover URL,
    the vhost's management calls go to whichever node answers)."""
    run = uuid.uuid4().hex[:8]
    rabbit = Rabbit.on_cluster(cluster, f"tbe2e-{run}") if cluster else Rabbit(f"tbe2e-{run}")
    rabbit.create()
    prefix = f"tbe2e_{run}"
    ports = {name: free_port() for name in ("gateway",) + SERVICES}
    topology = topology or os.environ.get("TIMEBANK_E2E_DB_TOPOLOGY", "shared")
    databases = ServiceDatabases(
        prefix, topology,
        ports={name: free_port() for name in SERVICES} if topology == "per-service" else None)
    sms, mailbox = channels
    instance = LocalPlatform(
        databases=databases,
        env={"AMQP_URI": rabbit.uri,
             "JWT_PRIVATE_KEY_FILE": str(tmp / "jwt.pem"),
             "JWT_PUBLIC_KEY_FILE": str(tmp / "jwt.pub"),
             "PII_KEYS_FILE": str(tmp / "pii-keys.json"),
             "RPC_TIMEOUT_SECONDS": "60",
             "STRICT_RESPONSES": "true",  # an answer that breaks its schema is a 500
             **sms.env(), **mailbox.env(),
             "NOTIFY_DELIVERY_POLL_SECONDS": "0.5", "NOTIFY_REMINDER_POLL_SECONDS": "1",
             # municipal webhooks: a failed delivery is retried 1 s, 2 s, ... later
             "NOTIFY_WEBHOOK_POLL_SECONDS": "0.3", "NOTIFY_WEBHOOK_BACKOFF_BASE_SECONDS": "1",
             # every test sends from 127.0.0.1 and logs the demo accounts in many times:
             # limits far above a run's traffic (the limiter's own test sets low ones)
             **HIGH_RATE_LIMITS, **(extra_env or {})},
        ports=ports, log_dir=tmp / "log",
    )
    instance.sms, instance.mailbox = sms, mailbox
    instance.rabbit, instance.cluster = rabbit, cluster
    instance.db_url = databases.superuser_url
    try:
        instance.prepare(demo=True)
        # a platform may start while the suite's other groups load the machine (CI runs them
        # side by side): its first RPCs then take longer than on a quiet machine
        instance.start_all(timeout=240)
        yield instance
    finally:
        instance.stop_all()
        try:
            if cluster is None:  # a cluster's owner stops it, vhosts and all: deleting a vhost
                rabbit.delete()  # of hundreds of quorum queues there outlasted the API's timeout
        finally:
            databases.drop()


@pytest.fixture(scope="session")
def platform(tmp_path_factory, channels):
    """The platform most end-to-end tests share (``running_platform``)."""
    with running_platform(tmp_path_factory.mktemp("platform"), channels) as instance:
        yield instance


class Api:
    """A thin HTTP client for the gateway, as a municipal system or the console would use it."""

    def __init__(self, base: str):
        self.base = base
        self.token = None

    def call(self, method: str, path: str, body=None, token=None, expect=None, **kwargs):
        headers = kwargs.pop("headers", {})
        token = token or self.token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        resp = requests.request(method, self.base + path, json=body, headers=headers, timeout=90, **kwargs)
        if expect is not None:
            assert resp.status_code == expect, f"{method} {path} -> {resp.status_code} {resp.text}"
        return resp

    def login(self, phone: str, password: str) -> str:
        resp = self.call("POST", "/api/v1/auth/login", {"phone": phone, "password": password}, expect=200)
        return resp.json()["access_token"]


@pytest.fixture
def api(platform):
    return Api(platform.url("gateway"))


@pytest.fixture(scope="session")
def demo_accounts():
    from identity.commands.demo import DEMO_ACCOUNTS

    return {a["role"]: a for a in DEMO_ACCOUNTS}
