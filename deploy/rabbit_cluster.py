"""A real three-node RabbitMQ cluster on one machine, each node in its own network namespace.

Why namespaces: a province runs RabbitMQ as a cluster, and what the platform must survive is a
node dying (SIGKILL of its Erlang VM) and a node cut off from the others (a partition). Three
nodes on loopback could be killed, but not cut off; a node in its own network namespace, joined
to the others over a veth pair and a bridge, is cut off by bringing its link down — the same
thing a broken switch port does, with the same timing (Erlang's tick, TCP retransmits).

Layout (``prefix`` "tbrmq", ``subnet`` "10.77.0"):

    root namespace: bridge tbrmqbr 10.77.0.1/24 (clients, tests, services connect from here)
      ├── veth tbrmqh1 ─ tbrmqn1 in namespace tbrmq1: rabbit@10.77.0.11 (+ its own epmd)
      ├── veth tbrmqh2 ─ tbrmqn2 in namespace tbrmq2: rabbit@10.77.0.12
      └── veth tbrmqh3 ─ tbrmqn3 in namespace tbrmq3: rabbit@10.77.0.13

Each node listens on its own address with the standard ports (AMQP 5672, management 15672,
distribution 25672, epmd 4369): the namespaces keep them apart. Nodes use long names with their
address (``RABBITMQ_USE_LONGNAME``), so no host name has to resolve. The cluster's settings and
its user's password live in ``<base_dir>/cluster.json``: a second process (the CLI, a test, the
fault injector) opens the same cluster with ``RabbitCluster.open(base_dir)``.

Only this cluster's namespaces, links and folders are ever touched: they all carry ``prefix``.
Needs root (``ip netns``), as on this machine kind.

    python deploy/rabbit_cluster.py start|stop|status|kill N|start-node N|partition N|heal N|restore
    python deploy/rabbit_cluster.py uri|env      # the failover URL; shell exports for it
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")
FILE_DESCRIPTORS = 20000
"""Every quorum queue and connection holds descriptors; the default 1,024 runs out
(deploy/ensure-infra.sh)."""
BOOT_TIMEOUT = 120.0
HEAL_TIMEOUT = 120.0


class ClusterError(RuntimeError):
    pass


def _run(*args: str, check: bool = True, timeout: float = 60,
         env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a command, bounded: on ``timeout`` its whole process group is killed and
    ``ClusterError`` raised. (``subprocess.run``'s own timeout kills only the child, then waits
    for its pipes to close — forever, when the Erlang VM a RabbitMQ CLI started, or the epmd it
    launched, still holds them.)"""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        raise ClusterError(f"命令超时 / {' '.join(args[:8])} did not finish within "
                           f"{timeout:.0f}s") from None
    result = subprocess.CompletedProcess(args, proc.returncode, out, err)
    if check:
        result.check_returncode()
    return result


