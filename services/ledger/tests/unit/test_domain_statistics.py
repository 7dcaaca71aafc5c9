from ledger.domain.statistics import FlowRow, attributions, ledger_figures

CHANGAN = "130102001001"  # 石家庄 长安区
QIAOXI = "130104002003"  # 石家庄 桥西区
TANGSHAN = "130203001001"
SJZ_ISSUANCE = "130100000000"


def test_each_kind_counts_in_the_region_of_the_person_it_concerns():
    assert attributions(FlowRow("service_credit", "issuance", "personal", SJZ_ISSUANCE,
                                CHANGAN, 60)) == [("deposited", CHANGAN)]
    assert attributions(FlowRow("service_credit", "personal", "personal", QIAOXI, CHANGAN,
                                60)) == [("deposited", CHANGAN), ("spent", QIAOXI)]
    assert attributions(FlowRow("gift_to_relative", "personal", "personal", CHANGAN, TANGSHAN,
                                5)) == [("gifted", CHANGAN)]
    assert attributions(FlowRow("donation", "personal", "donation_pool", QIAOXI, QIAOXI,
                                5)) == [("donated", QIAOXI)]
    assert attributions(FlowRow("grant", "issuance", "grant", SJZ_ISSUANCE, QIAOXI,
                                5)) == [("granted", QIAOXI)]
    assert attributions(FlowRow("reversal", "personal", "issuance", CHANGAN, SJZ_ISSUANCE,
                                5)) == [("reversed", CHANGAN)]


def test_figures_for_a_city_with_children_and_liability():
    flows = [
        FlowRow("service_credit", "issuance", "personal", SJZ_ISSUANCE, CHANGAN, 120, 2),
        FlowRow("service_credit", "issuance", "personal", SJZ_ISSUANCE, QIAOXI, 30),
        FlowRow("service_credit", "issuance", "personal", "130200000000", TANGSHAN, 999),
        FlowRow("gift_to_relative", "personal", "personal", CHANGAN, TANGSHAN, 10),
        FlowRow("reversal", "personal", "issuance", CHANGAN, SJZ_ISSUANCE, 30),
    ]
    issuance = [{"region_code": SJZ_ISSUANCE, "balance_minutes": -120},
                {"region_code": "130200000000", "balance_minutes": -999}]
    got = ledger_figures("130100000000", flows, issuance)
    assert (got["deposited_minutes"], got["gifted_minutes"], got["reversed_minutes"]) == (
        150, 10, 30)
    assert got["liability"] == [{"region_code": SJZ_ISSUANCE, "liability_minutes": 120}]
    assert got["liability_minutes"] == 120
    children = {c["region_code"]: c for c in got["children"]}
    assert set(children) == {"130102000000", "130104000000"}
    assert children["130102000000"]["deposited_minutes"] == 120
    assert children["130102000000"]["reversed_minutes"] == 30
    assert children["130104000000"]["deposited_minutes"] == 30
    assert sum(c["deposited_minutes"] for c in got["children"]) == got["deposited_minutes"]


def test_a_county_sees_no_city_liability_and_its_townships_below():
    flows = [FlowRow("service_credit", "issuance", "personal", SJZ_ISSUANCE, CHANGAN, 60)]
    got = ledger_figures("130102000000", flows,
                         [{"region_code": SJZ_ISSUANCE, "balance_minutes": -60}])
    assert got["liability"] == [] and got["deposited_minutes"] == 60
    assert [c["region_code"] for c in got["children"]] == ["130102001000"]


def test_the_donation_pools_of_the_city_level_units_in_the_region():
    pools = [{"region_code": "130200000000", "balance_minutes": 500},
             {"region_code": SJZ_ISSUANCE, "balance_minutes": 90},
             {"region_code": "130682000000", "balance_minutes": 0}]  # 定州: a city-level unit
    city = ledger_figures("130100000000", [], [], pools=pools)
    assert city["pools"] == [{"region_code": SJZ_ISSUANCE, "balance_minutes": 90}]
    assert city["pool_minutes"] == 90
    province = ledger_figures("130000000000", [], [], pools=pools)
    assert [p["region_code"] for p in province["pools"]] == [
        SJZ_ISSUANCE, "130200000000", "130682000000"]
    assert province["pool_minutes"] == 590
    county = ledger_figures("130102000000", [], [], pools=pools)  # paid by its city's pool
    assert (county["pools"], county["pool_minutes"]) == ([], 0)
    assert ledger_figures("130100000000", [], [])["pools"] == []
