"""``python -m reporting.commands.rebuild``: on a database of its own, what the live handlers
committed is rebuilt from the archive to the same figures."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import yaml

from reporting.commands.rebuild import main
from reporting.service import ReportingService
from timebank_common.db import UnitOfWork, make_engine

from .conftest import credited, feed, recorded


@pytest.fixture
def committed(own_database_url, clock, tmp_path):
    """The service's handlers on real, committed units of work; the config file naming it."""
    from nameko.testing.services import worker_factory

    url = own_database_url("reporting")
    engine = make_engine(url, pool_size=1)
    service = worker_factory(ReportingService, db=lambda: UnitOfWork(engine), clock=clock)
    config = tmp_path / "reporting.yaml"
    config.write_text(yaml.safe_dump({"DATABASE_URL": url}))
    yield service, engine, str(config)
    engine.dispose()


def facts(engine):
    with engine.connect() as conn:
        return sorted(map(tuple, conn.execute(sa.text(
            "SELECT region_prefix, day, measure, category, funding_source, value FROM facts"))))


def test_the_command_replays_the_archive_to_the_same_facts(committed, capsys):
    service, engine, config = committed
    at = dt.datetime(2026, 6, 1, 3, tzinfo=dt.UTC)
    feed(service, [recorded(at, "v1"), recorded(at + dt.timedelta(days=40), "v1"),
                   recorded(at, "v2", region="130202003004"), credited(at)])
    live = facts(engine)
    assert any(row[2] == "active_change" for row in live)
    with engine.begin() as conn:  # a model gone wrong: the rebuild does not start from it
        conn.execute(sa.text("UPDATE facts SET value = value + 7"))
    main(["--config", config])
    assert "replayed 4 events" in capsys.readouterr().out
    assert facts(engine) == live
