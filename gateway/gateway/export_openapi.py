"""Write the OpenAPI document the gateway serves to a file (the console's API types are
generated from it: ``console/openapi.json``, then ``npm run api-types``).

    .venv/bin/python -m gateway.export_openapi console/openapi.json

``gateway/tests/unit/test_console_contract.py`` fails when the committed file differs from what
the gateway serves, so a contract change reaches the console's type check."""
from __future__ import annotations

import json
import sys
from pathlib import Path

CONSOLE_BASE_URL = "http://127.0.0.1:8000"


def document() -> dict:
    from . import openapi, service  # noqa: F401  (importing the service registers every route)

    return openapi.build(CONSOLE_BASE_URL)


def render() -> str:
    return json.dumps(document(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "console/openapi.json")
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
