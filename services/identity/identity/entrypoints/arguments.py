"""Small helpers the entrypoints share for their arguments."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema

from timebank_common.schemas import load


def or_defaults(value: Any, schema: type[Schema]) -> Any:
    """A declared argument as loaded, or, when the caller left it out, the schema's defaults
    (an RPC such as ``list_carriers(caller)`` without its query)."""
    return value if value is not None else load(schema(), {})
