"""Personal data at rest: which columns are encrypted, and the keys that seal them.

The repository modules are the only users: they call ``to_row`` before writing and
``from_row`` after reading, so every other module keeps passing and receiving plaintext
dicts (``person["id_number"]``, ``person["phone"]``). Lookups by ID number or phone go
through the keyed hash (``digest``) stored next to the ciphertext.

The keys come from the key file named by ``PII_KEYS_FILE`` (configuration, else the
environment, else ``var/keys/pii-keys.json``), read once per process: by the service at
setup (``entrypoints.dependencies.PersonalDataKeys``), by command-line tools (demo, imports,
rotation) when they first need it. See ``timebank_common.pii`` and the README for the file and for rotation.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from timebank_common.pii import PiiKeys, load_key_file

DEFAULT_KEY_FILE = "var/keys/pii-keys.json"

# table -> plaintext field -> (encrypted column, keyed-hash column or None, hash purpose)
SEALED: dict[str, dict[str, tuple[str, str | None, str | None]]] = {
    "persons": {
        "id_number": ("id_number_enc", "id_number_hash", "id_number"),
        "phone": ("phone_enc", "phone_hash", "phone"),
        "address": ("address_enc", None, None),
    },
    "credentials": {"login_phone": ("login_phone_enc", "login_phone_hash", "phone")},
    "elder_profiles": {
        "emergency_contact_name": ("emergency_contact_name_enc", None, None),
        "emergency_contact_phone": ("emergency_contact_phone_enc", None, None),
    },
    "volunteer_profiles": {"health_note": ("health_note_enc", None, None)},
    "elder_priorities": {"evidence": ("evidence_enc", None, None)},
    "relative_links": {"evidence": ("evidence_enc", None, None)},
    "volunteer_interest": {"phone": ("phone_enc", "phone_hash", "phone")},
}

_keys: PiiKeys | None = None


def key_file_path(settings: Mapping[str, Any] | None = None) -> str:
    return ((settings or {}).get("PII_KEYS_FILE") or os.environ.get("PII_KEYS_FILE")
            or DEFAULT_KEY_FILE)


def configure(settings: Mapping[str, Any] | None = None) -> PiiKeys:
    """Load the key file named by ``settings`` (a service configuration) for this process."""
    global _keys
    _keys = load_key_file(key_file_path(settings))
    return _keys


def keys() -> PiiKeys:
    return _keys if _keys is not None else configure()


def digest(purpose: str, value: str | None) -> str | None:
    return keys().hasher.digest(purpose, value)


def id_number_digest(id_number: str | None) -> str | None:
    return digest("id_number", id_number)


def phone_digest(phone: str | None) -> str | None:
    return digest("phone", phone)


def to_row(table: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Column values to write: each plaintext field present becomes its ciphertext (and hash)."""
    fields = SEALED[table]
    out = {k: v for k, v in values.items() if k not in fields}
    cipher = keys().cipher
    for field, (enc, hashed, purpose) in fields.items():
        if field in values:
            out[enc] = cipher.encrypt(values[field])
            if hashed and purpose:
                out[hashed] = digest(purpose, values[field])
    return out


def from_row(table: str, row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A row as the rest of identity sees it: plaintext fields, no ciphertext or hash columns."""
    if row is None:
        return None
    fields = SEALED[table]
    hidden = {c for enc, hashed, _ in fields.values() for c in (enc, hashed) if c}
    out = {k: v for k, v in row.items() if k not in hidden}
    cipher = keys().cipher
    for field, (enc, _, _) in fields.items():
        if enc in row:
            out[field] = cipher.decrypt(row[enc])
    return out
