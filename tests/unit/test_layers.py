"""The layers hold at run time, not only in the import graph: importing a service's domain,
its contracts or the kit's pure core in a fresh interpreter loads no framework, database,
token or HTTP library (import-linter checks the graph in the test command; this checks
what Python actually loads, dynamic imports included)."""
import json
import subprocess
import sys

import pytest

SERVICES = ("identity", "demand", "matching", "ledger", "notify")
CORE = ("caller", "clock", "contracts", "errors", "periods", "policies", "regions", "schemas")
FORBIDDEN = {"nameko", "eventlet", "kombu", "amqp", "sqlalchemy", "psycopg", "alembic", "jwt",
             "cryptography", "requests", "werkzeug", "prometheus_client", "pytest"}

PROBE = """
import importlib, json, pkgutil, sys
for name in sys.argv[1:]:
    try:
        package = importlib.import_module(name)
    except ModuleNotFoundError:
        if name.endswith(".contracts"):
            continue  # a service without contracts yet
        raise
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), name + "."):
        importlib.import_module(info.name)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def loaded_by(*modules: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, *modules], capture_output=True,
                         text=True, check=True)
    return set(json.loads(out.stdout))


def test_the_kits_core_loads_no_framework():
    assert loaded_by(*(f"timebank_common.{m}" for m in CORE)) & FORBIDDEN == set()


@pytest.mark.parametrize("service", SERVICES)
def test_a_services_domain_and_contracts_load_no_framework(service):
    assert loaded_by(f"{service}.domain", f"{service}.contracts") & FORBIDDEN == set()
