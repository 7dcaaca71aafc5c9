"""The layers hold at run time, not only in the import graph: importing a service's domain,
its contracts or the kit's pure core in a fresh interpreter loads no framework, database,
token or HTTP library (import-linter checks the graph in the test command; this checks
what Python actually loads, dynamic imports included); and the gateway and the services,
tests included, import each other only through contracts."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "demand", "matching", "ledger", "notify", "reporting")
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


# --- what the gateway and each service import of the others ------------------------------
ALLOWED_IN_CODE = ("contracts",)
ALLOWED_IN_TESTS = ("contracts", "service", "commands")  # run a real service, load demo data
# the gateway's tests too import only contracts: a real service they run is loaded by name
# (``timebank_common.runner.service_class``), as the runner starts it


def imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports by absolute name (``from demand import contracts`` is
    ``demand.contracts``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module in SERVICES:
                found += [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                found.append(node.module)
    return found


def foreign_imports(folder: Path, own: str | None) -> list[str]:
    """``file: module`` for each import of another service that is not allowed there."""
    wrong = set()
    for path in sorted(folder.rglob("*.py")):
        in_tests = "tests" in path.relative_to(folder).parts
        allowed = ALLOWED_IN_TESTS if in_tests and own is not None else ALLOWED_IN_CODE
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[0] in SERVICES and parts[0] != own and \
                    (len(parts) == 1 or parts[1] not in allowed):
                wrong.add(f"{path.relative_to(folder)}: {module}")
    return sorted(wrong)


@pytest.mark.parametrize("folder", ["gateway", *SERVICES])
def test_others_are_imported_only_through_their_contracts(folder):
    """The gateway and every service (code and tests) import another service only as its
    ``contracts``; a service's tests may also run it (``service``) and load its demo data
    (``commands``), the gateway's may not.
    (``lint-imports`` checks the packages; this reads the tests too.)"""
    base = ROOT / ("gateway" if folder == "gateway" else f"services/{folder}")
    assert foreign_imports(base, None if folder == "gateway" else folder) == []


def test_the_import_check_finds_what_it_forbids(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "routes.py").write_text("from demand.contracts import X\n"
                                        "from demand.domain import lifecycle\n"
                                        "from ledger import service\n")
    (tmp_path / "tests" / "test_x.py").write_text("from ledger import service, tables\n"
                                                  "import notify\n")
    assert foreign_imports(tmp_path, own=None) == [  # the gateway: contracts only
        "routes.py: demand.domain", "routes.py: ledger.service",
        "tests/test_x.py: ledger.service", "tests/test_x.py: ledger.tables",
        "tests/test_x.py: notify"]
    assert foreign_imports(tmp_path, own="identity") == [  # a service's tests may run another
        "routes.py: demand.domain", "routes.py: ledger.service",
        "tests/test_x.py: ledger.tables", "tests/test_x.py: notify"]
