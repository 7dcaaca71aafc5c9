"""Reads the committed service catalogue (catalogue.yaml) for the migration that seeds it."""
from __future__ import annotations

from pathlib import Path

import yaml

SEED_FILE = Path(__file__).with_name("catalogue.yaml")


def load_seed(path: Path = SEED_FILE) -> list[dict]:
    """The catalogue rows, in display order (``sort_order`` added)."""
    with open(path, encoding="utf-8") as fh:
        entries = yaml.safe_load(fh)["categories"]
    return [{**entry, "sort_order": index} for index, entry in enumerate(entries)]
