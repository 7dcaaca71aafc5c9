"""Outbox relay: publishes committed outbox rows to RabbitMQ (DESIGN.md §3).

* Rows are taken with ``FOR UPDATE SKIP LOCKED``, so several relays (several
  processes of one service) share the work without publishing a row twice
  concurrently.
* A batch of rows is published to the exchange nameko's ``EventDispatcher`` would use
  (``<service>.events``, topic, routing key = event type), so ordinary
  ``@event_handler``s receive it, on a channel in **publisher-confirm** mode: the whole batch
  goes out, then the relay waits until the broker has confirmed every message (acks may
  cover several at once) — one round trip per batch. A quorum queue confirms once a majority
  of its replicas holds the message. The relay once used AMQP transactions; with quorum queues
  ``tx.commit`` answers before the queues have accepted, and a message a queue refuses
  (``x-overflow: reject-publish`` over a length limit) was dropped while the commit succeeded
  (verified on RabbitMQ 3.10.8). A nack now fails the batch: ``PublishRefused``.
* Rows are marked sent only after every confirm, in the same database transaction that
  held their lock; a nack, a timeout or a lost connection rolls it back and the rows are
  published again (the relay reconnects). If the process dies in between, the rows are
  published again after restart: consumers de-duplicate with their inbox.
* While idle, the relay keeps its connection alive (``keep_alive``): it reads the broker's
  heartbeats and sends its own. It once only published, so an idle relay sent no heartbeat; the
  broker closed the connection after two missed intervals (60 s) and the next publish after a
  quiet spell failed with ``ConnectionResetError`` — logged at ERROR every few minutes by every
  service. A reconnect is now logged at WARNING.
"""
from __future__ import annotations

import logging
import threading
import time

import amqp
from kombu import Connection
from nameko.constants import AMQP_URI_CONFIG_KEY, HEADER_PREFIX
from nameko.events import get_event_exchange
from nameko.extensions import DependencyProvider
from sqlalchemy import Text, cast, func, select, update
from sqlalchemy.engine import Engine

from . import metrics
from .db import one_of
from .faults import crash_point
from .messaging_tables import outbox_table

log = logging.getLogger(__name__)


