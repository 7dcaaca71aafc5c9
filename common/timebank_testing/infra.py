"""The real PostgreSQL and RabbitMQ tests run against, and ways to talk to them.

Environment: ``TIMEBANK_PG`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432``),
``TIMEBANK_RABBIT_HOST`` / ``_USER`` / ``_PASSWORD`` (default ``guest:guest@127.0.0.1``:
AMQP 5672, management 15672). To run against a RabbitMQ cluster (``deploy/rabbit_cluster.py
env`` prints these): ``TIMEBANK_RABBIT_API``, the nodes' management base URLs joined by ``;``,
and ``TIMEBANK_RABBIT_AMQP``, the nodes' AMQP URLs without a virtual host joined by ``;``.
"""
from __future__ import annotations

import os
import socket
import uuid
from contextlib import contextmanager
from urllib.parse import quote

import requests

PG_BASE = os.environ.get("TIMEBANK_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
RABBIT_HOST = os.environ.get("TIMEBANK_RABBIT_HOST", "127.0.0.1")
RABBIT_USER = os.environ.get("TIMEBANK_RABBIT_USER", "guest")
RABBIT_PASSWORD = os.environ.get("TIMEBANK_RABBIT_PASSWORD", "guest")
RABBIT_MANAGEMENT_URLS = os.environ.get("TIMEBANK_RABBIT_API", f"http://{RABBIT_HOST}:15672")
RABBIT_AMQP_URLS = os.environ.get(
    "TIMEBANK_RABBIT_AMQP", f"amqp://{RABBIT_USER}:{RABBIT_PASSWORD}@{RABBIT_HOST}:5672")
RABBIT_API = f"{RABBIT_MANAGEMENT_URLS.split(';')[0].rstrip('/')}/api"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


VHOST_TIMEOUT_SECONDS = 60
"""Creating or deleting a virtual host (and its quorum queues) on a busy broker takes a while."""


def _split(urls: str | list[str]) -> list[str]:
    items = urls.split(";") if isinstance(urls, str) else urls
    return [u.strip().rstrip("/") for u in items if u.strip()]


class Rabbit:
    """A throw-away RabbitMQ virtual host and the management API for it.

    On one broker (the default) or on a cluster: ``management_urls`` are the nodes' management
    base URLs (``http://10.77.0.11:15672``), tried in order, so a vhost can still be inspected
    and deleted while a node is down; ``amqp_urls`` the nodes' AMQP URLs without a virtual host.
    ``uri`` is kombu's failover form of them (joined by ``;``) for this vhost.
    """

    def __init__(self, vhost: str, management_urls: str | list[str] | None = None,
                 amqp_urls: str | list[str] | None = None,
                 auth: tuple[str, str] | None = None):
        self.vhost = vhost
        self.auth = auth or (RABBIT_USER, RABBIT_PASSWORD)
        self.apis = [f"{u}/api" for u in _split(management_urls or RABBIT_MANAGEMENT_URLS)]
        self.node_uris = [f"{u}/{vhost}" for u in _split(amqp_urls or RABBIT_AMQP_URLS)]
        self.uri = ";".join(self.node_uris)

    @classmethod
    def on_cluster(cls, cluster, vhost: str) -> Rabbit:
        """A vhost on a ``deploy/rabbit_cluster.RabbitCluster``."""
        return cls(vhost, [cluster.management_url(i) for i in cluster.nodes],
                   [u.rsplit("/", 1)[0] for u in cluster.node_uris()], cluster.auth)

    def _request(self, method: str, path: str, timeout: float = 10, **kwargs):
        """The management API call on the first node that answers."""
        error: requests.RequestException | None = None
        for api in self.apis:
            try:
                # a node cut off from the network does not refuse, it is silent: give up on
                # connecting to it after a few seconds and ask the next
                return requests.request(method, f"{api}{path}", auth=self.auth,
                                        timeout=(3, timeout), **kwargs)
            except requests.ConnectionError as exc:  # that node is down or cut off: the next
                error = exc
        assert error is not None
        raise error

    def create(self):
        r = self._request("PUT", f"/vhosts/{self.vhost}", timeout=VHOST_TIMEOUT_SECONDS)
        r.raise_for_status()
        r = self._request(
            "PUT", f"/permissions/{self.vhost}/{self.auth[0]}",
            json={"configure": ".*", "write": ".*", "read": ".*"},
            timeout=VHOST_TIMEOUT_SECONDS,
        )
        r.raise_for_status()

    def delete(self):
        self._request("DELETE", f"/vhosts/{self.vhost}", timeout=VHOST_TIMEOUT_SECONDS)

    def queues(self) -> list[dict]:
        """Every queue of the vhost as the management API reports it (on a cluster: the first
        node that answers; each queue's figures are its leader's)."""
        r = self._request("GET", f"/queues/{self.vhost}")
        r.raise_for_status()
        return r.json()

    def queue(self, name: str) -> dict:
        r = self._request("GET", f"/queues/{self.vhost}/{name}")
        r.raise_for_status()
        return r.json()

    def purge_queues_of(self, service: str) -> int:
        """Empty the event queues ``service`` consumes from (``evt-<source>-<type>--<service>.*``),
        so a module starting ``service`` does not inherit events other modules published
        while those queues had no consumer. Returns how many messages were dropped."""
        from kombu import Connection

        r = self._request("GET", f"/queues/{self.vhost}")
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

    def close_connections(self, named: str) -> int:
        """Close the vhost's client connections whose ``connection_name`` (a client property)
        contains ``named``, as a broker node's death would (the management API's force-close);
        returns how many. The connection list lags a few seconds behind new connections."""
        r = self._request("GET", f"/vhosts/{self.vhost}/connections")
        r.raise_for_status()
        names = [c["name"] for c in r.json()
                 if named in str((c.get("client_properties") or {}).get("connection_name"))]
        for name in names:
            self._request("DELETE", f"/connections/{quote(name, safe='')}",
                          headers={"X-Reason": "a test closes it, as a dying node would"})
        return len(names)

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


@contextmanager
def rpc_proxy(amqp_uri: str, service: str, timeout: float = 15):
    from nameko.standalone.rpc import ServiceRpcProxy

    with ServiceRpcProxy(service, {"AMQP_URI": amqp_uri}, timeout=timeout) as proxy:
        yield proxy


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.05, what=""):
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout``,
    saying ``what`` was awaited when given (a text, or a function giving one from the state at
    the time: a test with several waits names the one that failed)."""
    import time

    import eventlet

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        eventlet.sleep(interval)
    detail = what() if callable(what) else what
    raise AssertionError(f"condition not met within {timeout}s" + (f": {detail}" if detail else ""))


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
        self._listeners: list[Listener] = []

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


