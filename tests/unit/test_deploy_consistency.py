"""docker-compose.yml, the local runner and the service configs describe one topology."""
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

import databases  # noqa: E402

from local_platform import ALL, DEFAULT_PORTS, SERVICES  # noqa: E402
from timebank_common import config  # noqa: E402


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_every_process_of_the_local_runner_with_the_same_command():
    services = compose()["services"]
    for name in ALL:
        assert name in services, f"{name} missing from docker-compose.yml"
        assert services[name]["command"] == ["timebank_common.runner", name]
    assert {"postgres", "rabbitmq", "setup"} <= set(services)


def test_compose_ports_and_env_match_the_service_configs(monkeypatch):
    env = compose()["services"]["gateway"]["environment"]
    for name in ALL:
        monkeypatch.setenv(f"{name.upper()}_HTTP", env[f"{name.upper()}_HTTP"])
        cfg = config.load(ROOT / "deploy" / "config" / f"{name}.yaml")
        assert cfg["WEB_SERVER_ADDRESS"].endswith(f":{DEFAULT_PORTS[name]}")
    for key in ("AMQP_URI", "JWT_PUBLIC_KEY_FILE", "PUBLIC_BASE_URL"):
        assert key in env


# the secrets each process reads (its database URL aside), and nobody else's
OWN_SECRETS = {
    "identity": {"JWT_PRIVATE_KEY_FILE", "PII_KEYS_FILE"},
    "ledger": {"CERTIFICATE_PRIVATE_KEY_FILE", "CERTIFICATE_PUBLIC_KEY_FILE"},
    "reporting": {"REPORT_PRIVATE_KEY_FILE", "REPORT_PUBLIC_KEY_FILE"},
    "gateway": {"JWT_PUBLIC_KEY_FILE"},
}
SECRET_SETTINGS = set().union(*OWN_SECRETS.values()) | {
    f"{name.upper()}_DATABASE_URL" for name in SERVICES}


def test_each_container_receives_only_its_own_secrets():
    """Issue 18, item 5: a container holds its own database URL and key files and nobody
    else's; its keys are on a volume of its own, mounted read-only at /keys; only `setup`,
    which makes every key, mounts every key volume."""
    services = compose()["services"]
    key_volumes = {f"{name}-keys" for name in OWN_SECRETS}
    for name in ALL:
        env = services[name]["environment"]
        own = OWN_SECRETS.get(name, set()) | (
            {f"{name.upper()}_DATABASE_URL"} if name in SERVICES else set())
        assert SECRET_SETTINGS & set(env) == own, name
        for setting in OWN_SECRETS.get(name, ()):
            assert env[setting].startswith("/keys/"), (name, setting)
        mounts = [volume.split(":") for volume in services[name].get("volumes", [])]
        keys = [m for m in mounts if m[0].endswith("-keys")]
        assert keys == ([[f"{name}-keys", "/keys", "ro"]] if name in OWN_SECRETS else []), name
    setup = services["setup"]
    assert {v.split(":")[0] for v in setup["volumes"]} == key_volumes
    # setup makes each key where its one reader finds it: /keys/<reader>/<file>
    for name, settings in OWN_SECRETS.items():
        for setting in settings:
            file = services[name]["environment"][setting].removeprefix("/keys/")
            assert setup["environment"][setting] == f"/keys/{name}/{file}", setting


def test_local_configs_default_to_the_runner_ports(monkeypatch):
    for name in ALL:
        monkeypatch.delenv(f"{name.upper()}_HTTP", raising=False)
        cfg = config.load(ROOT / "deploy" / "config" / f"{name}.yaml")
        assert cfg["WEB_SERVER_ADDRESS"] == f"127.0.0.1:{DEFAULT_PORTS[name]}"
        assert cfg["AMQP_URI"].startswith("amqp://")


def test_services_connect_as_their_app_role_and_migrate_as_the_owner(monkeypatch):
    """No process connects as the superuser: each service's config defaults to its app role
    (and names the owner role for migrations only), as deploy/databases.py provisions them;
    in docker-compose only `setup` knows the superuser."""
    assert databases.SERVICES == SERVICES
    services = compose()["services"]
    local = databases.ServiceDatabases()
    for name in SERVICES:
        for key in (f"{name.upper()}_DATABASE_URL", f"{name.upper()}_MIGRATION_DATABASE_URL"):
            monkeypatch.delenv(key, raising=False)
        cfg = config.load(ROOT / "deploy" / "config" / f"{name}.yaml")
        assert cfg["DATABASE_URL"] == local.app_url(name)
        assert cfg["MIGRATION_DATABASE_URL"] == local.owner_url(name)
        env = services[name]["environment"]
        assert f"timebank_{name}_app:" in env[f"{name.upper()}_DATABASE_URL"]
        assert env[f"{name.upper()}_DATABASE_URL"].endswith(f"@postgres:5432/timebank_{name}")
    for name, spec in services.items():
        text = yaml.safe_dump(spec.get("environment") or {})
        if name not in ("setup", "postgres"):
            assert "postgres:timebank@" not in text and "TIMEBANK_PG" not in text, name
    assert "TIMEBANK_PG" in services["setup"]["environment"]


def test_compose_loads_no_demo_data_unless_asked_and_uses_no_guest_broker_login():
    """Issue 18, item 6: `setup` loads the demo data (published passwords) only with
    TIMEBANK_DEMO=true, and no container talks to RabbitMQ as guest/guest (RabbitMQ's own
    user comes from RABBITMQ_DEFAULT_USER/PASS, the one AMQP_URI every process is given)."""
    doc = compose()
    services = doc["services"]
    assert services["setup"]["environment"]["TIMEBANK_DEMO"] == "${TIMEBANK_DEMO:-false}"
    assert services["setup"]["entrypoint"] == ["python", "deploy/setup_once.py"]
    assert "--demo" not in services["setup"].get("command", [])
    rabbit = services["rabbitmq"]["environment"]
    user, password = rabbit["RABBITMQ_DEFAULT_USER"], rabbit["RABBITMQ_DEFAULT_PASS"]
    assert "guest" not in (user, password)
    uri = doc["x-service"]["environment"]["AMQP_URI"]
    assert uri == f"amqp://{user}:{password}@rabbitmq:5672/"
    for name, service in services.items():
        env = service.get("environment") or {}
        assert "guest" not in yaml.safe_dump(env), name
        if "AMQP_URI" in env:
            assert env["AMQP_URI"] == uri, name


def test_setup_once_loads_the_demo_only_when_asked():
    import setup_once

    assert not setup_once.wants_demo([], {})
    assert not setup_once.wants_demo([], {"TIMEBANK_DEMO": "false"})
    assert not setup_once.wants_demo([], {"TIMEBANK_DEMO": ""})
    assert setup_once.wants_demo([], {"TIMEBANK_DEMO": "true"})
    assert setup_once.wants_demo([], {"TIMEBANK_DEMO": "TRUE"})
    assert setup_once.wants_demo(["--demo"], {})
    assert "identity.commands.bootstrap_admin" in setup_once.BOOTSTRAP_HINT


def test_the_local_runner_asks_for_the_demo_and_prepare_does_not_load_it_by_default():
    import inspect

    from local_platform import LocalPlatform

    assert inspect.signature(LocalPlatform.prepare).parameters["demo"].default is False
    assert "platform.prepare(demo=True)" in (ROOT / "deploy" / "run_local.py").read_text()
