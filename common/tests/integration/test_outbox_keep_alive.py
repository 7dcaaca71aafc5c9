"""Why every service's relay logged ConnectionResetError every few minutes (issue 15 item 15),
on the real broker with a 1-second heartbeat instead of 30: a relay connection that only
publishes sends no heartbeat while idle, the broker closes it after two missed intervals, and
the next publish fails. ``keep_alive`` between polls keeps it open."""
from __future__ import annotations

import time

import amqp
import pytest

from timebank_common.outbox import keep_alive, publish_confirmed, relay_connection

HEARTBEAT = 1.0
IDLE = 4 * HEARTBEAT  # past the two intervals after which the broker gives up on a client


def _idle(connection, keeping_alive: bool) -> None:
    """Stay idle for ``IDLE`` seconds, as a relay does between quiet polls (what is tested
    here is time passing with no traffic)."""
    deadline = time.monotonic() + IDLE
    while time.monotonic() < deadline:
        if keeping_alive:
            keep_alive(connection)
        time.sleep(0.2)


def _publish(connection) -> None:
    publish_confirmed(connection, [(amqp.Message(b"{}"), "", "no-such-queue")])


def test_an_idle_relay_connection_that_keeps_alive_can_still_publish(amqp_uri):
    connection = relay_connection(amqp_uri, heartbeat=HEARTBEAT)
    try:
        _idle(connection, keeping_alive=True)
        _publish(connection)
    finally:
        connection.release()


def test_without_keep_alive_the_broker_drops_the_idle_connection(amqp_uri):
    """The cause, shown: what the relay did before."""
    connection = relay_connection(amqp_uri, heartbeat=HEARTBEAT)
    try:
        _idle(connection, keeping_alive=False)
        with pytest.raises(connection.connection_errors):
            _publish(connection)
    finally:
        try:
            connection.release()
        except connection.connection_errors:
            pass
