"""What the identity commands share: units of work on the identity database for one run,
reading a CSV file, and the command line around an import (``--config``, migrate, report,
exit code)."""
from __future__ import annotations

import argparse
import csv
import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from timebank_common.db import UnitOfWork, UnitOfWorkFactory, make_engine

from ..adapters import personal_data


@contextmanager
def units_of_work(database_url: str) -> Iterator[UnitOfWorkFactory]:
    """A factory of units of work on their own short-lived engine."""
    engine = make_engine(database_url, pool_size=1)
    try:
        yield lambda: UnitOfWork(engine)
    finally:
        engine.dispose()


def read_table(path: Path) -> list[list[str]]:
    """The rows of a CSV file (UTF-8, GB18030 accepted too)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    return list(csv.reader(io.StringIO(text, newline="")))


def file_command(description: str, import_file: Callable[[str, Path], Any],
                 failed: Callable[[Any], Any], argv: Sequence[str] | None = None) -> int:
    """``python -m identity.commands.<command> FILE.csv [--config ...]``: migrate, import,
    print the report.

    ``import_file(database_url, path)`` returns a report with ``lines()``; the exit
    status is 1 when ``failed(report)``, so scripts notice refused rows."""
    from timebank_common import config as config_mod
    from timebank_common.migrations import upgrade

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("file", type=Path)
    parser.add_argument("--config", default="deploy/config/identity.yaml")
    args = parser.parse_args(argv)
    cfg = config_mod.load(args.config)
    url = cfg["DATABASE_URL"]
    upgrade("identity", url, cfg)
    personal_data.configure(cfg)  # the key file the service uses
    report = import_file(url, args.file)
    print("\n".join(report.lines()))
    return 1 if failed(report) else 0