def _pids_in(namespace: str) -> list[int]:
    out = _run("ip", "netns", "pids", namespace, check=False).stdout
    return [int(p) for p in out.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (our own child not yet reaped) is dead for our purpose
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _wait(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise ClusterError(f"集群等待超时 / timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


class RabbitCluster:
    """``size`` RabbitMQ nodes clustered with ``pause_minority``, one per network namespace.

    ``with RabbitCluster(tmp_path) as cluster: Connection(cluster.amqp_uri("/"))``
    """

    def __init__(self, base_dir: Path, size: int = 3, prefix: str = "tbrmq",
                 subnet: str = "10.77.0", user: str = "timebank", password: str | None = None,
                 net_ticktime: int = 10):
        if not re.fullmatch(r"[a-z][a-z0-9]{1,8}", prefix):
            raise ValueError("prefix: 2-9 lowercase letters/digits (interface names ≤ 15 chars)")
        if not 1 <= size <= 9:
            raise ValueError("size: 1..9 nodes")
        self.base_dir = Path(base_dir).resolve()
        self.size = size
        self.prefix = prefix
        self.subnet = subnet
        self.user = user
        self.password = password or secrets.token_hex(12)
        self.net_ticktime = net_ticktime
        """Seconds until a silent peer counts as down (Erlang's default is 60): a partition is
        noticed, and the minority paused, within about this long."""
        self._processes: dict[int, subprocess.Popen] = {}

    # -- settings kept with the cluster ------------------------------------
    @classmethod
    def open(cls, base_dir: Path) -> RabbitCluster:
        """The cluster a ``start()`` (perhaps in another process) made in ``base_dir``."""
        settings = json.loads((Path(base_dir) / "cluster.json").read_text())
        return cls(base_dir, **settings)

    def _save(self) -> None:
        settings = {"size": self.size, "prefix": self.prefix, "subnet": self.subnet,
                    "user": self.user, "password": self.password,
                    "net_ticktime": self.net_ticktime}
        path = self.base_dir / "cluster.json"
        path.write_text(json.dumps(settings, indent=2))
        path.chmod(0o600)

    # -- names and addresses -----------------------------------------------
    @property
    def nodes(self) -> range:
        return range(1, self.size + 1)

    def namespace(self, i: int) -> str:
        return f"{self.prefix}{i}"

    def address(self, i: int) -> str:
        return f"{self.subnet}.{10 + i}"

    def node_name(self, i: int) -> str:
        return f"rabbit@{self.address(i)}"

    @property
    def bridge(self) -> str:
        return f"{self.prefix}br"

    def _host_link(self, i: int) -> str:
        return f"{self.prefix}h{i}"

    def _node_link(self, i: int) -> str:
        return f"{self.prefix}n{i}"

    def _node_dir(self, i: int) -> Path:
        return self.base_dir / f"node{i}"

    def node_uris(self, vhost: str = "/") -> list[str]:
        path = "%2F" if vhost == "/" else vhost
        return [f"amqp://{self.user}:{self.password}@{self.address(i)}:5672/{path}"
                for i in self.nodes]

    def amqp_uri(self, vhost: str = "/") -> str:
        """kombu's failover form: every node's URL joined by ``;`` (kombu, nameko and the kit
        try the next one when a connection fails)."""
        return ";".join(self.node_uris(vhost))

    def management_url(self, i: int) -> str:
        return f"http://{self.address(i)}:15672"

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)

    def env(self, vhost: str = "/") -> dict[str, str]:
        """What a platform process (``AMQP_URI``) and a test session (``timebank_testing.infra``)
        need to use this cluster instead of the machine's broker."""
        return {
            "AMQP_URI": self.amqp_uri(vhost),
            "TIMEBANK_RABBIT_USER": self.user,
            "TIMEBANK_RABBIT_PASSWORD": self.password,
            "TIMEBANK_RABBIT_API": ";".join(self.management_url(i) for i in self.nodes),
            "TIMEBANK_RABBIT_AMQP": ";".join(u.rsplit("/", 1)[0] for u in self.node_uris()),
        }

    # -- whole cluster -----------------------------------------------------
    def start(self) -> RabbitCluster:
        """Clean leftovers with this prefix, make the network, boot node 1, then the others one
        after the other (each joins node 1 as it boots), and wait until all are running members.
        Bounded: a node that does not boot within ``BOOT_TIMEOUT`` raises ``ClusterError``
        naming its log folder."""
        self.cleanup()
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self._save()
        self._write_files()
        self._make_network()
        self._launch(1)
        self._await_boot(1)
        # one at a time: two nodes joining node 1 at once (RabbitMQ 3.10, peer discovery) once
        # left one of them never joining, its log saying its feature-flags file was not written
        for i in list(self.nodes)[1:]:
            self._launch(i)
            self._await_boot(i)
        self.wait_healthy()
        return self

    def stop(self) -> None:
        """Stop every node and remove namespaces, links and the cluster's folder."""
        self.cleanup()
        shutil.rmtree(self.base_dir, ignore_errors=True)

    def cleanup(self) -> None:
        """Remove whatever carries this prefix: processes in its namespaces (nodes, epmd),
        the namespaces, the host links and the bridge; and the nodes' folders."""
        namespaces = [n for n in _run("ip", "netns", "list", check=False).stdout.split()
                      if re.fullmatch(rf"{self.prefix}\d", n)]
        for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            pids = [p for ns in namespaces for p in _pids_in(ns)]
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            self._reap()
            deadline = time.monotonic() + grace
            while any(_alive(p) for p in pids) and time.monotonic() < deadline:
                self._reap()
                time.sleep(0.1)
        for ns in namespaces:
            _run("ip", "netns", "del", ns, check=False)
        links = _run("ip", "-o", "link", "show", check=False).stdout
        for name in re.findall(rf"^\d+: ({self.prefix}(?:h\d|br))[@:]", links, re.M):
            _run("ip", "link", "del", name, check=False)
        for i in range(1, 10):
            shutil.rmtree(self._node_dir(i), ignore_errors=True)
        self._processes.clear()

    def _reap(self) -> None:
        for proc in self._processes.values():
            proc.poll()

    def __enter__(self) -> RabbitCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- files and network -------------------------------------------------
    def _write_files(self) -> None:
        home = self.base_dir / "home"
        home.mkdir(exist_ok=True)
        cookie = home / ".erlang.cookie"
        if not cookie.exists():
            cookie.write_text(secrets.token_hex(20).upper())
        cookie.chmod(0o400)
        (self.base_dir / "enabled_plugins").write_text("[rabbitmq_management].\n")
        for i in self.nodes:
            (self._node_dir(i) / "log").mkdir(parents=True, exist_ok=True)
        common = f"""\
# written by deploy/rabbit_cluster.py
listeners.tcp.default = 5672
management.tcp.port = 15672
loopback_users = none
default_user = {self.user}
default_pass = {self.password}
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
# a node that sees fewer than half of the nodes stops serving until it sees them again:
# no two halves accepting writes that cannot be merged
cluster_partition_handling = pause_minority
# three nodes (and the machine's own broker) share one machine's memory
vm_memory_high_watermark.relative = 0.15
disk_free_limit.absolute = 100MB
collect_statistics_interval = 1000
log.console = false
log.file.level = info
"""
        # nodes after the first join it when they first boot (peer discovery from this list,
        # the same as `rabbitmqctl join_cluster` without the stop_app/reset/start_app round);
        # a node booted again later finds its cluster in its own data folder
        joining = f"""\
cluster_formation.peer_discovery_backend = classic_config
cluster_formation.classic_config.nodes.1 = {self.node_name(1)}
"""
        for i in self.nodes:
            (self._node_dir(i) / "rabbitmq.conf").write_text(common + (joining if i > 1 else ""))
        # quorum queues declared without a group size get one member on every node (3)
        (self.base_dir / "advanced.config").write_text(
            f"[{{rabbit, [{{quorum_cluster_size, {self.size}}}]}}].\n")

    def _make_network(self) -> None:
        br = self.bridge
        _run("ip", "link", "add", br, "type", "bridge")
        _run("ip", "addr", "add", f"{self.subnet}.1/24", "dev", br)
        _run("ip", "link", "set", br, "up")
        for i in self.nodes:
            ns, host, node = self.namespace(i), self._host_link(i), self._node_link(i)
            _run("ip", "netns", "add", ns)
            _run("ip", "link", "add", host, "type", "veth", "peer", "name", node)
            _run("ip", "link", "set", node, "netns", ns)
            _run("ip", "link", "set", host, "master", br, "up")
            _run("ip", "netns", "exec", ns, "ip", "addr", "add", f"{self.address(i)}/24",
                 "dev", node)
            _run("ip", "netns", "exec", ns, "ip", "link", "set", node, "up")
            _run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")

    # -- one node ----------------------------------------------------------
    def _env(self, i: int) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))}
        d = self._node_dir(i)
        env.update({
            "HOME": str(self.base_dir / "home"),  # the shared Erlang cookie, for nodes and CLI
            "RABBITMQ_NODENAME": self.node_name(i),
            "RABBITMQ_USE_LONGNAME": "true",
            "RABBITMQ_CONF_ENV_FILE": "/dev/null",  # not the machine broker's env file
            "RABBITMQ_CONFIG_FILE": str(d / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.base_dir / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base_dir / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(d / "mnesia"),
            "RABBITMQ_LOG_BASE": str(d / "log"),
            "RABBITMQ_PID_FILE": str(d / "rabbit.pid"),
            # three VMs on two cores: schedulers that busy-wait steal CPU from the other nodes
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS":
                f"+sbwt none +sbwtdcpu none +sbwtdio none -kernel net_ticktime {self.net_ticktime}",
        })
        return env

    def _launch(self, i: int) -> None:
        (self._node_dir(i) / "rabbit.pid").unlink(missing_ok=True)
        log = open(self._node_dir(i) / "log" / "stdout.log", "ab")
        self._processes[i] = subprocess.Popen(
            ["ip", "netns", "exec", self.namespace(i), "sh", "-c",
             f'ulimit -n {FILE_DESCRIPTORS} && exec "$0"', str(RABBIT_BIN / "rabbitmq-server")],
            env=self._env(i), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)  # outlives the CLI that started it; no terminal signals
        log.close()

    def ctl(self, i: int, *args: str, timeout: float = 60, check: bool = True,
            tool: str = "rabbitmqctl") -> str:
        """Run a RabbitMQ CLI command against node ``i``, from inside its namespace."""
        proc = _run("ip", "netns", "exec", self.namespace(i), str(RABBIT_BIN / tool),
                    "-n", self.node_name(i), *args, check=False, env=self._env(i),
                    timeout=timeout + 15)
        if check and proc.returncode != 0:
            raise ClusterError(f"{tool} {' '.join(args)} on node {i}: "
                               f"{proc.stdout.strip()} {proc.stderr.strip()}")
        return proc.stdout

    def _await_boot(self, i: int, timeout: float = BOOT_TIMEOUT) -> None:
        """Wait for the node's pid file, then for its broker application to have started."""
        pid_file = self._node_dir(i) / "rabbit.pid"
        proc = self._processes.get(i)

        def written():
            if proc is not None and proc.poll() is not None:
                raise ClusterError(f"节点 {i} 启动失败 / node {i} exited with {proc.returncode}; "
                                   f"see {self._node_dir(i) / 'log'}")
            return pid_file.exists() and pid_file.read_text().strip()

        _wait(written, timeout, f"node {i}'s pid file")
        self.ctl(i, "-q", "wait", "--timeout", str(int(timeout)), str(pid_file), timeout=timeout)

    def pid(self, i: int) -> int | None:
        """The OS pid of node ``i``'s Erlang VM, from its pid file."""
        try:
            return int((self._node_dir(i) / "rabbit.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def kill_node(self, i: int) -> None:
        """SIGKILL node ``i``'s Erlang VM: a crash, no goodbye to peers or clients (the kernel
        resets its connections)."""
        pid = self.pid(i)
        if pid is None or not _alive(pid):
            raise ClusterError(f"节点 {i} 未运行 / node {i} is not running")
        os.kill(pid, signal.SIGKILL)
        _wait(lambda: not _alive(pid), 10, f"node {i}'s VM to die", interval=0.02)
        self._reap()

    def start_node(self, i: int, timeout: float = BOOT_TIMEOUT) -> None:
        """Boot node ``i`` again from its data folder and wait until it is a running member."""
        pid = self.pid(i)
        if pid is not None and _alive(pid):
            raise ClusterError(f"节点 {i} 已在运行 / node {i} is already running")
        self._launch(i)
        self._await_boot(i, timeout)
        self.wait_healthy(timeout)

    def partition(self, i: int, wait: bool = True) -> None:
        """Cut node ``i`` off from the other nodes and from every client: its link to the
        bridge goes down. Under pause_minority the node pauses itself (closes its listeners);
        ``wait`` returns once the other nodes count it as down (about ``net_ticktime``)."""
        _run("ip", "link", "set", self._host_link(i), "down")
        if wait:
            others = [j for j in self.nodes if j != i]

            def counted_down():
                seen = [self._running_seen_by(j) for j in others]
                return all(s is not None and self.node_name(i) not in s for s in seen)

            _wait(counted_down,
                  self.net_ticktime * 3 + 30, f"nodes {others} to count node {i} as down")

    def heal(self, i: int, timeout: float = HEAL_TIMEOUT) -> None:
        """Bring node ``i``'s link back up and wait until the cluster is whole again (the
        paused node sees the majority and restarts its broker by itself)."""
        _run("ip", "link", "set", self._host_link(i), "up")
        self.wait_healthy(timeout)

    def restore(self, timeout: float = BOOT_TIMEOUT) -> None:
        """Whatever a fault left: every link up, every node whose VM is not running booted
        again; returns once the cluster is whole (a test's or a chaos run's clean start)."""
        for i in self.nodes:
            _run("ip", "link", "set", self._host_link(i), "up")
        for i in self.nodes:
            pid = self.pid(i)
            if pid is None or not _alive(pid):
                self._launch(i)
                self._await_boot(i, timeout)
        self.wait_healthy(timeout)

    # -- health ------------------------------------------------------------
    def _nodes_api(self, j: int) -> list[dict] | None:
        try:
            r = requests.get(f"{self.management_url(j)}/api/nodes", auth=self.auth, timeout=3)
            return r.json() if r.status_code == 200 else None
        except (requests.RequestException, ValueError):
            return None

    def _running_seen_by(self, j: int) -> set[str] | None:
        """The nodes node ``j`` counts as running; None if it does not answer."""
        nodes = self._nodes_api(j)
        return None if nodes is None else {n["name"] for n in nodes if n.get("running")}

    def status(self) -> dict:
        """``{node name: {"running": bool, "partitions": [...]}}`` as the first node that answers
        sees it (an empty dict if none does)."""
        for j in self.nodes:
            nodes = self._nodes_api(j)
            if nodes is not None:
                return {n["name"]: {"running": bool(n.get("running")),
                                    "partitions": n.get("partitions", [])} for n in nodes}
        return {}

    def healthy(self) -> bool:
        """Every node answers, and every node sees all nodes running and no partition."""
        names = {self.node_name(i) for i in self.nodes}
        for j in self.nodes:
            nodes = self._nodes_api(j)
            if nodes is None:
                return False
            running = {n["name"] for n in nodes if n.get("running")}
            if running != names or any(n.get("partitions") for n in nodes):
                return False
        return True

    def wait_healthy(self, timeout: float = HEAL_TIMEOUT) -> None:
        _wait(self.healthy, timeout, "every node to run as one cluster", interval=0.25)


# -- command line ------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-dir", type=Path, default=ROOT / "var" / "rabbit-cluster")
    parser.add_argument("--prefix", default="tbrmq")
    parser.add_argument("--subnet", default="10.77.0")
    parser.add_argument("--size", type=int, default=3)
    parser.add_argument("command", choices=["start", "stop", "status", "kill", "start-node",
                                            "partition", "heal", "restore", "uri", "env"])
    parser.add_argument("node", nargs="?", type=int)
    args = parser.parse_args(argv)
    if args.command == "start":
        began = time.monotonic()
        cluster = RabbitCluster(args.base_dir, size=args.size, prefix=args.prefix,
                                subnet=args.subnet).start()
        print(f"cluster of {cluster.size} running in {time.monotonic() - began:.1f}s")
        print(f"AMQP_URI={cluster.amqp_uri()}")
        for i in cluster.nodes:
            print(f"management {i}: {cluster.management_url(i)}")
        return 0
    if not (args.base_dir / "cluster.json").exists():
        if args.command == "stop":  # still clean what a crashed run may have left
            RabbitCluster(args.base_dir, size=args.size, prefix=args.prefix).stop()
            return 0
        print(f"no cluster in {args.base_dir} / 此目录没有集群", file=sys.stderr)
        return 1
    cluster = RabbitCluster.open(args.base_dir)
    if args.command in ("kill", "start-node", "partition", "heal") and args.node is None:
        parser.error(f"{args.command} needs a node number")
    began = time.monotonic()
    if args.command == "stop":
        cluster.stop()
    elif args.command == "status":
        print(json.dumps(cluster.status(), indent=2))
        return 0 if cluster.healthy() else 1
    elif args.command == "uri":
        print(cluster.amqp_uri())
        return 0
    elif args.command == "env":
        for name, value in cluster.env().items():
            print(f"export {name}='{value}'")
        return 0
    elif args.command == "kill":
        cluster.kill_node(args.node)
    elif args.command == "start-node":
        cluster.start_node(args.node)
    elif args.command == "partition":
        cluster.partition(args.node)
    elif args.command == "heal":
        cluster.heal(args.node)
    elif args.command == "restore":
        cluster.restore()
    print(f"{args.command} {args.node or ''} done in {time.monotonic() - began:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
