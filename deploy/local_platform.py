"""Start, watch and stop the whole platform as local processes.

Used by ``deploy/run_local.py`` (the README's first command) and by the
end-to-end and chaos tests, so both run the platform the same way: one process
per service and one for the gateway, each ``python -m timebank_common.runner <name>``.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from databases import ServiceDatabases

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("identity", "ledger", "demand", "matching", "notify", "reporting")
ALL = SERVICES + ("gateway",)
DEFAULT_PORTS = {"gateway": 8000, "identity": 8101, "demand": 8102, "matching": 8103,
                 "ledger": 8104, "notify": 8105, "reporting": 8106}


class PlatformError(RuntimeError):
    pass


class LocalPlatform:
    """The processes of one platform instance.

    ``env`` is added to each process's environment (AMQP_URI, ports...); ``ports`` maps a
    process name to its HTTP port; ``databases`` (``deploy/databases.py``), when given, is
    provisioned by ``prepare`` and its URLs (``<S>_DATABASE_URL``, app role;
    ``<S>_MIGRATION_DATABASE_URL``, owner role) go to every process, under ``env``. Without
    it the configs' defaults apply: the ``timebank_*`` databases, provisioned beforehand.
    """

    def __init__(self, env: dict | None = None, ports: dict | None = None,
                 log_dir: Path | None = None, python: str | None = None,
                 databases: ServiceDatabases | None = None):
        self.ports = dict(DEFAULT_PORTS, **(ports or {}))
        self.log_dir = Path(log_dir or ROOT / "var" / "log")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.python = python or sys.executable
        stale = {"DB_PREFIX", "PG_URL"} & set(env or {})
        if stale:  # they named databases once; ignored now, a platform would share timebank_*
            raise PlatformError(f"{', '.join(sorted(stale))} no longer name the databases: pass "
                                f"databases=ServiceDatabases(prefix=...) (deploy/databases.py)")
        self.databases = databases
        self.base_env = dict(os.environ)
        self.base_env.update(databases.env() if databases is not None else {})
        self.base_env.update(env or {})
        for name, port in self.ports.items():
            self.base_env[f"{name.upper()}_HTTP"] = f"127.0.0.1:{port}"
        self.base_env.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{self.ports['gateway']}")
        self.processes: dict[str, subprocess.Popen] = {}

    # -- one process -------------------------------------------------------
    def start(self, name: str, extra_env: dict | None = None,
              key: str | None = None) -> subprocess.Popen:
        """Start one process of ``name``; ``key`` names a second process of the same service
        (give it its own ``<NAME>_HTTP`` in ``extra_env``)."""
        key = key or name
        env = dict(self.base_env, **(extra_env or {}))
        log = open(self.log_dir / f"{key}.log", "ab")
        proc = subprocess.Popen(
            [self.python, "-m", "timebank_common.runner", name],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal goes to us, and we stop them in order
        )
        self.processes[key] = proc
        return proc

    def kill(self, name: str) -> None:
        """Like a crash: SIGKILL, no cleanup."""
        proc = self.processes.pop(name)
        proc.kill()
        proc.wait(10)

    def stop(self, name: str, timeout: float = 15) -> None:
        proc = self.processes.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def restart(self, name: str, extra_env: dict | None = None) -> None:
        self.stop(name)
        self.start(name, extra_env)
        self.wait_healthy([name])

    def url(self, name: str, path: str = "") -> str:
        return f"http://127.0.0.1:{self.ports[name]}{path}"

    def healthy(self, name: str) -> bool:
        try:
            with urllib.request.urlopen(self.url(name, "/health"), timeout=2) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def wait_healthy(self, names=ALL, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        pending = list(names)
        while pending and time.monotonic() < deadline:
            for name in list(pending):
                proc = self.processes.get(name)
                if proc is not None and proc.poll() is not None:
                    raise PlatformError(f"{name} exited with {proc.returncode}; see {self.log_dir / (name + '.log')}")
                if self.healthy(name):
                    pending.remove(name)
            time.sleep(0.2)
        if pending:
            raise PlatformError(f"not healthy after {timeout}s: {', '.join(pending)} (logs in {self.log_dir})")

    # -- everything --------------------------------------------------------
    def run_module(self, *args: str) -> None:
        subprocess.run([self.python, "-m", *args], cwd=ROOT, env=self.base_env, check=True)

    def prepare(self, demo: bool = False) -> None:
        """Databases provisioned (if this platform was given them: as the superuser, once) and
        migrated (as their owner roles), the broker's queues in shape (an old-shaped empty queue
        replaced: ``timebank_common.queues``), keys made, and the demo data (published logins)
        loaded only when asked (``demo=True``: the local runner and the tests ask; compose's
        `setup` only with ``TIMEBANK_DEMO=true``). The service processes started afterwards
        only check that their database is at head."""
        self.ensure_keys()
        if self.databases is not None:
            self.databases.provision()
        self.run_module("timebank_common.migrations", *SERVICES)
        self.run_module("timebank_common.queues", "upgrade", *SERVICES)
        if demo:
            self.run_module("identity.commands.demo")

    def ensure_keys(self) -> None:
        """The key files the services read (made once, kept: a new certificate key would not
        verify certificates already issued)."""
        from timebank_common.pii import ensure_key_file  # noqa: PLC0415
        from timebank_common.tokens import ensure_keypair  # noqa: PLC0415

        def path(setting: str, default: str) -> str:
            return self.base_env.get(setting, str(ROOT / "var/keys" / default))

        ensure_keypair(path("JWT_PRIVATE_KEY_FILE", "jwt-private.pem"),
                       path("JWT_PUBLIC_KEY_FILE", "jwt-public.pem"))
        ensure_key_file(path("PII_KEYS_FILE", "pii-keys.json"))
        ensure_keypair(path("CERTIFICATE_PRIVATE_KEY_FILE", "certificate-private.pem"),
                       path("CERTIFICATE_PUBLIC_KEY_FILE", "certificate-public.pem"))
        ensure_keypair(path("REPORT_PRIVATE_KEY_FILE", "report-private.pem"),
                       path("REPORT_PUBLIC_KEY_FILE", "report-public.pem"))

    def start_all(self, timeout: float = 90) -> None:
        for name in ALL:
            self.start(name)
        self.wait_healthy(ALL, timeout)

    def stop_all(self) -> None:
        for name in reversed(list(self.processes)):
            proc = self.processes[name]
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in list(self.processes.values()):
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self.processes.clear()
