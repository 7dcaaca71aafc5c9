"""The three-node RabbitMQ cluster of ``deploy/rabbit_cluster.py``, under the faults the chaos
suite injects: a node's VM killed (and booted again) and a node cut off from the others.

What a service would notice: a publisher with confirms and a consumer, both on kombu's
failover URL, keep going when the node they are connected to (and the queue's leader) dies, and
nothing confirmed is lost; a nameko service and a ``ClusterRpcProxy`` answer again through
another node; a quorum queue keeps its three members and a cut-off node catches up once healed.

One cluster for the module (booting one takes about a minute). Needs root (``ip netns``); runs
only when selected: ``pytest tests/integration/test_rabbit_cluster.py -m cluster``. Its own
prefix and subnet, so it never touches a cluster an operator or the chaos suite started.
Timing figures are printed at the end of the module.
"""
from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import eventlet
import pytest
from amqp.exceptions import MessageNacked
from kombu import Connection, Exchange, Queue
from kombu.exceptions import OperationalError
from nameko.amqp.publish import Publisher
from nameko.containers import ServiceContainer
from nameko.standalone.rpc import ClusterRpcProxy
from timebank_testing.infra import Rabbit, wait_for

from timebank_common.rpc import QuorumRpc

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

from rabbit_cluster import RabbitCluster  # noqa: E402

pytestmark = pytest.mark.cluster

QUEUE = "cluster-work"
FIGURES: dict[str, float] = {}
TEST_BOUND_SECONDS = 240  # each test takes 5-30 s; a hang fails it here, with where it hung
CONFIRM_SECONDS = 10  # a publisher waits this long for a confirm, then retries (kombu.ensure)


@pytest.fixture(autouse=True)
def bounded():
    """A test still running after ``TEST_BOUND_SECONDS`` fails with eventlet's Timeout raised
    where its main green thread waits (the traceback names the wait), instead of hanging the
    step until CI's bound kills it."""
    with eventlet.Timeout(TEST_BOUND_SECONDS):
        yield


def kill_within(container: ServiceContainer, seconds: float = 30) -> None:
    """nameko's ``kill`` waits for its consumer to close its connection, and a consumer whose
    every node is away retries for ever; the test goes on (the fault is its to report)."""
    with eventlet.Timeout(seconds, False):
        container.kill()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, request):
    began = time.monotonic()
    cluster = RabbitCluster(tmp_path_factory.mktemp("rabbit-cluster"), prefix="tbclt",
                            subnet="10.79.0").start()
    FIGURES["cluster start (3 nodes booted, joined, healthy)"] = time.monotonic() - began
    yield cluster
    cluster.stop()
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():  # the figures reach the terminal, as with -s
        print()
        for what, seconds in FIGURES.items():
            print(f"rabbit cluster: {what}: {seconds:.1f} s")


@pytest.fixture(autouse=True)
def whole(request):
    """Each cluster test starts on a whole cluster: a node an earlier, failed test left down
    or cut off is booted or reconnected first (else that failure cascades: one node down and
    one cut off leave no majority, and every later test hangs on it)."""
    if "cluster" in request.fixturenames:
        request.getfixturevalue("cluster").restore()


@pytest.fixture(scope="module")
def vhost(cluster):
    rabbit = Rabbit.on_cluster(cluster, "tbcluster")
    rabbit.create()
    yield rabbit
    rabbit.delete()


def uri_starting_at(cluster: RabbitCluster, vhost: str, first: int) -> str:
    """The failover URL with node ``first`` tried first (clients connect to it)."""
    uris = cluster.node_uris(vhost)
    return ";".join(uris[first - 1:] + uris[:first - 1])


def node_index(cluster: RabbitCluster, name: str) -> int:
    return next(i for i in cluster.nodes if cluster.node_name(i) == name)


def quorum_state(rabbit: Rabbit) -> dict:
    """Leader, members and online members of the work queue, from the management API."""
    queue = rabbit.queue(QUEUE)
    return {"leader": queue.get("leader"), "members": set(queue.get("members") or []),
            "online": set(queue.get("online") or [])}


def work_queue() -> Queue:
    return Queue(QUEUE, Exchange(""), routing_key=QUEUE, durable=True,
                 queue_arguments={"x-queue-type": "quorum"})


def test_three_nodes_run_as_one_cluster(cluster):
    status = cluster.status()
    assert set(status) == {cluster.node_name(i) for i in cluster.nodes}
    assert all(node["running"] and not node["partitions"] for node in status.values())
    for i in cluster.nodes:  # the descriptor limit the start raised (deploy/ensure-infra.sh)
        limit = cluster.ctl(i, "eval", "file_handle_cache:get_limit().").strip()
        assert int(limit) >= 20000 - 100, limit  # the cache keeps a few for itself


