"""identity's contracts and layers (no I/O): the pure parts load no framework, every RPC is
declared, every event the use cases emit is a contract listed in ``EVENTS``."""
import ast
import inspect
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

from marshmallow import Schema
from nameko.rpc import Rpc  # the kit's QuorumRpc is one

import identity.app
import identity.domain
from identity import contracts
from identity.contracts import EVENTS
from timebank_common.contracts import EventContract

FRAMEWORKS = ("nameko", "eventlet", "kombu", "amqp", "sqlalchemy", "psycopg", "alembic", "jwt",
              "cryptography", "requests", "werkzeug", "prometheus_client")


def test_the_domain_and_the_contracts_load_no_framework_database_token_or_http_library():
    modules = ["identity.contracts"] + [f"identity.domain.{m.name}" for m in
                                        pkgutil.iter_modules(identity.domain.__path__)]
    script = (f"import importlib, json, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
              f"print(json.dumps(sorted({{n.split('.')[0] for n in sys.modules}})))")
    loaded = json.loads(subprocess.run([sys.executable, "-c", script], check=True,
                                       capture_output=True, text=True).stdout)
    assert not set(loaded) & set(FRAMEWORKS)


def test_every_rpc_is_declared_and_says_what_it_does():
    from identity.service import IdentityService

    rpcs = {name: method for name, method in inspect.getmembers(IdentityService, inspect.isfunction)
            if any(isinstance(e, Rpc) for e in getattr(method, "nameko_entrypoints", ()))}
    assert len(rpcs) == 77  # 76 of identity's own (the interest ones, national_volunteers,
    # place_names, the four imports, end_previous_api_client_secret) and the kit's ping
    assert [n for n, m in rpcs.items() if getattr(m, "rpc_declaration", None) is None] == []
    assert [n for n, m in rpcs.items() if not (m.__doc__ or "").strip()] == []


def test_the_events_are_contracts_of_identity_listed_once():
    names = [event.name for event in EVENTS]
    assert len(names) == len(set(names)) == 16
    assert all(e.source == "identity" and e.summary and issubclass(e.payload, Schema)
               for e in EVENTS)
    declared = {v for v in vars(contracts).values() if isinstance(v, EventContract)}
    assert declared == set(EVENTS)


def test_every_event_a_use_case_emits_is_listed():
    emitted = set()
    for path in Path(identity.app.__path__[0]).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "emit":
                first = node.args[0]
                assert isinstance(first, ast.Name), f"{path.name}: emit a contract"
                emitted.add(getattr(contracts, first.id))
    assert emitted and emitted <= set(EVENTS)
