"""Division codes: levels, parents, what an official list may import (no I/O)."""
import pytest

from identity.domain.divisions import (
    InvalidDivision,
    InvalidLayout,
    division_of,
    is_well_formed,
    level_and_parent,
    plan_import,
    rows_of,
)


@pytest.mark.parametrize("code, level, parent", [
    ("130000000000", "province", None),
    ("130100000000", "city", "130000000000"),
    ("133100000000", "city", "130000000000"),  # 雄安新区
    ("130181000000", "city", "130000000000"),  # 辛集, managed as a city-level unit
    ("130682000000", "city", "130000000000"),  # 定州
    ("130102000000", "county", "130100000000"),
    ("130683000000", "county", "130600000000"),  # 安国 stays under 保定
    ("130102001000", "township", "130102000000"),
    ("130181100000", "township", "130181000000"),  # a township of 辛集
    ("130102001001", "community", "130102001000"),
    ("130682100201", "community", "130682100000"),
])
def test_level_and_parent_from_the_code(code, level, parent):
    assert level_and_parent(code) == (level, parent)


@pytest.mark.parametrize("code", [
    "13010200100", "1301020010011", "13010200100A", "", "000000000000",
    "130100000001",  # a village without township digits
    "130000001000",  # a township without city and county
    "130102000001",
])
def test_malformed_codes(code):
    assert not is_well_formed(code)
    with pytest.raises(InvalidDivision) as info:
        division_of(code, "某地")
    assert info.value.reason == "bad_code" and info.value.zh and info.value.en


def test_rows_outside_hebei_and_without_name_are_refused():
    with pytest.raises(InvalidDivision) as info:
        division_of("110101001001", "多福巷社区居委会")
    assert info.value.reason == "not_hebei"
    with pytest.raises(InvalidDivision) as info:
        division_of("130102001001", "  ")
    assert info.value.reason == "missing_name"
    assert division_of(" 130102001001 ", " 育才社区居委会 ").name == "育才社区居委会"


@pytest.mark.parametrize("table, expected", [
    ([["code", "name"], ["130102001000", "建北街道"]], [(2, "130102001000", "建北街道")]),
    ([["\ufeff统计用区划代码", "名称"], ["130102001000", "建北街道"]],
     [(2, "130102001000", "建北街道")]),
    ([["统计用区划代码", "城乡分类代码", "名称"], ["130102001001", "111", "育才社区居委会"]],
     [(2, "130102001001", "育才社区居委会")]),
    ([["130102001000", "建北街道"], [], ["130102001001", "育才社区居委会"]],
     [(1, "130102001000", "建北街道"), (3, "130102001001", "育才社区居委会")]),
    ([["130102001001", "111", "育才社区居委会"]], [(1, "130102001001", "育才社区居委会")]),
    ([["130102001001", "育才社区居委会", "111"]], [(1, "130102001001", "育才社区居委会")]),
])
def test_rows_with_and_without_header_and_classification(table, expected):
    assert list(rows_of(table)) == expected


def test_a_header_without_a_name_column_is_refused():
    with pytest.raises(InvalidLayout):
        list(rows_of([["code", "title"], ["130102001000", "建北街道"]]))


def test_plan_imports_townships_and_communities_whose_parent_is_known():
    known = {"130000000000", "130100000000", "130102000000"}
    rows = [
        (2, "130102000000", "长安区"),
        (3, "130102001001", "育才社区居委会"),  # listed before its township
        (4, "130102001000", "建北街道"),
        (5, "130102099001", "光华社区居委会"),  # township 099 is nowhere
        (6, "130104001000", "振头街道"),  # county 130104 is not known
        (7, "130104001001", "某社区"),  # ... so its community is refused too
        (8, "110101001001", "多福巷社区居委会"),
        (9, "130102001000", "建北街道"),
        (10, "13010200100X", "坏代码"),
    ]
    plan = plan_import(rows, known)
    assert [d.code for d in plan.accepted] == ["130102001000", "130102001001"]
    assert plan.accepted[1].parent_code == "130102001000"
    assert plan.accepted[0].level == "township" and plan.accepted[1].level == "community"
    assert [d.code for d in plan.skipped] == ["130102000000"]
    assert [(r.line, r.reason) for r in plan.refused] == [
        (5, "unknown_parent"), (6, "unknown_parent"), (7, "unknown_parent"),
        (8, "not_hebei"), (9, "duplicate_code"), (10, "bad_code")]
    assert all(r.zh and r.en for r in plan.refused)


def test_importing_what_is_already_known_is_accepted_again():
    known = {"130102000000", "130102001000", "130102001001"}
    plan = plan_import([(1, "130102001001", "育才社区居委会")], known)
    assert [d.code for d in plan.accepted] == ["130102001001"] and not plan.refused
