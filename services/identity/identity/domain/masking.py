"""Masked forms of personal numbers for responses (DESIGN.md §4)."""
from __future__ import annotations


def mask_id_number(number: str | None) -> str | None:
    """``130102199005120035`` -> ``130102********0035``."""
    if not number:
        return None
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str | None) -> str | None:
    """``13800000001`` -> ``138****0001``."""
    if not phone:
        return None
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
