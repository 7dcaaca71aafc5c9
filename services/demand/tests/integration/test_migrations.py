"""Migration 0005 on a database with 0004 data: demands the elder's side has already
evaluated move from ``recorded`` to ``evaluated`` (the rule of ``Demand.follow_evaluations``),
the others stay, and it reverts."""
import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from timebank_testing import PG_BASE

from timebank_common.db import drop_database, ensure_database
from timebank_common.migrations import alembic_config

REGION = "130102001001"


@pytest.fixture
def database(run_id):
    url = f"{PG_BASE}/tbtest_{run_id}_demand_migrations"
    ensure_database(url)
    yield url
    drop_database(url)


def _demand(c, status: str, volunteers: dict[str, tuple[str, str | None, bool]]) -> str:
    """A demand and, per volunteer, ``(assignment status, record status or None,
    evaluated)``."""
    demand_id = str(uuid.uuid4())
    c.execute(text(
        "INSERT INTO demands (id, elder_id, category, description, address, window_start,"
        " window_end, expected_minutes, volunteers_needed, channel, status, region_code,"
        " funding_source) VALUES (:id, 'elder-1', 'culture_sports', '讲座', '育才街12号',"
        " now() - interval '3 hours', now() - interval '1 hour', 60, :n, 'phone', :s, :r,"
        " 'issuance')"), {"id": demand_id, "n": len(volunteers), "s": status, "r": REGION})
    for volunteer, (assignment_status, record_status, evaluated) in volunteers.items():
        assignment_id, record_id = str(uuid.uuid4()), str(uuid.uuid4())
        c.execute(text("INSERT INTO assignments (id, demand_id, volunteer_id, status, assigned_at)"
                       " VALUES (:a, :d, :v, :s, now())"),
                  {"a": assignment_id, "d": demand_id, "v": volunteer, "s": assignment_status})
        if record_status is None:
            continue
        c.execute(text(
            "INSERT INTO service_records (record_id, assignment_id, demand_id, volunteer_id,"
            " elder_id, category, minutes, confirmation, funding_source, region_code,"
            " recorded_by, recorded_at, status, voided) VALUES (:id, :a, :d, :v, 'elder-1',"
            " 'culture_sports', 60, 'phone', 'issuance', :r, 'op-1', now(), :s, :voided)"),
            {"id": record_id, "a": assignment_id, "d": demand_id, "v": volunteer, "r": REGION,
             "s": record_status, "voided": record_status == "voided"})
        if evaluated:
            c.execute(text(
                "INSERT INTO evaluations (evaluation_id, assignment_id, record_id, demand_id,"
                " volunteer_id, elder_id, region_code, score, channel, submitted_at) VALUES"
                " (:e, :a, :rec, :d, :v, 'elder-1', :r, 5, 'app', now())"),
                {"e": str(uuid.uuid4()), "a": assignment_id, "rec": record_id, "d": demand_id,
                 "v": volunteer, "r": REGION})
    return demand_id


def test_0005_moves_the_evaluated_demands_and_reverts(database):
    config = alembic_config("demand", database)
    command.upgrade(config, "0004_record")
    engine = create_engine(database)
    with engine.begin() as c:
        expected = {
            _demand(c, "recorded", {"v1": ("recorded", "sent", True)}): "evaluated",
            _demand(c, "recorded", {"v1": ("recorded", "sent", False)}): "recorded",
            _demand(c, "recorded", {"v1": ("recorded", "sent", True),
                                    "v2": ("recorded", "held", False)}): "recorded",
            # the second record was rejected: nothing to evaluate there
            _demand(c, "recorded", {"v1": ("recorded", "sent", True),
                                    "v2": ("recorded", "rejected", False)}): "evaluated",
            # every record voided and nobody evaluated: stays recorded
            _demand(c, "recorded", {"v1": ("recorded", "voided", False)}): "recorded",
            # a withdrawn volunteer is not waited for
            _demand(c, "recorded", {"v1": ("recorded", "sent", True),
                                    "v2": ("withdrawn", None, False)}): "evaluated",
            # another volunteer not recorded yet: not even recorded
            _demand(c, "awaiting_record", {"v1": ("recorded", "sent", True),
                                           "v2": ("awaiting_record", None, False)}):
                "awaiting_record",
        }
    command.upgrade(config, "head")
    with engine.connect() as c:
        got = {str(i): s for i, s in c.execute(text("SELECT id, status FROM demands"))}
    assert got == expected
    command.downgrade(config, "0004_record")
    with engine.connect() as c:
        statuses = {s for (s,) in c.execute(text("SELECT DISTINCT status FROM demands"))}
    assert statuses == {"recorded", "awaiting_record"}
    engine.dispose()


def test_0010_gives_every_demand_a_payer_and_reverts(database):
    """Demands waiting for review had no funding_source (the station chose it at review):
    they get the default, issuance, chosen by nobody; the downgrade takes it back."""
    config = alembic_config("demand", database)
    command.upgrade(config, "0009_recording_overdue")
    engine = create_engine(database)
    waiting = str(uuid.uuid4())
    with engine.begin() as c:
        c.execute(text(
            "INSERT INTO demands (id, elder_id, category, description, address, window_start,"
            " window_end, expected_minutes, volunteers_needed, channel, status, region_code)"
            " VALUES (:id, 'elder-1', 'emotional_comfort', '陪伴', '育才街12号',"
            " now() + interval '1 day', now() + interval '26 hours', 60, 1, 'phone',"
            " 'submitted', :r)"), {"id": waiting, "r": REGION})
        published = _demand(c, "assigned", {"v1": ("assigned", None, False)})
    command.upgrade(config, "head")
    with engine.connect() as c:
        got = {str(r.id): (r.funding_source, r.funding_chosen_by, r.funding_shortfall_minutes)
               for r in c.execute(text(
                   "SELECT id, funding_source, funding_chosen_by, funding_shortfall_minutes"
                   " FROM demands WHERE id IN (:a, :b)"), {"a": waiting, "b": published})}
    assert got == {waiting: ("issuance", None, 0), published: ("issuance", None, 0)}
    command.downgrade(config, "0009_recording_overdue")
    with engine.connect() as c:
        after = dict(c.execute(text("SELECT id::text, funding_source FROM demands"
                                    " WHERE id IN (:a, :b)"), {"a": waiting, "b": published}
                               ).all())
    assert after == {waiting: None, published: "issuance"}
    engine.dispose()
