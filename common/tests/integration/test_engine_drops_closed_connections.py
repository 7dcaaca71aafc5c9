"""A kit engine replaces a pooled connection the server has closed before a request uses it
(issue 17: after a database restart the first request of each process answered 500), without a
``SELECT 1`` round trip per checkout (``pool_pre_ping``)."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from timebank_common.db import make_engine

PID = text("SELECT pg_backend_pid()")


def terminate(url: str, pid: int) -> None:
    """What a server restart does to an idle connection: its backend ends and the socket is
    closed (``pg_terminate_backend`` with a timeout returns once the backend is gone)."""
    admin = create_engine(url, poolclass=NullPool)
    try:
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid, 10000)"),
                                {"pid": pid}).scalar_one()
    finally:
        admin.dispose()


def test_a_connection_the_server_closed_is_replaced_at_checkout(database_url):
    url = database_url("notify")
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as conn:
            first = conn.execute(PID).scalar_one()
        terminate(url, first)
        with engine.connect() as conn:  # the same pool slot: no error, a new backend
            assert conn.execute(PID).scalar_one() != first
    finally:
        engine.dispose()


def test_without_the_check_the_first_use_fails(database_url):
    """The case the check is for: a plain engine hands out the dead connection."""
    url = database_url("notify")
    engine = create_engine(url, pool_size=1)
    try:
        with engine.connect() as conn:
            first = conn.execute(PID).scalar_one()
        terminate(url, first)
        with pytest.raises(OperationalError), engine.connect() as conn:
            conn.execute(PID)
    finally:
        engine.dispose()
