"""Marshmallow schemas the gateway validates with on every request, built once.

Building a schema (its fields, deep-copied from the class) cost more than validating a small
answer with it: a balance read built one per request for its answer check alone.
"""
from __future__ import annotations

import functools
from typing import Literal

from marshmallow import Schema


@functools.cache
def schema_of(schema_cls: type[Schema], many: bool = False,
              unknown: Literal["exclude", "include", "raise"] | None = None) -> Schema:
    """One instance per schema class and options, built at the first request that needs it:
    building a marshmallow schema (its fields, copied from the class) cost more than the
    validation itself on a small answer. An instance keeps no state between ``validate``
    and ``load`` calls (marshmallow 4 has no ``context``), and these run without yielding
    to another green thread, so requests share it."""
    return schema_cls(many=many, unknown=unknown)
