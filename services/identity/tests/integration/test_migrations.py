"""Migration 0002 on a database that has 0001 data: carriers keep working, and it reverts."""
import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError
from timebank_testing import PG_BASE

from timebank_common.db import drop_database, ensure_database
from timebank_common.migrations import alembic_config


@pytest.fixture
def database(run_id):
    url = f"{PG_BASE}/tbtest_{run_id}_identity_migrations"
    ensure_database(url)
    yield url
    drop_database(url)


def test_0002_maps_old_carriers_and_can_be_reverted(database):
    config = alembic_config("identity", database)
    command.upgrade(config, "0001")
    engine = create_engine(database)
    station, other = uuid.uuid4(), uuid.uuid4()
    with engine.begin() as c:
        c.execute(text("INSERT INTO regions (code, name, level) "
                       "VALUES ('130102001001', '育才社区居委会', 'community')"))
        c.execute(text("INSERT INTO carriers (id, name, kind, region_code, phone) VALUES "
                       "(:a, '育才社区养老服务站', 'social_work_station', '130102001001', '031100000000'),"
                       "(:b, '老站点', 'station', '130102001001', NULL)"), {"a": station, "b": other})
    command.upgrade(config, "head")
    with engine.connect() as c:
        rows = {r.id: r for r in c.execute(text(
            "SELECT id, kind, contact_phone, created_at FROM carriers"))}
        region = c.execute(text("SELECT longitude, latitude FROM regions")).one()
    assert rows[station].kind == "social_work_station" and rows[other].kind == "social_work_station"
    assert rows[station].contact_phone == "031100000000" and rows[station].created_at
    assert tuple(region) == (None, None)
    command.downgrade(config, "0001")
    with engine.connect() as c:
        assert c.execute(text("SELECT phone FROM carriers WHERE id = :a"),
                         {"a": station}).scalar() == "031100000000"
    engine.dispose()


def test_0006_encrypts_existing_personal_data_and_can_be_reverted(database, tmp_path):
    from timebank_common.pii import ensure_key_file, load_key_file

    key_file = tmp_path / "pii-keys.json"
    ensure_key_file(key_file)
    config = alembic_config("identity", database, {"PII_KEYS_FILE": str(key_file)})
    command.upgrade(config, "0004")
    engine = create_engine(database)
    elder, son = uuid.uuid4(), uuid.uuid4()
    with engine.begin() as c:
        c.execute(text(
            "INSERT INTO persons (id, name, id_number, sex, birth_date, phone, address, region_code)"
            " VALUES (:e, '王桂兰', '130102194803080827', 'female', '1948-03-08', '13800000008',"
            " '育才街1号', '130102001001'), (:s, '王志刚', '130102197607200915', 'male',"
            " '1976-07-20', NULL, NULL, '130102001001')"), {"e": elder, "s": son})
        c.execute(text("INSERT INTO credentials (person_id, login_phone, password_hash) "
                       "VALUES (:e, '13800000008', 'x')"), {"e": elder})
        c.execute(text("INSERT INTO elder_profiles (person_id, phone_only, emergency_contact_name,"
                       " emergency_contact_phone) VALUES (:e, false, '王志刚', '13800000009')"),
                  {"e": elder})
        c.execute(text("INSERT INTO volunteer_profiles (person_id, health_note) "
                       "VALUES (:s, '健康')"), {"s": son})
        c.execute(text("INSERT INTO elder_priorities (person_id, category, evidence, status) "
                       "VALUES (:e, 'empty_nest', '核查表', 'pending')"), {"e": elder})
        c.execute(text("INSERT INTO relative_links (id, person_id, relative_person_id, kind, "
                       "evidence, status) VALUES (:i, :e, :s, 'child', '户口簿', 'pending')"),
                  {"i": uuid.uuid4(), "e": elder, "s": son})
    command.upgrade(config, "head")
    keys = load_key_file(key_file)
    with engine.connect() as c:
        person = c.execute(text("SELECT * FROM persons WHERE id = :e"), {"e": elder}).mappings().one()
        son_row = c.execute(text("SELECT * FROM persons WHERE id = :s"), {"s": son}).mappings().one()
        login = c.execute(text("SELECT * FROM credentials")).mappings().one()
        contact = c.execute(text("SELECT emergency_contact_phone_enc FROM elder_profiles")).scalar()
        evidence = c.execute(text("SELECT evidence_enc FROM relative_links")).scalar()
    assert "id_number" not in person and "phone" not in person and "address" not in person
    assert keys.cipher.decrypt(person["id_number_enc"]) == "130102194803080827"
    assert person["id_number_hash"] == keys.hasher.digest("id_number", "130102194803080827")
    assert keys.cipher.decrypt(person["address_enc"]) == "育才街1号"
    assert son_row["phone_enc"] is None and son_row["phone_hash"] is None
    assert login["login_phone_hash"] == keys.hasher.digest("phone", "13800000008")
    assert keys.cipher.decrypt(contact) == "13800000009"
    assert keys.cipher.decrypt(evidence) == "户口簿"
    command.downgrade(config, "0004")
    with engine.connect() as c:
        assert c.execute(text("SELECT id_number, phone, address FROM persons WHERE id = :e"),
                         {"e": elder}).one() == ("130102194803080827", "13800000008", "育才街1号")
        assert c.execute(text("SELECT login_phone FROM credentials")).scalar() == "13800000008"
        assert c.execute(text("SELECT evidence FROM elder_priorities")).scalar() == "核查表"