def test_a_quorum_queue_has_a_member_on_every_node(cluster, vhost):
    with Connection(vhost.uri) as conn:
        work_queue()(conn.default_channel).declare()
    every_node = {cluster.node_name(i) for i in cluster.nodes}
    state = wait_for(lambda: (s := quorum_state(vhost))["online"] == every_node and s)
    assert state["members"] == every_node
    assert state["leader"] in every_node


class Echo:
    """On the platform's own RPC entrypoint (``timebank_common.rpc``): its queue a quorum
    queue (nameko's own is classic and dies with its node), its settling tolerant of a lost
    connection."""

    name = "cluster_echo"

    @QuorumRpc.decorator
    def echo(self, value):
        return value


def container_error(container: ServiceContainer) -> str:
    try:
        container._died.wait()
    except Exception as exc:  # what killed it
        return repr(exc)
    return "stopped without an error"


def echo_answers(config: dict, value: str, timeout: float = 5) -> bool:
    try:
        with ClusterRpcProxy(config, timeout=timeout) as proxy:
            return proxy.cluster_echo.echo(value) == value
    except Exception:  # the service (or this proxy's node) is not reachable yet: ask again
        return False


class Consumer:
    """Consumes the work queue on a failover URL, acknowledging each message after recording
    it; reconnects (to the next node) when its connection drops."""

    def __init__(self, uri: str):
        self.uri = uri
        self.received: list[int] = []
        self.reconnects = 0
        self.stopped = False
        self.thread = eventlet.spawn(self._run)

    def _on_message(self, body, message):
        self.received.append(body["n"])
        message.ack()

    def _run(self):
        conn = Connection(self.uri)
        while not self.stopped:
            try:
                conn.ensure_connection(max_retries=30, interval_start=0.2, interval_step=0.2,
                                       interval_max=1)
                with conn.Consumer(work_queue(), callbacks=[self._on_message],
                                   accept=["json"], prefetch_count=50):
                    while not self.stopped:
                        try:
                            conn.drain_events(timeout=0.2)
                        except TimeoutError:
                            pass
            except conn.recoverable_connection_errors + conn.recoverable_channel_errors:
                self.reconnects += 1
                conn.collect()  # forget the dead socket; ensure_connection tries the next node
        conn.release()

    def stop(self):
        self.stopped = True
        self.thread.wait()


class NumberPublisher:
    """Publishes 0, 1, 2, ... with publisher confirms on a failover URL; a number counts as
    sent only once the broker confirmed it. ``kombu.Connection.ensure`` retries through the
    next node when the connection drops; a number the broker refuses (a nack: the quorum
    queue's leader died with it in flight) is sent again, as the platform's outbox does."""

    def __init__(self, uri: str):
        self.conn = Connection(uri, transport_options={"confirm_publish": True})
        self.confirmed: list[int] = []
        self.errors = 0
        self.nacked = 0
        self.stopped = False
        self.thread = eventlet.spawn(self._run)

    def _errback(self, exc, interval):
        self.errors += 1

    def _run(self):
        producer = self.conn.Producer(serializer="json")
        publish = self.conn.ensure(producer, producer.publish, errback=self._errback,
                                   max_retries=60, interval_start=0.1, interval_step=0.2,
                                   interval_max=1)
        n = 0
        while not self.stopped:
            try:
                publish({"n": n}, routing_key=QUEUE, delivery_mode=2,
                        confirm_timeout=CONFIRM_SECONDS)
            except OperationalError as exc:
                if not isinstance(exc.__cause__, MessageNacked):
                    raise
                self.nacked += 1
                continue
            self.confirmed.append(n)
            n += 1
            eventlet.sleep(0)  # let the consumer run between confirms

    def stop(self):
        self.stopped = True
        self.thread.wait()
        self.conn.release()


def test_publisher_and_consumer_keep_going_when_the_leader_node_is_killed(cluster, vhost):
    leader = node_index(cluster, quorum_state(vhost)["leader"])
    uri = uri_starting_at(cluster, vhost.vhost, leader)  # clients sit on the leader's node
    consumer = Consumer(uri)
    publisher = NumberPublisher(uri)
    try:
        wait_for(lambda: len(publisher.confirmed) >= 200, timeout=30)
        killed_at = time.monotonic()
        cluster.kill_node(leader)
        before_kill = len(publisher.confirmed)
        other = next(i for i in cluster.nodes if i != leader)
        survivor = Rabbit(vhost.vhost, [cluster.management_url(i) for i in cluster.nodes
                                        if i != leader], [], cluster.auth)
        wait_for(lambda: quorum_state(survivor)["leader"] not in (None, cluster.node_name(leader)),
                 timeout=60, interval=0.1)
        FIGURES["node kill -> queue leader on another node"] = time.monotonic() - killed_at
        wait_for(lambda: len(publisher.confirmed) > before_kill, timeout=60, interval=0.05)
        FIGURES["node kill -> next confirmed publish"] = time.monotonic() - killed_at
        wait_for(lambda: len(publisher.confirmed) >= before_kill + 200, timeout=60)
    finally:
        publisher.stop()
    confirmed = set(publisher.confirmed)
    try:
        wait_for(lambda: confirmed <= set(consumer.received), timeout=60)
    finally:
        consumer.stop()
    assert publisher.errors >= 1 and consumer.reconnects >= 1, "no client noticed the kill"
    assert other != leader

    restarted_at = time.monotonic()
    cluster.start_node(leader)
    every_node = {cluster.node_name(i) for i in cluster.nodes}
    wait_for(lambda: quorum_state(vhost)["online"] == every_node, timeout=60, interval=0.2)
    FIGURES["start_node -> member again, queue has 3 online members"] = (
        time.monotonic() - restarted_at)


