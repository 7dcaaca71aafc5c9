"""Delegation only downward: which roles an admin may grant, where, and who manages clients."""
import pytest

from identity.domain.delegation import (
    DelegationRefused,
    Granter,
    check_client_scope,
    check_grant,
    check_revoke,
    management_level,
    manages,
)

PROVINCE, SJZ, CHANG_AN, JIANBEI = "130000000000", "130100000000", "130102000000", "130102001000"
YUCAI = "130102001001"
QIAOXI, QIAOXI_TOWNSHIP = "130104000000", "130104001000"
XINJI, XINJI_TOWNSHIP, DINGZHOU, XIONGAN = "130181000000", "130181001000", "130682000000", "133100000000"
TANGSHAN, LUNAN, LUNAN_TOWNSHIP, LUNAN_COMMUNITY = ("130200000000", "130202000000",
                                                   "130202001000", "130202001001")
BEIJING = "110000000000"

ADMINS = {
    "province": Granter(("province_admin",), PROVINCE),
    "city": Granter(("city_admin",), SJZ),
    "xinji": Granter(("city_admin",), XINJI),
    "county": Granter(("county_admin",), CHANG_AN),
    "township": Granter(("township_admin",), JIANBEI),
    "operator": Granter(("station_operator",), JIANBEI),
    "auditor": Granter(("auditor",), PROVINCE),
    "volunteer": Granter(("volunteer",), YUCAI),
    # a person with several grants acts with the highest admin role
    "county_and_volunteer": Granter(("county_admin", "volunteer"), CHANG_AN),
}

OK = None


@pytest.mark.parametrize("code, level", [
    (PROVINCE, "province"), (SJZ, "city"), (XIONGAN, "city"), (XINJI, "city"),
    (DINGZHOU, "city"), (CHANG_AN, "county"), (JIANBEI, "township"), (YUCAI, "community"),
])
def test_management_levels(code, level):
    assert management_level(code) == level


@pytest.mark.parametrize("scope, code, inside", [
    (PROVINCE, XINJI_TOWNSHIP, True), (SJZ, CHANG_AN, True), (SJZ, JIANBEI, True),
    (SJZ, XINJI, False), (SJZ, XINJI_TOWNSHIP, False),  # 辛集 is a city-level unit of its own
    (XINJI, XINJI_TOWNSHIP, True), (XINJI, CHANG_AN, False), (CHANG_AN, JIANBEI, True),
    (CHANG_AN, QIAOXI, False), (JIANBEI, YUCAI, True), (SJZ, LUNAN, False),
    (PROVINCE, BEIJING, False), (None, SJZ, False),
])
def test_what_a_scope_manages(scope, code, inside):
    assert manages(scope, code) is inside


# granter, role, scope, carrier's community -> the scope granted, or the refusal
GRANTS = [
    # province admins: every role, anywhere in the province
    ("province", "province_admin", PROVINCE, None, PROVINCE),
    ("province", "city_admin", SJZ, None, SJZ),
    ("province", "city_admin", XINJI, None, XINJI),
    ("province", "city_admin", XIONGAN, None, XIONGAN),
    ("province", "county_admin", LUNAN, None, LUNAN),
    ("province", "station_operator", None, LUNAN_COMMUNITY, LUNAN_TOWNSHIP),
    ("province", "auditor", PROVINCE, None, PROVINCE),
    ("province", "city_admin", BEIJING, None, "scope_level_mismatch"),
    ("province", "city_admin", "110100000000", None, "out_of_scope"),
    # city admins: county, township, station, auditor in their city
    ("city", "county_admin", CHANG_AN, None, CHANG_AN),
    ("city", "township_admin", JIANBEI, None, JIANBEI),
    ("city", "station_operator", None, YUCAI, JIANBEI),
    ("city", "auditor", SJZ, None, SJZ),
    ("city", "county_admin", LUNAN, None, "out_of_scope"),
    ("city", "township_admin", XINJI_TOWNSHIP, None, "out_of_scope"),
    ("city", "city_admin", SJZ, None, "role_not_delegable"),
    ("city", "province_admin", PROVINCE, None, "province_admin_reserved"),
    ("city", "county_admin", JIANBEI, None, "scope_level_mismatch"),
    ("city", "county_admin", SJZ, None, "scope_level_mismatch"),
    ("city", "county_admin", XINJI, None, "scope_level_mismatch"),  # 辛集 is a city-level unit
    ("city", "auditor", YUCAI, None, "scope_level_mismatch"),
    ("city", "auditor", PROVINCE, None, "out_of_scope"),
    # 辛集's city admin appoints its townships' staff directly
    ("xinji", "township_admin", XINJI_TOWNSHIP, None, XINJI_TOWNSHIP),
    ("xinji", "township_admin", JIANBEI, None, "out_of_scope"),
    # county admins: township, station, auditor in their county
    ("county", "township_admin", JIANBEI, None, JIANBEI),
    ("county", "station_operator", None, YUCAI, JIANBEI),
    ("county", "auditor", CHANG_AN, None, CHANG_AN),
    ("county", "county_admin", CHANG_AN, None, "role_not_delegable"),
    ("county", "county_admin", QIAOXI, None, "role_not_delegable"),
    ("county", "city_admin", SJZ, None, "role_not_delegable"),
    ("county", "township_admin", QIAOXI_TOWNSHIP, None, "out_of_scope"),
    ("county_and_volunteer", "township_admin", JIANBEI, None, JIANBEI),
    # township admins: station operators and auditors in their township
    ("township", "station_operator", None, YUCAI, JIANBEI),
    ("township", "station_operator", JIANBEI, YUCAI, JIANBEI),
    ("township", "auditor", JIANBEI, None, JIANBEI),
    ("township", "station_operator", None, LUNAN_COMMUNITY, "out_of_scope"),
    ("township", "station_operator", LUNAN_TOWNSHIP, YUCAI, "scope_level_mismatch"),
    ("township", "station_operator", None, None, "carrier_required"),
    ("township", "township_admin", JIANBEI, None, "role_not_delegable"),
    ("township", "auditor", CHANG_AN, None, "out_of_scope"),
    ("county", "township_admin", JIANBEI, YUCAI, "carrier_not_for_role"),
    ("county", "township_admin", None, None, "scope_required"),
    # not admins: no grants at all
    ("operator", "station_operator", None, YUCAI, "not_an_admin"),
    ("auditor", "auditor", JIANBEI, None, "not_an_admin"),
    ("volunteer", "station_operator", None, YUCAI, "not_an_admin"),
    ("province", "volunteer", YUCAI, None, "unknown_role"),
    ("province", "api_client", SJZ, None, "unknown_role"),
]


