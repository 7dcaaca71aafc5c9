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
    for key in ("AMQP_URI", "JWT_PUBLIC_KEY_FILE", "JWT_PRIVATE_KEY_FILE",
                "CERTIFICATE_PRIVATE_KEY_FILE", "CERTIFICATE_PUBLIC_KEY_FILE", "PUBLIC_BASE_URL"):
        assert key in env


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
    env = services["gateway"]["environment"]
    local = databases.ServiceDatabases()
    for name in SERVICES:
        for key in (f"{name.upper()}_DATABASE_URL", f"{name.upper()}_MIGRATION_DATABASE_URL"):
            monkeypatch.delenv(key, raising=False)
        cfg = config.load(ROOT / "deploy" / "config" / f"{name}.yaml")
        assert cfg["DATABASE_URL"] == local.app_url(name)
        assert cfg["MIGRATION_DATABASE_URL"] == local.owner_url(name)
        assert f"timebank_{name}_app:" in env[f"{name.upper()}_DATABASE_URL"]
        assert env[f"{name.upper()}_DATABASE_URL"].endswith(f"@postgres:5432/timebank_{name}")
    for name, spec in services.items():
        text = yaml.safe_dump(spec.get("environment") or {})
        if name not in ("setup", "postgres"):
            assert "postgres:timebank@" not in text and "TIMEBANK_PG" not in text, name
    assert "TIMEBANK_PG" in services["setup"]["environment"]
