"""Region-code arithmetic fixed by DESIGN.md §4 (a shared contract, not a rule of one service).

A region is a 12-digit statistical division code; a scope is the code of the
region an operator supervises, and covers every code that starts with its prefix.
Pure string arithmetic; in SQL, "starts with the prefix" is ``db.within(column, prefix)``.
"""
from __future__ import annotations

import re

PROVINCE, CITY, COUNTY, TOWNSHIP, COMMUNITY = "province", "city", "county", "township", "community"
_PREFIX_LENGTH = {PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9, COMMUNITY: 12}
_CODE = re.compile(r"^[0-9]{12}$")

# County-level units managed as city-level units (DESIGN.md §4): 辛集, 定州.
# The Xiong'an New Area carries a city-level code of its own (133100).
CITY_LEVEL_COUNTIES = {"130181", "130682"}


def is_code(value: str) -> bool:
    return bool(value) and bool(_CODE.fullmatch(value))


def level_of(code: str) -> str:
    if code[2:] == "0" * 10:
        return PROVINCE
    if code[4:] == "0" * 8:
        return CITY
    if code[6:] == "0" * 6:
        return COUNTY
    if code[9:] == "000":
        return TOWNSHIP
    return COMMUNITY


def prefix_of(code: str) -> str:
    """The prefix a scope code covers: 130100000000 -> '1301'."""
    return code[: _PREFIX_LENGTH[level_of(code)]]


def in_scope(scope_code: str | None, region_code: str | None) -> bool:
    if not scope_code or not region_code:
        return False
    return region_code.startswith(prefix_of(scope_code))


def next_prefix(prefix: str) -> str | None:
    """The digit string of the same length that follows ``prefix`` ('130102' -> '130103',
    '1309' -> '1310', '139' -> '140'); None when there is none (all nines)."""
    if not is_digits(prefix):
        raise ValueError(f"not a digit prefix: {prefix!r}")
    if prefix.strip("9") == "":
        return None
    return str(int(prefix) + 1).zfill(len(prefix))


def is_digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def city_unit_of(code: str) -> str:
    """The city-level management unit a region belongs to (its issuance account's key)."""
    if code[:6] in CITY_LEVEL_COUNTIES:
        return code[:6] + "000000"
    return code[:4] + "00000000"


def unit_chain(code: str) -> list[str]:
    """The prefixes a code rolls up to **by management unit**, province first: province (2
    digits), city-level unit (4, or 6 for 辛集 and 定州), county (6), township (9), community
    (12), a level that repeats the one above left out. A supervisor's figures for 石家庄 (1301)
    are then those of its own counties, and 辛集 (130181) is a unit beside it under the
    province, as the province supervises them."""
    chain: list[str] = []
    for length in (2, 4, 6, 9, 12):
        prefix = code[:length]
        if length == 4 and code[:6] in CITY_LEVEL_COUNTIES:
            continue  # 辛集 / 定州: the city-level unit is the county's own 6 digits
        chain.append(prefix)
    return chain


def carved_out(code: str) -> tuple[str, ...]:
    """The city-level units inside a region's prefix that are not part of it by management
    unit (``unit_chain``): 辛集 for 石家庄 (130100000000), 定州 for 保定; none otherwise."""
    if level_of(code) != CITY:
        return ()
    return tuple(sorted(c for c in CITY_LEVEL_COUNTIES if c.startswith(code[:4])))


def parent_of(code: str) -> str | None:
    level = level_of(code)
    if level == PROVINCE:
        return None
    if level == CITY:
        return code[:2] + "0" * 10
    if level == COUNTY:
        return code[:4] + "0" * 8
    if level == TOWNSHIP:
        return code[:6] + "0" * 6
    return code[:9] + "000"


_CHILD_PREFIX_LENGTH = {2: 4, 4: 6, 6: 9, 9: 12}


def child_of(scope_code: str, region_code: str) -> str | None:
    """The region one level below ``scope_code`` that ``region_code`` lies in (a 12-digit
    code); None for a community scope (nothing below it) or a code outside the scope."""
    prefix = prefix_of(scope_code)
    if level_of(scope_code) == COMMUNITY or not region_code.startswith(prefix):
        return None
    return region_code[:_CHILD_PREFIX_LENGTH[len(prefix)]].ljust(12, "0")