@pytest.mark.parametrize("granter, role, scope, carrier_region, expected", GRANTS,
                         ids=[f"{g}-{r}-{s or c}" for g, r, s, c, _ in GRANTS])
def test_grants(granter, role, scope, carrier_region, expected):
    if expected.isdigit():
        assert check_grant(ADMINS[granter], role, scope, carrier_region) == expected
        return
    with pytest.raises(DelegationRefused) as info:
        check_grant(ADMINS[granter], role, scope, carrier_region)
    assert info.value.reason == expected
    assert info.value.zh and info.value.en


def grant(role, scope, person="p-1", revoked_at=None):
    return {"role": role, "scope_code": scope, "person_id": person, "revoked_at": revoked_at}


REVOKES = [
    ("county", grant("township_admin", JIANBEI), None, OK),
    ("county", grant("station_operator", JIANBEI), YUCAI, OK),
    ("township", grant("station_operator", JIANBEI), YUCAI, OK),
    ("city", grant("county_admin", CHANG_AN), None, OK),
    ("county", grant("county_admin", CHANG_AN), None, "role_not_delegable"),
    ("township", grant("station_operator", LUNAN_TOWNSHIP), LUNAN_COMMUNITY, "out_of_scope"),
    ("city", grant("county_admin", LUNAN), None, "out_of_scope"),
    ("province", grant("province_admin", PROVINCE, person="me"), None, "own_grant"),
    ("county", grant("township_admin", JIANBEI, revoked_at="2026-11-29"), None, "already_revoked"),
    ("province", grant("volunteer", YUCAI), None, "not_an_operator_grant"),
    ("operator", grant("station_operator", JIANBEI), YUCAI, "not_an_admin"),
]


@pytest.mark.parametrize("granter, target, carrier_region, expected", REVOKES)
def test_revocations_take_what_granting_takes(granter, target, carrier_region, expected):
    if expected is OK:
        check_revoke(ADMINS[granter], "me", target, carrier_region)
        return
    with pytest.raises(DelegationRefused) as info:
        check_revoke(ADMINS[granter], "me", target, carrier_region)
    assert info.value.reason == expected


CLIENTS = [
    ("province", SJZ, OK), ("province", XINJI, OK), ("province", XIONGAN, OK),
    ("province", LUNAN, "client_scope_not_city"), ("province", "110100000000", "out_of_scope"),
    ("city", SJZ, OK), ("city", TANGSHAN, "out_of_scope"), ("city", XINJI, "out_of_scope"),
    ("city", CHANG_AN, "client_scope_not_city"), ("xinji", XINJI, OK),
    ("county", CHANG_AN, "not_an_admin"), ("auditor", SJZ, "not_an_admin"),
]


@pytest.mark.parametrize("granter, scope, expected", CLIENTS)
def test_municipal_clients_are_scoped_to_a_city_of_the_manager(granter, scope, expected):
    if expected is OK:
        check_client_scope(ADMINS[granter], scope)
        return
    with pytest.raises(DelegationRefused) as info:
        check_client_scope(ADMINS[granter], scope)
    assert info.value.reason == expected
