"""Mainland China mobile numbers (11 digits, 1[3-9]xxxxxxxxx)."""
from __future__ import annotations

import re

MOBILE_PATTERN = r"^1[3-9]\d{9}$"
_MOBILE = re.compile(MOBILE_PATTERN)


def is_mobile(value: str | None) -> bool:
    return bool(value) and bool(_MOBILE.match(value))


# A contact line: a mobile number, or a landline with area code (0311-12345678, extension allowed)
CONTACT_PHONE_PATTERN = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$"