def test_a_nameko_service_and_a_cluster_rpc_proxy_fail_over(cluster, vhost):
    victim = 2
    uri = uri_starting_at(cluster, vhost.vhost, victim)  # service and proxy sit on node 2
    config = {"AMQP_URI": uri, "max_workers": 4}
    container = ServiceContainer(Echo, config)
    container.start()
    try:
        with ClusterRpcProxy(config, timeout=10) as proxy:
            assert proxy.cluster_echo.echo("before") == "before"
        killed_at = time.monotonic()
        cluster.kill_node(victim)
        wait_for(lambda: echo_answers(config, "after"), timeout=90, interval=0.5,
                 what=lambda: "an answer through another node; the service's container "
                              + (f"died: {container_error(container)}" if container._died.ready()
                                 else "still runs"))
        FIGURES["node kill -> nameko RPC answered through another node"] = (
            time.monotonic() - killed_at)
    finally:
        kill_within(container)
    cluster.start_node(victim)


def test_a_cut_off_node_pauses_and_catches_up_when_healed(cluster, vhost, monkeypatch):
    cut = 3
    with Connection(vhost.uri) as conn:  # empty the queue: count what the partition brings
        conn.default_channel.queue_purge(QUEUE)
    # a service connected to the node about to be cut off hears nothing, not even a reset:
    # only AMQP heartbeats tell it to move (nameko's default of 60 s would take minutes).
    # And a cut-off node does not refuse connections, it is silent: kombu gives a publisher's
    # whole failover round only `connect_timeout` (5 s), which the first, silent node uses up,
    # so nameko's RPC responder would fail the worker (and the container) instead of moving on,
    # unless the round has time of its own. nameko's responder ignores the TRANSPORT_OPTIONS
    # config, hence its class default here (the kit must do the same for the platform).
    monkeypatch.setitem(Publisher.transport_options, "connect_retries_timeout", 30)
    service_config = {"AMQP_URI": uri_starting_at(cluster, vhost.vhost, cut), "HEARTBEAT": 10,
                      "max_workers": 4}
    caller_config = {"AMQP_URI": uri_starting_at(cluster, vhost.vhost, 1)}
    container = ServiceContainer(Echo, service_config)
    container.start()
    try:
        assert echo_answers(caller_config, "before", timeout=10)
        cut_at = time.monotonic()
        cluster.partition(cut)
        FIGURES["partition -> others count the node as down"] = time.monotonic() - cut_at
        wait_for(lambda: echo_answers(caller_config, "during"), timeout=120, interval=0.5)
        FIGURES["partition -> nameko service (heartbeat 10 s) on the cut node answers "
                "through another node"] = time.monotonic() - cut_at
    finally:
        kill_within(container)
    with pytest.raises(OSError):  # clients cannot reach it
        socket.create_connection((cluster.address(cut), 5672), timeout=2).close()

    majority = uri_starting_at(cluster, vhost.vhost, 1)
    with Connection(majority, transport_options={"confirm_publish": True}) as conn:
        producer = conn.Producer(serializer="json")
        for n in range(50):  # confirmed by the two connected members: a majority
            for _ in range(5):  # a nack (the leader moving) means: send it again
                try:
                    producer.publish({"n": n}, routing_key=QUEUE, delivery_mode=2,
                                     confirm_timeout=CONFIRM_SECONDS)
                    break
                except OperationalError as exc:
                    if not isinstance(exc.__cause__, MessageNacked):
                        raise
            else:
                pytest.fail(f"message {n} refused five times by the majority")

    healed_at = time.monotonic()
    cluster.heal(cut)
    FIGURES["heal -> cluster whole again"] = time.monotonic() - healed_at
    every_node = {cluster.node_name(i) for i in cluster.nodes}
    wait_for(lambda: quorum_state(vhost)["online"] == every_node, timeout=60, interval=0.2)

    # the cut-off node serves the messages written while it was away
    only_cut = cluster.node_uris(vhost.vhost)[cut - 1]
    received = []
    with Connection(only_cut) as conn:
        queue = work_queue()(conn.default_channel)
        while (message := queue.get(no_ack=True)) is not None:
            received.append(message.payload["n"])
    assert sorted(received) == list(range(50))