def relay_batch(engine: Engine, connection: Connection, service_name: str, limit: int = 500) -> int:
    """Publish up to ``limit`` unsent rows; return how many were published.

    The bodies leave as PostgreSQL wrote them (``body::text``) and go straight to the AMQP
    channel with the properties kombu's producer would set (JSON, persistent, nameko's
    context headers): no decode and re-encode per message on the hot path."""
    exchange = get_event_exchange(service_name, {})
    with engine.begin() as db:
        rows = db.execute(
            select(outbox_table.c.id, outbox_table.c.event_type,
                   cast(outbox_table.c.body, Text).label("body"), outbox_table.c.headers)
            .where(outbox_table.c.sent_at.is_(None))
            .order_by(outbox_table.c.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return 0
        publish_confirmed(connection, [(amqp_message(row), exchange.name, row.event_type)
                                       for row in rows])
        crash_point("outbox_after_publish")
        db.execute(
            update(outbox_table)
            .where(one_of(outbox_table.c.id, [r.id for r in rows]))
            .values(sent_at=func.now(), attempts=outbox_table.c.attempts + 1)
        )
    metrics.OUTBOX_PUBLISHED.inc(len(rows))
    return len(rows)


CONFIRM_TIMEOUT_SECONDS = 30.0


class PublishRefused(Exception):
    """The broker nacked a message of the batch (a queue refused it): nothing is marked sent."""


class Confirms:
    """Publisher confirms of one channel, counted: ``confirm.select`` numbers the channel's
    publishes 1, 2, 3...; the broker acks or nacks each, or every one up to a number at once."""

    def __init__(self, channel) -> None:
        channel.confirm_select()
        channel.events["basic_ack"].add(self._ack)
        channel.events["basic_nack"].add(self._nack)
        self.published = 0
        self.outstanding: set[int] = set()
        self.nacked = 0
        self._floor = 1  # every tag below was settled by a ``multiple`` ack or nack

    def _settle(self, tag: int, multiple: bool) -> int:
        """Forget the tags settled now (each tag once: a batch costs O(its size))."""
        if not multiple:
            settled = 1 if tag in self.outstanding else 0
            self.outstanding.discard(tag)
            return settled
        before = len(self.outstanding)
        for settled_tag in range(self._floor, tag + 1):
            self.outstanding.discard(settled_tag)
        self._floor = max(self._floor, tag + 1)
        return before - len(self.outstanding)

    def _ack(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple)

    def _nack(self, tag: int, multiple: bool) -> None:
        self.nacked += self._settle(tag, multiple)


def publish_confirmed(connection: Connection, messages: list[tuple[amqp.Message, str, str]],
                      timeout: float = CONFIRM_TIMEOUT_SECONDS) -> None:
    """Publish ``(message, exchange, routing key)``s on ``connection``'s default channel and
    return once the broker confirmed them all; ``PublishRefused`` if it nacked any,
    ``TimeoutError`` if it did not answer in ``timeout`` seconds (a quorum queue without a
    majority holds its confirms back)."""
    channel = connection.default_channel
    confirms = _confirms_of(channel)
    nacked_before = confirms.nacked
    for message, exchange, routing_key in messages:
        channel.basic_publish(message, exchange=exchange, routing_key=routing_key)
        confirms.published += 1
        confirms.outstanding.add(confirms.published)
    deadline = time.monotonic() + timeout
    while confirms.outstanding:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{len(confirms.outstanding)} publish(es) not confirmed in {timeout}s")
        try:
            connection.drain_events(timeout=min(left, 1.0))
        except TimeoutError:
            pass
    if confirms.nacked > nacked_before:
        raise PublishRefused(f"the broker refused {confirms.nacked - nacked_before} of "
                             f"{len(messages)} message(s)")


def _confirms_of(channel) -> Confirms:
    confirms = getattr(channel, "_timebank_confirms", None)
    if confirms is None:
        confirms = Confirms(channel)
        channel._timebank_confirms = confirms
    return confirms


def amqp_message(row) -> amqp.Message:
    """The outbox row as the message ``EventDispatcher`` would have sent."""
    return amqp.Message(
        row.body.encode(),
        content_type="application/json",
        content_encoding="utf-8",
        delivery_mode=2,
        message_id=str(row.id),
        application_headers={f"{HEADER_PREFIX}.{k}": v for k, v in (row.headers or {}).items()},
    )


def declare_exchange(connection: Connection, service_name: str) -> None:
    exchange = get_event_exchange(service_name, {})
    exchange(connection.default_channel).declare()


def backlog(engine: Engine) -> tuple[int, float]:
    """(unsent rows, age in seconds of the oldest one)."""
    with engine.connect() as db:
        count, oldest = db.execute(
            select(func.count(), func.extract("epoch", func.now() - func.min(outbox_table.c.created_at)))
            .where(outbox_table.c.sent_at.is_(None))
        ).one()
    return int(count), float(oldest or 0.0)


HEARTBEAT_SECONDS = 30


def relay_connection(amqp_uri: str, heartbeat: float = HEARTBEAT_SECONDS) -> Connection:
    """A connection whose default channel publishes with confirms (``publish_confirmed``);
    call ``keep_alive`` on it at least every ``heartbeat / 2`` seconds. ``amqp_uri`` may be a
    failover URL (``amqp://a;amqp://b;amqp://c``): kombu tries the nodes in turn."""
    connection = Connection(amqp_uri, heartbeat=heartbeat)
    connection.ensure_connection(max_retries=3)
    _confirms_of(connection.default_channel)
    return connection


def keep_alive(connection: Connection) -> None:
    """Read what the broker sent (its heartbeats: a connection that never reads them counts
    them as missed) and send our heartbeat when one is due. Raises the connection's error when
    the broker has gone, so the relay reconnects before it needs to publish."""
    try:
        connection.drain_events(timeout=0)
    except TimeoutError:
        pass
    connection.heartbeat_check()


class OutboxRelay(DependencyProvider):
    """Runs the relay loop inside a service process.

    Uses the service's ``Database`` dependency (found on the container) for the
    engine, and makes its unit of work wake the relay on commit so events leave
    without waiting for the next poll. Config ``OUTBOX_RELAY: {enabled, poll_seconds,
    heartbeat_seconds}``.
    """

    def __init__(self, poll_seconds: float = 0.5):
        self.database = None
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._running = False

    def setup(self):
        cfg = self.container.config.get("OUTBOX_RELAY", {}) or {}
        self.enabled = bool(cfg.get("enabled", True))
        self.poll_seconds = float(cfg.get("poll_seconds", self.poll_seconds))
        self.heartbeat = float(cfg.get("heartbeat_seconds", HEARTBEAT_SECONDS))
        from .service import Database

        self.database = next(d for d in self.container.dependencies if isinstance(d, Database))
        self.database.on_commit = self.wake

    def start(self):
        if self.enabled:
            self._running = True
            self.container.spawn_managed_thread(self._loop, identifier="outbox_relay")

    def stop(self):
        self._running = False
        self._wake.set()

    def kill(self):
        self.stop()

    def wake(self):
        self._wake.set()

    def get_dependency(self, worker_ctx):
        return self.wake

    def _loop(self):
        service = self.container.service_name
        amqp_uri = self.container.config[AMQP_URI_CONFIG_KEY]
        connection = None
        while self._running:
            try:
                if connection is None:
                    connection = relay_connection(amqp_uri, self.heartbeat)
                    declare_exchange(connection, service)
                else:
                    keep_alive(connection)
                while self._running and relay_batch(self.database.engine, connection, service):
                    pass
            except Exception as exc:  # broker or database away: keep the rows, try again
                if connection is not None and isinstance(exc, connection.connection_errors):
                    log.warning("outbox relay lost its broker connection (%r); reconnecting", exc)
                else:
                    log.exception("outbox relay iteration failed; will retry")
                if connection is not None:
                    try:
                        connection.release()
                    except Exception:
                        pass
                connection = None
                time.sleep(1.0)
            self._wake.wait(min(self.poll_seconds, self.heartbeat / 2))
            self._wake.clear()
        if connection is not None:
            connection.release()
