"""The console's API types are generated from console/openapi.json (``npm run typecheck``
regenerates them first): that file must be what the gateway serves, so a contract change that
breaks a screen breaks the console's type check in the test command."""
import json
from pathlib import Path

from gateway import export_openapi

COMMITTED = Path(__file__).resolve().parents[3] / "console" / "openapi.json"


def test_the_console_is_typed_against_the_served_document():
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == export_openapi.document(), (
        "console/openapi.json is stale: run "
        ".venv/bin/python -m gateway.export_openapi console/openapi.json")


def test_bounds_in_the_document_are_numbers():
    document = export_openapi.document()
    bounds = []

    def walk(node):
        if isinstance(node, dict):
            bounds.extend(v for k, v in node.items() if k in ("minimum", "maximum"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert bounds and all(isinstance(value, int | float) for value in bounds)
