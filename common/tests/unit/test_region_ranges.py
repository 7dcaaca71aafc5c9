"""``db.within``: a region prefix as a range an ordinary btree index serves.

Pure tests: the SQL it compiles to, the carry at a digit 9, and that the range selects
exactly the codes ``startswith`` selects (evaluated by SQLite in memory, whose default
collation orders by bytes like PostgreSQL's C collation). The plans on PostgreSQL are
checked per service (``services/*/tests/test_region_plans.py``).
"""
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import psycopg

from timebank_common.db import within
from timebank_common.regions import next_prefix, prefix_of

places = Table("places", MetaData(), Column("region_code", String(12)))
code = places.c.region_code


def pg(condition) -> str:
    return str(condition.compile(dialect=postgresql.dialect(),
                                 compile_kwargs={"literal_binds": True}))


def test_a_prefix_is_a_half_open_range():
    assert pg(within(code, "130102")) == \
        "places.region_code >= '130102' AND places.region_code < '130103'"
    assert "LIKE" not in pg(within(code, "13"))


def test_the_bounds_are_bound_parameters():
    """As the services send it (psycopg 3): two parameters, cast to the column's type."""
    compiled = within(code, "1301").compile(dialect=psycopg.dialect())
    assert str(compiled) == ("places.region_code >= %(region_code_1)s::VARCHAR "
                             "AND places.region_code < %(region_code_2)s::VARCHAR")
    assert compiled.params == {"region_code_1": "1301", "region_code_2": "1302"}


@pytest.mark.parametrize("scope,lower,upper", [
    ("130000000000", "13", "14"),                  # the province
    ("130100000000", "1301", "1302"),              # 石家庄
    ("130900000000", "1309", "1310"),              # 沧州: 9 carries into the tens
    ("130181000000", "130181", "130182"),          # 辛集, a city-level unit
    ("130682000000", "130682", "130683"),          # 定州, a city-level unit
    ("133100000000", "1331", "1332"),              # 雄安新区
    ("130199000000", "130199", "130200"),          # 99 carries two places
    ("130102009000", "130102009", "130102010"),
    ("130102001999", "130102001999", "130102002000"),  # a community: that code alone
])
def test_scopes_and_their_bounds(scope, lower, upper):
    assert prefix_of(scope) == lower
    assert next_prefix(lower) == upper
    assert pg(within(code, lower)) == \
        f"places.region_code >= '{lower}' AND places.region_code < '{upper}'"


def test_all_nines_has_no_upper_bound():
    assert next_prefix("99") is None
    assert next_prefix("999999999999") is None
    assert pg(within(code, "99")) == "places.region_code >= '99'"


def test_an_empty_prefix_is_every_row_with_a_region():
    assert pg(within(code, "")) == "places.region_code IS NOT NULL"


def test_a_prefix_that_is_not_digits_keeps_an_escaped_like():
    assert "LIKE" in pg(within(code, "13%"))
    assert "LIKE" in pg(within(code, "１３"))  # full-width digits are not ASCII digits
    with pytest.raises(ValueError):
        next_prefix("13a")


# --- the range selects what startswith selects ----------------------------------------------
_db = sqlite3.connect(":memory:")
_db.execute("CREATE TABLE places (region_code TEXT)")


def selected(prefix: str, codes: list[str | None]) -> set[str]:
    _db.execute("DELETE FROM places")
    _db.executemany("INSERT INTO places VALUES (?)", [(c,) for c in codes])
    compiled = select(code).where(within(code, prefix)).compile(
        dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    return {r[0] for r in _db.execute(str(compiled))}


BOUNDARY_CODES = [
    "130000000000", "130100000000", "130102000000", "130102001001", "130102999999",
    "130103000000", "130101999999", "130199999999", "130200000000", "130900000000",
    "130999999999", "131000000000", "131099999999", "139999999999", "140000000000",
    "129999999999", "120000000000", "130181000000", "130181101203", "130182000000",
    "130682000000", "130682200201", "130683000000", "133100000000", "133199999999",
    "133200000000", "999999999999", "000000000000", None,
]


@pytest.mark.parametrize("prefix", [
    "13", "1301", "1309", "1399", "130102", "130181", "130199", "130682", "1331", "99",
    "130102001", "130102001001", "130999999999", "",
])
def test_the_range_selects_what_startswith_selects(prefix):
    expected = {c for c in BOUNDARY_CODES if c is not None and c.startswith(prefix)}
    assert selected(prefix, BOUNDARY_CODES) == expected


@given(st.text("0123456789", max_size=12),
       st.lists(st.text("0123456789", min_size=12, max_size=12), max_size=30))
def test_any_prefix_on_twelve_digit_codes(prefix, codes):
    assert selected(prefix, codes) == {c for c in codes if c.startswith(prefix)}


def test_xinji_and_dingzhou_roll_up_beside_their_cities_by_management_unit():
    from timebank_common.regions import carved_out, unit_chain

    assert unit_chain("130181102003") == ["13", "130181", "130181102", "130181102003"]
    assert unit_chain("130682001001") == ["13", "130682", "130682001", "130682001001"]
    assert unit_chain("130102001001") == ["13", "1301", "130102", "130102001", "130102001001"]
    assert carved_out("130100000000") == ("130181",)
    assert carved_out("130600000000") == ("130682",)
    assert carved_out("130181000000") == () and carved_out("130000000000") == ()


def test_within_unit_leaves_the_carved_out_units_to_themselves():
    from sqlalchemy import column
    from sqlalchemy.dialects import postgresql

    from timebank_common.db import within_unit

    sql = str(within_unit(column("region_code"), "130100000000").compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    assert "'1301'" in sql and "'130181'" in sql and "NOT" in sql
    plain = str(within_unit(column("region_code"), "130200000000").compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    assert "NOT" not in plain
