"""Batch event handlers: many events per worker and per transaction, for hot paths.

``@batch_event_handler("demand", "service_recorded", batch_size=200, max_wait=0.05)``
gives the method a list of envelopes instead of one. The queue is the same durable
quorum queue, delivery limit and dead-letter route as ``events.event_handler``
(DESIGN.md §3); what changes is the cost per event: one worker, one transaction and
one commit for up to ``batch_size`` events, which is what lets the ledger credit
thousands of services a second on a small machine.

How a batch is taken and settled:

* the entrypoint runs its own consumer (own connection, prefetch ``2 × batch_size``)
  in a managed green thread; it collects messages until ``batch_size`` are in hand or
  ``max_wait`` seconds passed since the first one, then runs one worker;
* the worker succeeds → every message of the batch is acked (one ``multiple`` ack);
* the worker fails → each message is retried on its own (a batch of one), so one
  poison message cannot hold back the others; a single message that fails is settled as
  ``events.settle_failure`` says (retried after a pause, counted unless the failure was a
  dependency's, and after ``EVENT_DELIVERY_LIMIT`` failures in ``<service>.dead-letters``);
* the process dies → nothing was acked after the commit point, the broker redelivers,
  and ``handle_batch_once`` drops what the inbox already holds.
"""
from __future__ import annotations

import functools
import json
import logging
import time
from typing import Any

from eventlet.event import Event
from kombu import Connection
from kombu.exceptions import OperationalError
from nameko.constants import HEADER_PREFIX
from nameko.extensions import Entrypoint

from . import consumer_audit, metrics
from .contracts import EventContract
from .events import (
    DEFAULT_DELIVERY_LIMIT,
    event_source,
    reliable_queue,
    retry_all_later,
    settle_failure,
    transient,
    transient_pause,
)
from .faults import crash_point

log = logging.getLogger(__name__)
RECONNECT_TRIES = 3  # a connection attempt goes round the failover URL's nodes
RECONNECT_PAUSE_SECONDS = 1.0


