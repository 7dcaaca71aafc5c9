"""What the identity commands share: units of work on the identity database for one run,
reading a CSV file, and the command line around an import (``--config``, migrate, report,
exit code)."""
from __future__ import annotations

import argparse
import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from timebank_common.clock import Clock, SystemClock
from timebank_common.db import units_of_work

from ..adapters import personal_data


def read_table(path: Path) -> list[list[str]]:
    """The rows of a CSV file (UTF-8, GB18030 accepted too)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    return list(csv.reader(io.StringIO(text, newline="")))


def file_command(description: str, import_file: Callable[..., Any],
                 failed: Callable[[Any], Any], argv: Sequence[str] | None = None,
                 add_arguments: Callable[[argparse.ArgumentParser], None] | None = None) -> int:
    """``python -m identity.commands.<command> FILE.csv [--config ...]``: check the schema, import,
    print the report.

    ``import_file(database_url, path)`` (``import_file(database_url, path, args)`` when
    ``add_arguments`` adds options to the parser) returns a report with ``lines()``; the exit
    status is 1 when ``failed(report)``, so scripts notice refused rows."""
    from timebank_common import config as config_mod
    from timebank_common.migrations import require_head

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("file", type=Path)
    parser.add_argument("--config", default="deploy/config/identity.yaml")
    if add_arguments is not None:
        add_arguments(parser)
    args = parser.parse_args(argv)
    cfg = config_mod.load(args.config)
    url = cfg["DATABASE_URL"]
    require_head("identity", url)  # migrated by the owner role, not by this command
    personal_data.configure(cfg)  # the key file the service uses
    report = import_file(url, args.file, args) if add_arguments else import_file(url, args.file)
    print("\n".join(report.lines()))
    return 1 if failed(report) else 0


# --- imports of the national volunteer system's files, run as jobs (app/imports.py) ---------

PROVINCE_SCOPE = "130000000000"


def add_scope_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", default=PROVINCE_SCOPE,
                        help="the region the import acts in, as a province admin of it "
                             "(default: the province)")


class JobReport:
    """A finished import job as the command prints it: counts, then each refused line."""

    def __init__(self, job: dict[str, Any], refused: list[dict[str, Any]]):
        self.job, self.refused = job, refused

    @property
    def failed(self) -> bool:
        return self.job["status"] != "done" or bool(self.refused)

    def lines(self) -> list[str]:
        job = self.job
        out = [f"{job['file_name']}: {job['status']}  新登记 created: {job['created']}  "
               f"更新 updated: {job['updated']}  未变 unchanged: {job['unchanged']}  "
               f"拒绝 refused: {job['refused']}"]
        if job["error"]:
            out.append(f"  {job['error']['zh']} / {job['error']['en']}")
        out += [f"  第{r['line']}行 line {r['line']}  {r['code']}  {r['zh']} / {r['en']}"
                for r in self.refused]
        return out


def run_file_import(database_url: str, path: Path, kind: str, scope: str = PROVINCE_SCOPE,
                    clock: Clock | None = None, chunk_rows: int | None = None,
                    echo: Callable[[str], Any] = print) -> JobReport:
    """Queue ``path`` as an import job and run the queue until it is done (the same code as
    the service's timer; a job the running service took is waited for), printing progress."""
    import base64
    import os
    import socket
    import time

    from ..app import imports

    clock = clock or SystemClock()
    caller = imports.command_caller(scope)
    owner = f"{socket.gethostname()}:{os.getpid()}:command"
    data = {"kind": kind, "file_name": path.name,
            "content": base64.b64encode(path.read_bytes()).decode("ascii")}

    def progress(done: int, total: int) -> None:
        echo(f"  {done}/{total}")

    with units_of_work(database_url) as db:
        job = imports.start_import(db, caller, data, clock.now())
        while job["status"] in ("queued", "running"):
            ran = imports.run_next(db, clock, owner, chunk_rows or imports.CHUNK_ROWS,
                                   on_progress=progress)
            if ran is None:
                time.sleep(1)  # the service's own runner holds it: wait for its end
            job = imports.get_import(db, caller, job["id"])
        refused: list[dict[str, Any]] = []
        page = 1
        while len(refused) < job["refused"]:
            refused += imports.import_errors(db, caller, job["id"],
                                             {"page": page, "page_size": 1000})["items"]
            page += 1
    return JobReport(job, refused)
