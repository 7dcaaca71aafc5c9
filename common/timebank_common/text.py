"""Which characters text may hold, decided once for every service (pure core).

PostgreSQL refuses a NUL byte in text and the UTF-8 encoder refuses a lone surrogate (both
arrive easily through JSON's ``\\u0000`` / ``\\ud800`` escapes): letting them pass validation
turns a typing accident into a 500 deep inside a service. Control characters have no place in
a name either, and in free text only tab and line breaks do. The gateway refuses them in every
JSON body and query string (``gateway/routing.py``); the kit's ``SingleLineText`` and
``FreeText`` fields (``schemas.py``) refuse them again in each service's contracts.

Digits are ASCII only: Python's ``\\d`` and ``str.isdigit`` accept any Unicode digit, so a
full-width ``１３９…`` phone would be a second person beside ``139…``. ``ascii_digits`` is the
one test for "digits"; regular expressions use ``[0-9]`` (``schemas.AsciiPattern``).
"""
from __future__ import annotations

import re

from .regions import is_digits

# one regular expression per kind of text: scanning a large body stays in C
_NUL = "\x00"
_SURROGATES = "\ud800-\udfff"
_FREE_TEXT_CONTROLS = "\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 and C1 but tab, LF, CR
_LINE_BREAKS = "\t\n\r\u2028\u2029"
_REFUSED_IN_FREE_TEXT = re.compile(f"[{_NUL}{_SURROGATES}{_FREE_TEXT_CONTROLS}]")
_REFUSED_IN_SINGLE_LINE = re.compile(f"[{_NUL}{_SURROGATES}{_FREE_TEXT_CONTROLS}{_LINE_BREAKS}]")


def _kind(char: str) -> str:
    if char == "\x00":
        return "nul"
    if "\ud800" <= char <= "\udfff":
        return "lone_surrogate"
    return "control_character"


def text_problem(value: str, single_line: bool = False) -> str | None:
    """Why ``value`` may not be stored (``nul``, ``lone_surrogate``, ``control_character``),
    or None. Free text may hold tab, CR and LF; single-line text (names, titles) none of them
    (nor the Unicode line and paragraph separators)."""
    pattern = _REFUSED_IN_SINGLE_LINE if single_line else _REFUSED_IN_FREE_TEXT
    found = pattern.search(value)
    return _kind(found.group()) if found else None


# only the digits 0-9 (``"１２"`` and ``"١٢"`` are not), and at least one: one definition
ascii_digits = is_digits


def first_problem_in(data: object, path: str = "") -> tuple[str, str] | None:
    """(where, why) of the first string in a JSON document (keys included) that free text may
    not hold, or None: what the gateway refuses in every body and query string."""
    if isinstance(data, str):
        problem = text_problem(data)
        return (path or "$", problem) if problem else None
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            found = first_problem_in(str(key), where) or first_problem_in(value, where)
            if found:
                return found
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found = first_problem_in(value, f"{path}[{index}]")
            if found:
                return found
    return None
