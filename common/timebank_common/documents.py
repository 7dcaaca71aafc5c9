"""Verifiable documents (certificates, monthly reports), pure core: the numbers printed on
them, the canonical form that is signed (``timebank_common.signing`` signs it) and masked names.

The random part is Crockford base32 (digits and capitals without I, L, O, U), so a number can
be read out over the phone without "O or zero?" questions; ``read_as_typed`` turns ``O`` into
``0`` and ``I``/``L`` into ``1``. The check symbol is Luhn mod 32 over every symbol of the
number: any single mistyped symbol is caught, and so is every swap of two neighbours except
``0``<->``Z``.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def check_symbol(payload: str) -> str:
    """Luhn mod 32 over ``payload`` (symbols of ALPHABET): the symbol that completes it."""
    n = len(ALPHABET)
    factor, total = 2, 0
    for char in reversed(payload):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def random_symbols(random_value: int, length: int) -> str:
    """``length`` symbols from ``random_value`` (``length * 5`` random bits the caller drew)."""
    if not 0 <= random_value < len(ALPHABET) ** length:
        raise ValueError("random_value out of range")
    symbols = []
    for _ in range(length):
        random_value, digit = divmod(random_value, len(ALPHABET))
        symbols.append(ALPHABET[digit])
    return "".join(symbols)


def read_as_typed(symbols: str) -> str:
    """The symbols as printed, from what a person typed or read out (``O`` is ``0``...)."""
    return symbols.upper().translate(_READ_AS)


def mask_name(name: str) -> str:
    """A name as a public list shows it: ``王小明`` -> ``王*明``, ``王明`` -> ``王*``,
    ``欧阳小明`` -> ``欧**明``."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def canonical_json(context: bytes, content: Mapping[str, Any]) -> bytes:
    """The exact bytes that are signed: ``context`` (so a signature cannot be reused for
    other data), then JSON with sorted keys, no spaces, UTF-8 (not escaped). The same content
    always gives the same bytes."""
    body = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return context + body.encode("utf-8")
