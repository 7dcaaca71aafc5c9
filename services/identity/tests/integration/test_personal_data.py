"""Personal data protection, against the real database: nothing personal stored in clear,
uniqueness and login through keyed hashes, unmasked reads for the roles that need them, the
audit log (staff writes and unmasked reads, masked, queryable in scope), key rotation, and the
gateway routes."""
import itertools
import random

import pytest
from sqlalchemy import text

from identity.adapters import personal_data
from identity.adapters.regions import load_regions
from identity.commands.demo import JIANBEI, demo_id_number
from identity.commands.rotate_pii_keys import rotate
from timebank_common.errors import Conflict, Forbidden
from timebank_common.pii import add_key

PROVINCE_ADMIN, COUNTY_ADMIN, TOWNSHIP_ADMIN = "13800000001", "13800000003", "13800000004"
OPERATOR, AUDITOR, VOLUNTEER = "13800000005", "13800000006", "13800000007"
YUCAI = "130102001001"
OTHER_TOWNSHIP, OTHER_COMMUNITY = "130102002000", "130102002001"  # 长安区, not 建北街道
_serial = itertools.count(301)
_phones = itertools.count(random.randrange(10_000) * 1000)


def fresh(birth: str) -> tuple[str, str]:
    """A never used ID number (born ``birth``) and mobile number."""
    return (demo_id_number(birth, f"{next(_serial):03d}"),
            f"136{next(_phones) % 100_000_000:08d}")


@pytest.fixture
def other_township(identity_db):
    with identity_db() as uow:
        load_regions(uow, [
            {"code": OTHER_TOWNSHIP, "name": "青园街道", "level": "township",
             "parent_code": "130102000000"},
            {"code": OTHER_COMMUNITY, "name": "青园社区居委会", "level": "community",
             "parent_code": OTHER_TOWNSHIP}])
        uow.commit()
    return OTHER_COMMUNITY


def all_text_in_database(db) -> str:
    """Every text, varchar, array and JSON value of every table, as one string."""
    with db() as c:
        columns = c.execute(text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN "
            "('text', 'character varying', 'jsonb', 'json', 'ARRAY')")).all()
        chunks = []
        for table, column in columns:
            chunks += [str(v) for v in c.execute(text(
                f'SELECT "{column}"::text FROM "{table}" WHERE "{column}" IS NOT NULL')).scalars()]
    return "\n".join(chunks)


def register_pair(identity, operator) -> dict:
    """An elder (with address and emergency contact) and a volunteer (with a health note)
    registered through the RPCs; the personal values used."""
    elder_number, elder_phone = fresh("19470512")
    _, contact_phone = fresh("19700101")
    secrets = {"elder_number": elder_number, "elder_phone": elder_phone,
               "address": "建北街道育才街十七号院三单元", "contact_name": "欧阳紧急联系",
               "contact_phone": contact_phone, "health": "轻度高血压已控制六年",
               "evidence": "独居核查表编号HX20261129"}
    elder = identity.register_elder(operator, {
        "name": "加密老人", "id_number": elder_number, "phone": elder_phone, "phone_only": False,
        "address": secrets["address"], "emergency_contact_name": secrets["contact_name"],
        "emergency_contact_phone": contact_phone, "region_code": YUCAI,
        "initial_password": "Elder@2026"})
    volunteer_number, volunteer_phone = fresh("19920203")
    secrets.update(volunteer_number=volunteer_number, volunteer_phone=volunteer_phone)
    volunteer = identity.register_volunteer(operator, {
        "name": "加密志愿者", "id_number": volunteer_number, "phone": volunteer_phone,
        "address": "建北街道另一条街九号", "region_code": YUCAI,
        "initial_password": "Volunteer@2026"})
    identity.declare_health(operator, volunteer["person_id"], {"declaration": True, "note": secrets["health"]})
    identity.submit_priority(operator, elder["person_id"],
                             {"category": "empty_nest", "evidence": secrets["evidence"]})
    return {"elder": elder, "volunteer": volunteer, "secrets": secrets}


@pytest.fixture
def pair(identity, login):
    return register_pair(identity, login(OPERATOR))


