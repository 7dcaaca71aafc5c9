"""Migration 0002 on a database that has 0001 data: carriers keep working, and it reverts."""
import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from timebank_common.db import drop_database, ensure_database
from timebank_common.migrations import alembic_config
from timebank_common.testing import PG_BASE

pytestmark = pytest.mark.integration


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


def test_0007_keeps_revoked_grants_beside_an_active_one_and_reverts(database):
    config = alembic_config("identity", database)
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
