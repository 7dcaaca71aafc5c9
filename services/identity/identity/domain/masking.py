"""Masked forms of personal numbers for responses (DESIGN.md §4)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any


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


# what an audit record may show of a changed record: numbers masked, free text withheld
_ID_NUMBER_FIELDS = frozenset({"id_number"})
_PHONE_FIELDS = frozenset({"phone", "login_phone", "emergency_contact_phone"})
_WITHHELD_FIELDS = frozenset({"address", "emergency_contact_name", "health_note", "evidence",
                              "password", "initial_password", "password_hash"})
WITHHELD = "[withheld 已隐去]"


def mask_record(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A copy of ``record`` safe to keep in the audit log: ID numbers and phones masked,
    addresses, names of contacts, health notes and evidence withheld (only whether there was
    one), stored ciphertext and hashes left out. Nested records are masked too."""
    if record is None:
        return None
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key.endswith(("_enc", "_hash")):
            continue
        if isinstance(value, dict):
            out[key] = mask_record(value)
        elif key in _ID_NUMBER_FIELDS:
            out[key] = mask_id_number(value)
        elif key in _PHONE_FIELDS:
            out[key] = mask_phone(value)
        elif key in _WITHHELD_FIELDS:
            out[key] = WITHHELD if value else None
        else:
            out[key] = value
    return out