def test_the_database_holds_no_personal_number_phone_address_or_health_data_in_clear(
        pair, identity_db):
    stored = all_text_in_database(identity_db)
    assert "加密老人" in stored  # the scan sees the rows: names are kept in clear, on purpose
    for name, value in pair["secrets"].items():
        assert value not in stored, f"{name} is stored in clear"
    with identity_db() as c:
        row = c.execute(text("SELECT id_number_hash, id_number_enc, phone_enc, address_enc "
                             "FROM persons WHERE id = :id"),
                        {"id": pair["elder"]["person_id"]}).one()
    assert len(row.id_number_hash) == 64 and row.id_number_enc.startswith("v1:")
    assert row.phone_enc.startswith("v1:") and row.address_enc.startswith("v1:")


def test_the_service_still_reads_them_and_refuses_a_duplicate_id_number(pair, identity, login):
    operator, secrets = login(OPERATOR), pair["secrets"]
    elder = identity.get_elder(operator, pair["elder"]["person_id"])
    assert elder["id_number_masked"] == secrets["elder_number"][:6] + "********" \
        + secrets["elder_number"][-4:]
    assert elder["phone_masked"] == secrets["elder_phone"][:3] + "****" \
        + secrets["elder_phone"][-4:]
    with pytest.raises(Conflict) as info:
        identity.register_elder(operator, {"name": "加密老人", "id_number": secrets["elder_number"],
                                           "region_code": YUCAI})
    assert info.value.code == "already_registered"
    number, _ = fresh("19500101")
    with pytest.raises(Conflict) as info:  # someone else's phone, found by its keyed hash
        identity.register_elder(operator, {"name": "另一位老人", "id_number": number,
                                           "phone": secrets["elder_phone"], "region_code": YUCAI})
    assert info.value.code == "phone_in_use"


def test_login_by_phone_still_works(pair, identity, login):
    elder = login(pair["secrets"]["elder_phone"], "Elder@2026")
    assert elder["person_id"] == pair["elder"]["person_id"]
    assert identity.me(elder)["phone_masked"].endswith(pair["secrets"]["elder_phone"][-4:])


def test_the_elders_station_operator_sees_the_full_data_and_the_read_is_audited(pair, identity,
                                                                                login):
    operator, auditor, secrets = login(OPERATOR), login(AUDITOR), pair["secrets"]
    elder_id = pair["elder"]["person_id"]
    full = identity.get_elder(operator, elder_id, unmasked=True)
    assert full["id_number"] == secrets["elder_number"] and full["phone"] == secrets["elder_phone"]
    assert full["address"] == secrets["address"]
    assert full["emergency_contact_phone"] == secrets["contact_phone"]
    assert full["emergency_contact_name"] == secrets["contact_name"]
    assert "id_number" not in identity.get_elder(operator, elder_id)  # masked by default

    entries = identity.query_audit(auditor, {"action": "read_unmasked", "target_id": elder_id})
    assert entries["total"] == 1
    entry = entries["items"][0]
    assert entry["actor_person_id"] == operator["person_id"]
    assert entry["actor_roles"] == ["station_operator"] and entry["region_code"] == YUCAI
    assert "id_number" in entry["after"]["fields"] and secrets["elder_phone"] not in str(entry)

    with pytest.raises(Forbidden) as info:  # auditors audit with masked data
        identity.get_elder(auditor, elder_id, unmasked=True)
    assert info.value.code == "unmasked_not_allowed"
    # the person themself sees their own data
    me = login(secrets["volunteer_phone"], "Volunteer@2026")
    own = identity.get_person(me, pair["volunteer"]["person_id"], unmasked=True)
    assert own["id_number"] == secrets["volunteer_number"]
    assert identity.query_audit(auditor, {"action": "read_unmasked",
                                          "target_id": elder_id})["total"] == 1


