"""The shipped Hebei tree and the import of townships and communities, on real PostgreSQL."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from identity.adapters.hebei_regions import hebei_regions
from identity.adapters.tables import regions
from identity.app.divisions import import_divisions
from identity.commands import import_divisions as import_command
from identity.commands.file_import import read_table
from timebank_common.errors import NotFound

SAMPLE = Path(__file__).parent / "data" / "divisions_sample.csv"
PROVINCE, SHIJIAZHUANG, CHANG_AN = "130000000000", "130100000000", "130102000000"


def region_count(db) -> int:
    with db() as uow:
        return uow.execute(select(func.count()).select_from(regions)).scalar()


def test_the_hebei_tree_is_loaded_with_city_level_units_and_coordinates(identity):
    cities = identity.list_regions(PROVINCE)
    assert len(cities) == 14
    assert {"辛集市", "定州市", "雄安新区", "石家庄市"} <= {c["name"] for c in cities}
    assert all(c["level"] == "city" and c["parent_code"] == PROVINCE for c in cities)
    assert all(c["longitude"] and c["latitude"] for c in cities)
    xiongan = identity.get_region("133100000000")
    assert xiongan["longitude"] == pytest.approx(115.87) and xiongan["latitude"] == pytest.approx(38.99)
    assert identity.get_region("130181000000")["level"] == "city"
    assert identity.list_regions(None) == [{
        "code": PROVINCE, "name": "河北省", "level": "province", "parent_code": None,
        "longitude": pytest.approx(114.530235), "latitude": pytest.approx(38.037433)}]


def test_counties_are_listed_under_their_city(identity):
    counties = {c["code"]: c for c in identity.list_regions(SHIJIAZHUANG)}
    assert len(counties) == 21 and "130181000000" not in counties  # 辛集 is city-level
    chang_an = counties[CHANG_AN]
    assert chang_an["name"] == "长安区" and chang_an["level"] == "county"
    assert chang_an["longitude"] == pytest.approx(114.539395)
    assert sum(1 for r in hebei_regions() if r["level"] == "county") == 165
    with pytest.raises(NotFound):
        identity.get_region("139900000000")


def test_import_is_idempotent_and_refuses_rows_without_a_known_parent(identity, identity_db):
    before = region_count(identity_db)
    first = import_divisions(identity_db, read_table(SAMPLE))
    after_first = region_count(identity_db)
    second = import_divisions(identity_db, read_table(SAMPLE))
    assert first == second
    assert first.imported == 10 and first.skipped == 1
    assert [(r.code, r.reason) for r in first.refused] == [
        ("130102099001", "unknown_parent"), ("110101001001", "not_hebei")]
    assert region_count(identity_db) == after_first <= before + 10

    jianbei = identity.list_regions("130102001000")
    assert [(r["code"], r["name"], r["level"]) for r in jianbei] == [
        ("130102001001", "育才社区居委会", "community"),
        ("130102001002", "跃进社区居委会", "community"),
        ("130102001003", "胜利北街社区居委会", "community")]
    townships = {r["code"]: r["name"] for r in identity.list_regions(CHANG_AN)}
    assert townships == {"130102001000": "建北街道", "130102002000": "青园街道",
                         "130102100000": "高营镇"}
    assert identity.get_region("130102100201")["parent_code"] == "130102100000"
    # the county keeps its coordinates although the list has none
    assert identity.get_region(CHANG_AN)["longitude"] == pytest.approx(114.539395)


def test_import_command_reports_refusals(demo, tmp_path, capsys, monkeypatch):
    config = tmp_path / "identity.yaml"
    config.write_text(f"DATABASE_URL: {demo['url']}\n", encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text("code,name\n130102002000,青园街道\n130102002003,新社区居委会\n",
                    encoding="utf-8")
    assert import_command.main([str(good), "--config", str(config)]) == 0
    assert "imported: 2" in capsys.readouterr().out
    assert import_command.main([str(SAMPLE), "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "130102099001" in out and "上级区划不存在" in out and "unknown" in out
