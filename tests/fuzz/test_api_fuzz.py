"""Schemathesis against the running platform (issue 15): generated and mutated requests for every
operation in the gateway's OpenAPI document, as a province admin and as a volunteer, checking that
no answer is a server error, every status is one the document lists, and every answer matches its
documented schema.

The run is bounded (``FUZZ_SECONDS`` per caller, a fixed seed, so a failure reproduces) and prints
its figures: operations, cases, seconds. Routes that would end the fuzzer's own session (logout,
password change) are left out; everything else, including creates, runs on this platform's
throw-away databases.

Reproduce a failure outside the suite: start ``./deploy/run-local.sh``, log in, and run the command
this test prints with your token.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261207
REPORTS = ROOT / "var" / "fuzz"  # schemathesis' JSON report of the last run, per caller
FUZZ_SECONDS = int(os.environ.get("FUZZ_SECONDS", "65"))
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
# ending the fuzzer's own session would turn the rest of the run into 401s
LEFT_OUT = r"^/api/v1/auth/(logout|password|session/logout)$"


# path parameters filled, most of the time, with ids that exist on the demo platform, so that
# generated requests reach the services' rules instead of stopping at 404
BINDINGS = {"people": ("person_id", "elder_id", "volunteer_id", "proxy_person_id"),
            "carriers": ("carrier_id",), "demands": ("demand_id",), "regions": ("code", "region_code")}
KNOWN_ID_SHARE = 0.8


def _known_ids(api, token: str) -> dict[str, list[str]]:
    """Ids that exist, read through the API as the province admin sees them."""
    def items(path):
        return api.call("GET", path, token=token, expect=200).json()["items"]

    people = [row["person_id"] for path in ("/api/v1/elders?page_size=50", "/api/v1/volunteers?page_size=50")
              for row in items(path)]
    return {
        "people": people,
        "carriers": [row["carrier_id"] for row in items("/api/v1/carriers?page_size=50")],
        "demands": [row.get("demand_id") or row["id"] for row in items("/api/v1/demands?page_size=50")],
        "regions": ["130000000000", "130100000000", "130102000000", "130102001000", "130102001001",
                    "130200000000"],
    }


def _config(known: dict[str, list[str]], path: Path) -> Path:
    """A schemathesis.toml binding the path parameters above to dictionaries of known ids."""
    lines = []
    for name, values in known.items():
        if values:
            lines += [f"[dictionaries.{name}]", "values = " + json.dumps(values), ""]
    lines.append("[parameters]")
    for name, parameters in BINDINGS.items():
        if known.get(name):
            lines += [f'"path.{parameter}" = {{ dictionary = "{name}", probability = {KNOWN_ID_SHARE} }}'
                      for parameter in parameters]
    path.write_text("\n".join(lines) + "\n")
    return path


def _schemathesis(base: str, token: str, config: Path, report: Path) -> tuple[int, str]:
    command = [
        str(ROOT / ".venv" / "bin" / "st"), "--config-file", str(config), "run", f"{base}/openapi.json",
        "--url", base,
        "--header", f"Authorization: Bearer {token}",
        "--checks", CHECKS,
        "--seed", str(SEED),
        "--max-time", str(FUZZ_SECONDS),
        # one worker: with two, hypothesis parses lambdas' source in two threads at once, which
        # CPython 3.11 can fail ("AST constructor recursion depth mismatch"), a tool error
        "--workers", "1",
        "--request-timeout", "30",
        "--exclude-path-regex", LEFT_OUT,
        "--suppress-health-check", "all",
        "--report", "json", "--report-json-path", str(report),
        "--output-truncate", "true",
    ]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, text=True, capture_output=True,
                          timeout=FUZZ_SECONDS + 120)
    seconds = time.monotonic() - started
    print(done.stdout[-20000:], file=sys.stderr)
    shown = " ".join(part if "Bearer" not in part else "Authorization: Bearer $TOKEN"
                     for part in command)
    return done.returncode, f"{seconds:.0f} s: {shown}"


def _figures(report: Path) -> str:
    """Operations tested, cases generated, failures, from schemathesis' JSON report."""
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        return "(no JSON report)"
    operations, cases = data.get("operations", {}), data.get("test_cases", {})
    return (f"{operations.get('tested')} operations, {cases.get('generated')} cases, "
            f"{cases.get('unique_failures')} unique failures")


# the volunteer first: the province admin's run may set the demo people it is given (the
# volunteer among them) to left or deceased, which ends their sessions and logins
@pytest.mark.parametrize("role", ["volunteer", "province_admin"])
def test_generated_requests_find_no_server_error_and_no_contract_violation(
        platform, api, demo_accounts, role, tmp_path, capsys):
    admin = demo_accounts["province_admin"]
    config = _config(_known_ids(api, api.login(admin["phone"], admin["password"])),
                     tmp_path / "schemathesis.toml")
    token = api.login(demo_accounts[role]["phone"], demo_accounts[role]["password"])
    REPORTS.mkdir(parents=True, exist_ok=True)
    report = REPORTS / f"schemathesis-{role}.json"
    code, how = _schemathesis(platform.url("gateway"), token, config, report)
    with capsys.disabled():  # the figures, shown whatever the outcome
        print(f"\nfuzzing as {role}: {_figures(report)} ({how})")
    assert code == 0, f"schemathesis found problems as {role}; see the output above ({how})"
