"""Mainland China mobile numbers (11 digits, 1[3-9]xxxxxxxxx)."""
from __future__ import annotations

import re

from ..contracts import MOBILE_PATTERN

_MOBILE = re.compile(MOBILE_PATTERN)


def is_mobile(value: str | None) -> bool:
    return bool(value) and bool(_MOBILE.fullmatch(value or ""))
