"""The README's first path, run verbatim: the ```bash block under "The first path, with curl"
is extracted from README.md and run by bash against the started platform (only ``GW`` is set,
as the block's first line allows). It must end with the volunteer's 90 minutes credited."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## The first path, with curl"


def first_path_script(readme: str) -> str:
    """The first ```bash block of the README's first-path section."""
    section = readme[readme.index(SECTION):]
    found = re.search(r"```bash\n(.*?)```", section, re.S)
    assert found, "no bash block in the README's first path"
    return found.group(1)


def json_objects(text: str) -> list[dict]:
    """Every complete JSON object printed, in order (jq prints one over several lines)."""
    decoder, found, i = json.JSONDecoder(), [], 0
    while (start := text.find("{", i)) >= 0:
        try:
            value, i = decoder.raw_decode(text, start)
        except ValueError:
            i = start + 1
            continue
        found.append(value)
    return found


def test_the_script_is_the_readmes_block():
    script = first_path_script((ROOT / "README.md").read_text(encoding="utf-8"))
    assert script.startswith("GW=${GW:-http://127.0.0.1:8000}\n")
    assert "earned_minutes" in script and "/release" in script


@pytest.mark.skipif(shutil.which("jq") is None, reason="the README's block uses jq "
                    "(deploy/ensure-infra.sh installs it)")
def test_the_readmes_first_path_run_verbatim_ends_with_90_minutes(platform):
    script = first_path_script((ROOT / "README.md").read_text(encoding="utf-8"))
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script],
                          env={**os.environ, "GW": platform.url("gateway")},
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert '"held"' in done.stdout and "minutes_exceed_presence" in done.stdout, done.stdout
    assert '"sent"' in lines, done.stdout  # released by the second look, sent to the ledger
    balances = [o for o in json_objects(done.stdout) if "earned_minutes" in o]
    assert balances and balances[-1]["earned_minutes"] == 90, done.stdout