def test_0007_keeps_revoked_grants_beside_an_active_one_and_reverts(database, tmp_path):
    from timebank_common.pii import ensure_key_file

    key_file = tmp_path / "pii-keys.json"  # 0006, on the way, encrypts the person's data
    ensure_key_file(key_file)
    config = alembic_config("identity", database, {"PII_KEYS_FILE": str(key_file)})
    command.upgrade(config, "0004")
    engine = create_engine(database)
    person = uuid.uuid4()
    with engine.begin() as c:
        c.execute(text("INSERT INTO persons (id, name, id_number, sex, birth_date, region_code) "
                       "VALUES (:p, '冯建军', '130104197001011234', 'male', '1970-01-01', "
                       "'130102001001')"), {"p": person})
        c.execute(text("INSERT INTO role_grants (id, person_id, role, scope_code) "
                       "VALUES (:g, :p, 'township_admin', '130102001000')"),
                  {"g": uuid.uuid4(), "p": person})
        c.execute(text("INSERT INTO api_clients (client_id, name, secret_hash, scope_code) "
                       "VALUES ('sjz', '石家庄', 'x', '130100000000')"))
    command.upgrade(config, "0007")
    grant = "INSERT INTO role_grants (id, person_id, role, scope_code, revoked_at) " \
            "VALUES (:g, :p, 'township_admin', '130102001000', {})"
    with engine.begin() as c:
        c.execute(text("UPDATE role_grants SET revoked_at = now(), revoke_reason = '调离'"))
        c.execute(text(grant.format("NULL")), {"g": uuid.uuid4(), "p": person})
        assert c.execute(text("SELECT revoked_at FROM api_clients")).scalar() is None
    with pytest.raises(IntegrityError), engine.begin() as c:  # one active grant only
        c.execute(text(grant.format("NULL")), {"g": uuid.uuid4(), "p": person})
    command.downgrade(config, "0004")
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM role_grants")).scalar() == 1
    engine.dispose()


def test_0011_to_0014_keep_existing_people_active_and_can_be_reverted(database):
    """Persons before 0011 are active; 0014's revoked categories become rejected on the way
    down; every step down and up again works."""
    config = alembic_config("identity", database)
    command.upgrade(config, "0010")
    engine = create_engine(database)
    person = uuid.uuid4()
    with engine.begin() as c:
        c.execute(text(
            "INSERT INTO persons (id, name, id_number_hash, id_number_enc, sex, birth_date,"
            " region_code) VALUES (:p, '王桂兰', 'h1', 'e1', 'female', '1940-01-01',"
            " '130102001001')"), {"p": person})
        c.execute(text("INSERT INTO elder_profiles (person_id, phone_only) VALUES (:p, false)"),
                  {"p": person})
    command.upgrade(config, "head")
    with engine.begin() as c:
        assert c.execute(text("SELECT status FROM persons WHERE id = :p"),
                         {"p": person}).scalar() == "active"
        assert c.execute(text("SELECT advanced_age_granted_at FROM elder_profiles"
                              " WHERE person_id = :p"), {"p": person}).scalar() is None
        c.execute(text("INSERT INTO elder_priorities (person_id, category, evidence_enc, status)"
                       " VALUES (:p, 'empty_nest', 'e', 'revoked')"), {"p": person})
    command.downgrade(config, "0010")
    with engine.connect() as c:
        assert c.execute(text("SELECT status FROM elder_priorities WHERE person_id = :p"),
                         {"p": person}).scalar() == "rejected"
    command.upgrade(config, "head")
    engine.dispose()