def test_an_admin_write_is_audited_with_masked_before_and_after(pair, identity, login):
    township, auditor, secrets = login(TOWNSHIP_ADMIN), login(AUDITOR), pair["secrets"]
    elder_id = pair["elder"]["person_id"]
    identity.verify_priority(township, elder_id, "empty_nest", {"decision": "verify"})
    entries = identity.query_audit(auditor, {"action": "verify_priority",
                                             "target_id": f"{elder_id}:empty_nest"})
    assert entries["total"] == 1
    entry = entries["items"][0]
    assert entry["actor_person_id"] == township["person_id"] and entry["target_type"] == "elder_priority"
    assert entry["before"]["status"] == "pending" and entry["after"]["status"] == "verified"
    assert secrets["evidence"] not in str(entry) and entry["after"]["evidence"].startswith("[withheld")

    registered = identity.query_audit(auditor, {"action": "register_elder", "target_id": elder_id})
    assert registered["total"] == 1
    after = registered["items"][0]["after"]
    assert after["id_number_masked"].startswith(secrets["elder_number"][:6])
    assert secrets["elder_number"] not in str(after) and secrets["elder_phone"] not in str(after)
    health = identity.query_audit(auditor, {"action": "declare_health",
                                            "target_id": pair["volunteer"]["person_id"]})
    assert health["total"] == 1 and secrets["health"] not in str(health)


def test_the_audit_log_is_read_within_scope(pair, identity, login, other_township):
    county, township = login(COUNTY_ADMIN), login(TOWNSHIP_ADMIN)
    number, _ = fresh("19490909")
    elsewhere = identity.register_elder(county, {"name": "青园老人", "id_number": number,
                                                 "region_code": other_township})
    mine = identity.query_audit(county, {"target_id": elsewhere["person_id"]})
    assert [e["action"] for e in mine["items"]] == ["register_elder"]
    assert identity.query_audit(township, {"target_id": elsewhere["person_id"]})["total"] == 0
    seen = identity.query_audit(township, {"page_size": 100})
    assert seen["items"] and all(e["region_code"].startswith(JIANBEI[:9]) for e in seen["items"])
    ats = [e["at"] for e in seen["items"]]
    assert ats == sorted(ats, reverse=True)  # newest first
    with pytest.raises(Forbidden) as info:
        identity.query_audit(township, {"region_code": other_township})
    assert info.value.code == "out_of_scope"
    with pytest.raises(Forbidden) as info:
        identity.query_audit(login(VOLUNTEER), {})
    assert info.value.code == "role_required"
    with pytest.raises(Forbidden) as info:
        identity.query_audit(login(OPERATOR), {})
    assert info.value.code == "role_required"


def test_rotation_reencrypts_every_value_and_they_still_open(pair, identity, login, identity_db,
                                                             pii_keys):
    old_kid = personal_data.keys().cipher.active
    new_kid = add_key(pii_keys["PII_KEYS_FILE"])
    personal_data.configure(pii_keys)  # this process (containers share it) uses the new key
    try:
        first = rotate(identity_db, batch=2)
        assert first["persons"] > 0 and first["credentials"] > 0
        assert all(n == 0 for n in rotate(identity_db, batch=2).values())  # nothing left
        stored = all_text_in_database(identity_db)
        assert f"v1:{old_kid}:" not in stored and f"v1:{new_kid}:" in stored
        operator = login(OPERATOR)  # login by phone: the hashes did not change
        full = identity.get_elder(operator, pair["elder"]["person_id"], unmasked=True)
        assert full["phone"] == pair["secrets"]["elder_phone"]
    finally:
        personal_data.configure(pii_keys)




def test_the_gateway_serves_unmasked_reads_and_the_audit_log(identity_rpc, rpc_login, http):
    pair = register_pair(identity_rpc, rpc_login(OPERATOR))  # committed: the gateway asks RPC
    elder_id = pair["elder"]["person_id"]
    resp = http("GET", f"/elders/{elder_id}?unmasked=true", OPERATOR)
    assert resp.status_code == 200 and resp.json()["phone"] == pair["secrets"]["elder_phone"]
    assert "phone" not in http("GET", f"/elders/{elder_id}", OPERATOR).json()
    assert http("GET", f"/elders/{elder_id}?unmasked=true", AUDITOR).status_code == 403
    resp = http("GET", f"/audit?action=read_unmasked&target_id={elder_id}&page_size=5", AUDITOR)
    assert resp.status_code == 200, resp.text
    assert resp.json()["items"][0]["actor_roles"] == ["station_operator"]
    assert http("GET", "/audit", VOLUNTEER).status_code == 403
    assert http("GET", "/audit?since=not-a-time", AUDITOR).status_code == 400