class BatchEventHandler(Entrypoint):
    def __init__(self, source_service: str, event_type: str, batch_size: int = 100,
                 max_wait: float = 0.05, **kwargs):
        self.source_service = source_service
        self.event_type = event_type
        self.batch_size = int(batch_size)
        self.max_wait = float(max_wait)
        self._stopping = False
        self._thread = None
        super().__init__(**kwargs)

    # -- lifecycle -----------------------------------------------------------------------
    def setup(self):
        config = self.container.config
        limit = int(config.get("EVENT_DELIVERY_LIMIT", DEFAULT_DELIVERY_LIMIT))
        self.delivery_limit = limit
        # config BATCH_MAX_WAIT_SECONDS: {method name: seconds} overrides the decorator's
        waits = config.get("BATCH_MAX_WAIT_SECONDS") or {}
        self.max_wait = float(waits.get(self.method_name, self.max_wait))
        self.queue, self.dead_letters = reliable_queue(
            self.container, self.source_service, self.event_type, self.method_name)

    def start(self):
        # declared before start() returns, so nothing published after the service is up is lost
        with Connection(self.container.config["AMQP_URI"]) as conn:
            for queue in (self.dead_letters, self.queue):
                queue.maybe_bind(conn)
                queue.declare()
        self._stopping = False
        self._thread = self.container.spawn_managed_thread(self._consume)

    def stop(self):
        self._stopping = True  # the loop settles the batch in hand, then leaves
        if self._thread is not None:
            self._thread.wait()

    def kill(self):
        if self._thread is not None:
            self._thread.kill()

    # -- consuming -----------------------------------------------------------------------
    def _consume(self):
        """Consume until stopped, on a new connection whenever the one in hand is lost (its
        node killed or cut off): the messages it held go back to the queue, and the inbox
        drops the ones a batch had already committed. Anything else is a bug and kills the
        container, as nameko does with any managed thread."""
        while not self._stopping:
            conn = Connection(self.container.config["AMQP_URI"], transport_options={
                "client_properties": {"connection_name": self.connection_name}})
            try:
                conn.ensure_connection(max_retries=RECONNECT_TRIES)
                self._consume_on(conn)
            except (*conn.connection_errors, *conn.channel_errors, OperationalError) as exc:
                if self._stopping:
                    break
                log.warning("%s: connection to the broker lost (%r); consuming again in %s s",
                            self.method_name, exc, RECONNECT_PAUSE_SECONDS)
                time.sleep(RECONNECT_PAUSE_SECONDS)
            finally:
                try:
                    conn.release()
                except Exception:  # already gone with its socket
                    pass

    @property
    def connection_name(self) -> str:
        """How the broker's management UI names this consumer's connection."""
        return f"{self.container.service_name}.{self.method_name} (batch consumer)"

    def _consume_on(self, conn: Connection) -> None:
        # py-amqp directly (no kombu Consumer): the messages are JSON envelopes from our own
        # relays, decoded here with the standard library; kombu's per-message wrapping and
        # its JSON hooks cost more than the rest of the consuming on the ledger's hot path
        channel = conn.channel()
        channel.basic_qos(0, 2 * self.batch_size, False)
        batch: list = []
        channel.basic_consume(queue=self.queue.name, callback=batch.append)
        audit = consumer_audit.ConsumerAudit(consumer_audit.audit_interval(self.container.config))
        first_at = None
        while not self._stopping:
            if audit.due():  # the broker still has this consumer (``consumer_audit``)
                consumer_audit.look(channel, [self.queue.name], audit)
            wait = 0.5 if first_at is None else first_at + self.max_wait - time.monotonic()
            try:
                conn.drain_events(timeout=max(wait, 0.001))
            except TimeoutError:
                pass
            if batch and first_at is None:
                first_at = time.monotonic()
            due = first_at is not None and time.monotonic() - first_at >= self.max_wait
            if batch and (len(batch) >= self.batch_size or due):
                taken = batch[:self.batch_size]
                del batch[:len(taken)]
                self._settle(channel, taken)
                first_at = time.monotonic() if batch else None
        if batch:  # stopping: finish what was delivered rather than hand it back
            self._settle(channel, batch)

    def _run_worker(self, bodies: list, context_data: dict):
        done = Event()

        def handle_result(worker_ctx, result, exc_info):
            done.send((result, exc_info))
            return result, exc_info

        self.container.spawn_worker(self, (bodies,), {}, context_data=context_data,
                                    handle_result=handle_result)
        return done.wait()

    def _settle(self, channel, delivered: list) -> None:
        taken = []
        for message in delivered:
            try:
                taken.append((json.loads(message.body), message))
            except ValueError:
                log.error("%s: message %s is not JSON; dead-lettered", self.method_name,
                          message.delivery_info["delivery_tag"])
                channel.basic_reject(message.delivery_info["delivery_tag"], requeue=False)
        if not taken:
            return
        _, exc_info = self._run_worker([body for body, _ in taken], _context(taken[0][1]))
        if exc_info is None:
            # one frame for the batch: every earlier delivery on this channel is settled
            # already (batches are taken in delivery order), the later ones are not in it
            channel.basic_ack(taken[-1][1].delivery_info["delivery_tag"], multiple=True)
            return
        if transient(exc_info[1]) and self._retried_later([message for _, message in taken]):
            log.warning("batch of %s %s events failed on a dependency (%r); retried later",
                        len(taken), self.event_type, exc_info[1])
            channel.basic_ack(taken[-1][1].delivery_info["delivery_tag"], multiple=True)
            return
        log.warning("batch of %s %s events failed (%r); retrying one by one",
                    len(taken), self.event_type, exc_info[1])
        for body, message in taken:
            tag = message.delivery_info["delivery_tag"]
            _, exc_info = self._run_worker([body], _context(message))
            if exc_info is None:
                channel.basic_ack(tag)
                continue
            if settle_failure(self, message, exc_info[1]):
                channel.basic_ack(tag)
            else:
                channel.basic_reject(tag, requeue=True)


    def _retried_later(self, messages: list) -> bool:
        """After a pause, the batch's messages back on the queue with their failures not
        counted (the database or another service was away, not the messages' fault)."""
        time.sleep(transient_pause(self.container.config))
        try:
            retry_all_later(self.container.config["AMQP_URI"], self.queue.name, messages)
            return True
        except Exception:
            log.exception("could not put a failed batch of %s back; one by one", self.event_type)
            return False


def _context(message) -> dict:
    prefix = f"{HEADER_PREFIX}."
    return {k[len(prefix):]: v for k, v in (message.headers or {}).items()
            if k.startswith(prefix)}


def batch_event_handler(source: str | EventContract, event_type: str | None = None,
                        **kwargs: Any):
    """``@batch_event_handler(SERVICE_RECORDED, batch_size=200)`` (or the two names): the
    method receives a list of envelopes (see the module's docstring)."""
    source_service, name = event_source(source, event_type)
    return BatchEventHandler.decorator(source_service, name, **kwargs)


def handle_batch_once(uow_factory, consumer: str, events: list[dict], effect) -> int:
    """Run ``effect(uow, new_events)`` in one transaction with the inbox records of the
    events not handled before (in order, each event id once). Returns how many were new."""
    event_type = events[0].get("event_type", "?") if events else "?"
    with uow_factory() as uow:
        new_ids = uow.first_deliveries(consumer, [e["event_id"] for e in events])
        fresh, seen = [], set()
        for event in events:
            key = str(event["event_id"])
            if key in new_ids and key not in seen:
                seen.add(key)
                fresh.append(event)
        if fresh:
            effect(uow, fresh)
        uow.commit()
    crash_point("handler_after_commit")
    metrics.EVENTS_HANDLED.labels(event_type, "done").inc(len(fresh))
    if len(events) > len(fresh):
        metrics.EVENTS_HANDLED.labels(event_type, "duplicate").inc(len(events) - len(fresh))
    return len(fresh)


def batch_once(consumer: str):
    """Decorator form of ``handle_batch_once`` for a method ``(self, uow, events)``.

        @batch_event_handler("demand", "service_recorded", batch_size=200)
        @batch_once("ledger.credit_service")
        def on_services_recorded(self, uow, events): ...
    """

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(self, events):
            return handle_batch_once(self.db, consumer, events,
                                     lambda uow, fresh: fn(self, uow, fresh))

        return wrapper

    return decorate
