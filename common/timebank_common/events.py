"""Reliable event handlers: durable quorum queues, bounded retries, dead letters.

``@event_handler("demand", "service_recorded")`` (this module's) differs from
nameko's in three ways (DESIGN.md §3):

* its queue is a durable **quorum** queue (three replicas, ``queues.event_queue``) with
  ``x-delivery-limit`` and at-least-once dead-lettering: a handler
  that keeps failing is retried ``EVENT_DELIVERY_LIMIT`` times (with a growing pause),
  then moved to ``<service>.dead-letters`` — by the handler on its last attempt, with the
  error that stopped it in the ``timebank-dead-letter-reason`` header (what ``deadletters
  list`` shows), or by the broker's limit should that publish fail;
* the handler counts its own failures, in the ``timebank-failures`` header of a copy it puts
  back on the queue (then acks the delivery), not in the broker's ``x-delivery-count``: that
  also counts the messages a consumer hands back when its channel closes (its process or its
  node died), and a few faults in a row used up the attempts of events nobody failed on;
* a failure of what the handler depends on — its database unavailable, another service not
  answering (``transient``) — is retried after a pause without counting: a database restart
  must not send a healthy event to the dead letters;
* it is never dropped on error (``requeue_on_error``) and never loops forever;
* the wrapped method receives the validated envelope; ``handle_once`` gives the
  inbox check in the same transaction as the effect.

Replay dead letters with ``python -m timebank_common.deadletters``.
"""
from __future__ import annotations

import functools
import logging
import time
from typing import Any

from kombu import Connection, Queue
from kombu import exceptions as kombu_errors
from nameko.events import EventHandler
from nameko.exceptions import RpcTimeout
from nameko.messaging import Consumer

from . import metrics
from .contracts import EventContract
from .db import DATABASE_UNAVAILABLE
from .entrypoints import HeldWhileKilled, survives_lost_connection
from .errors import Unavailable
from .faults import crash_point
from .logs import scrub
from .queues import (  # noqa: F401 -- DEAD_LETTER_EXCHANGE, dead_letter_exchange: re-exported
    DEAD_LETTER_EXCHANGE,
    DEFAULT_EVENT_DELIVERY_LIMIT,
    dead_letter_exchange,
    dead_letter_queue,
    declare,
    event_queue,
)

log = logging.getLogger(__name__)

DEFAULT_DELIVERY_LIMIT = DEFAULT_EVENT_DELIVERY_LIMIT
DEAD_LETTER_QUEUE_HEADER = "timebank-dead-letter-queue"  # the queue it failed in
DEAD_LETTER_REASON_HEADER = "timebank-dead-letter-reason"  # why, readable
FAILURES_HEADER = "timebank-failures"  # how often a handler failed on this message
TRANSIENT_PAUSE_SECONDS = 2.0  # between tries while a dependency is down

# what a handler depends on did not serve it (not the message's fault): the database, another
# service (``Unavailable``, an RPC timeout), the broker
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    *DATABASE_UNAVAILABLE, Unavailable, RpcTimeout, kombu_errors.OperationalError,
    ConnectionError)


def reliable_queue(container, source_service: str, event_type: str,
                   method_name: str) -> tuple[Queue, Queue]:
    """The durable quorum queue of one handler, and its service's dead-letter queue
    (``queues.event_queue``)."""
    service = container.service_name
    queue = event_queue(service, source_service, event_type, method_name, container.config)
    return queue, dead_letter_queue(service)


def attempt_of(message) -> int:
    """Which attempt of a handler on ``message`` this is (1 for the first): one more than the
    failures counted in its ``timebank-failures`` header."""
    return int((message.headers or {}).get(FAILURES_HEADER, 0)) + 1


def transient(exc: BaseException) -> bool:
    """Whether a handler's failure is a dependency's (retried without counting), not the
    message's."""
    return isinstance(exc, TRANSIENT_ERRORS)


def failure_reason(exc: BaseException, attempts: int) -> str:
    """What stopped a handler, for an operator: the error's type, code, text and details
    (validation messages name fields), without personal data a database error may quote."""
    details = getattr(exc, "details", None)
    text = f"{type(exc).__name__}: {exc}" + (f"; details: {details}" if details else "")
    return scrub(f"failed {attempts} times / 处理 {attempts} 次均失败 — {text}")[:2000]


def dead_letter(amqp_uri: str, service: str, queue: str, message, reason: str) -> None:
    """Put a copy of ``message`` on ``service``'s dead-letter queue with where and why it
    failed; returns once the broker confirmed it (the caller then acks the original)."""
    _publish_copy(amqp_uri, message, dead_letter_exchange(), service,
                  {DEAD_LETTER_QUEUE_HEADER: queue, DEAD_LETTER_REASON_HEADER: reason})


def retry_later(amqp_uri: str, queue: str, message, failures: int) -> None:
    """Put a copy of ``message`` back on ``queue`` (its end) carrying ``failures``; returns once
    the broker confirmed it (the caller then acks the original)."""
    _publish_copy(amqp_uri, message, "", queue, {FAILURES_HEADER: failures})


def retry_all_later(amqp_uri: str, queue: str, messages: list) -> None:
    """``retry_later`` for each of ``messages`` with its failures unchanged, on one
    connection (a batch that failed on a dependency)."""
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        producer = conn.Producer()
        for message in messages:
            _publish_copy(producer, message, "", queue,
                          {FAILURES_HEADER: attempt_of(message) - 1})


def _publish_copy(target, message, exchange, routing_key: str, extra: dict) -> None:
    """Publish ``message`` again with ``extra`` headers (and none of the broker's), confirmed;
    ``target`` is an AMQP URI or a producer on a connection with confirms."""
    if isinstance(target, str):
        with Connection(target, transport_options={"confirm_publish": True}) as conn:
            return _publish_copy(conn.Producer(), message, exchange, routing_key, extra)
    headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-")}
    headers.update(extra)
    target.publish(
        message.body, exchange=exchange, routing_key=routing_key,
        headers=headers, content_type=message.content_type,
        content_encoding=message.content_encoding, delivery_mode=2, retry=True,
        retry_policy={"max_retries": 3})
    return None


class ReliableEventHandler(HeldWhileKilled, EventHandler):
    def __init__(self, source_service, event_type, **kwargs):
        kwargs.setdefault("requeue_on_error", True)
        super().__init__(source_service, event_type, reliable_delivery=True, **kwargs)

    def setup(self):
        limit = int(self.container.config.get("EVENT_DELIVERY_LIMIT", DEFAULT_DELIVERY_LIMIT))
        self.delivery_limit = limit
        # the dead-letter queue must exist before the first message is dead-lettered
        self.queue, self._dead_letters = reliable_queue(
            self.container, self.source_service, self.event_type, self.method_name)
        Consumer.setup(self)

    def start(self):
        from nameko.amqp import get_connection  # nameko's pooled connection helper

        with get_connection(self.container.config["AMQP_URI"]) as conn:
            declare(conn, self._dead_letters)
        super().start()

    @survives_lost_connection
    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is not None and settle_failure(self, message, exc_info[1]):
            self.queue_consumer.ack_message(message)
            return result, exc_info
        return super().handle_result(message, worker_ctx, result, exc_info)


def settle_failure(entrypoint: Any, message: Any, exc: BaseException) -> bool:
    """After a handler (reliable or batch) failed on ``message``, with ``entrypoint``'s
    ``delivery_limit`` and ``queue``: on its last allowed attempt the message moves to the dead
    letters with the reason; before that, or whatever the attempt when the failure is
    ``transient``, a copy goes back to its queue after a pause — counting this failure unless
    transient. True once the broker confirmed the move (the caller acks the delivery); False
    when it failed (the caller requeues the delivery, and the broker's limit still bounds it)."""
    attempts = attempt_of(message)
    passing = transient(exc)
    log.warning("event handler %s failed (attempt %s%s): %r", entrypoint.method_name, attempts,
                ", a dependency's failure: not counted" if passing else "", exc)
    config = entrypoint.container.config
    amqp_uri = config["AMQP_URI"]
    try:
        if passing:
            time.sleep(transient_pause(config))
            retry_later(amqp_uri, entrypoint.queue.name, message, attempts - 1)
        elif attempts >= entrypoint.delivery_limit:
            dead_letter(amqp_uri, entrypoint.container.service_name, entrypoint.queue.name,
                        message, failure_reason(exc, attempts))
        else:
            pause_before_redelivery(attempts)
            retry_later(amqp_uri, entrypoint.queue.name, message, attempts)
        return True
    except Exception:
        log.exception("could not move a failed message of %s; requeued", entrypoint.method_name)
        return False


def transient_pause(config: Any) -> float:
    """Seconds between tries while a dependency is away (``EVENT_TRANSIENT_PAUSE_SECONDS``)."""
    return float(config.get("EVENT_TRANSIENT_PAUSE_SECONDS", TRANSIENT_PAUSE_SECONDS))


def pause_before_redelivery(attempts: int) -> None:
    """A short pause, growing with the attempts, before a failed message is tried again."""
    time.sleep(min(0.2 * 2 ** (attempts - 1), 5.0))


def event_handler(source: str | EventContract, event_type: str | None = None, **kwargs: Any):
    """``@event_handler(DEMAND_CANCELLED)`` (the producer's ``EventContract``, imported from
    its contracts) or ``@event_handler("demand", "demand_cancelled")``: a reliable handler of
    that event (see the module's docstring)."""
    source_service, name = event_source(source, event_type)
    return ReliableEventHandler.decorator(source_service, name, **kwargs)


def event_source(source: str | EventContract, event_type: str | None) -> tuple[str, str]:
    """(producing service, event type) from a contract or the two names."""
    if isinstance(source, EventContract):
        return source.source, source.name
    if event_type is None:
        raise TypeError("an event handler needs an EventContract or (source, event_type)")
    return source, event_type


def handle_once(uow_factory, consumer: str, event: dict, effect) -> bool:
    """Run ``effect(uow, event)`` in one transaction with the inbox record.

    Returns False (and does nothing) when ``consumer`` already handled the event.
    """
    with uow_factory() as uow:
        if not uow.first_delivery(consumer, event["event_id"]):
            metrics.EVENTS_HANDLED.labels(event.get("event_type", "?"), "duplicate").inc()
            return False
        effect(uow, event)
        uow.commit()
    crash_point("handler_after_commit")  # chaos tests: effect committed, message not yet acked
    metrics.EVENTS_HANDLED.labels(event.get("event_type", "?"), "done").inc()
    return True


def once(consumer: str):
    """Decorator form of ``handle_once`` for a service method ``(self, uow, event)``.

        @event_handler("demand", "service_recorded")
        @once("ledger.credit_service")
        def on_service_recorded(self, uow, event): ...
    """

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(self, event):
            return handle_once(self.db, consumer, event, lambda uow, ev: fn(self, uow, ev))

        return wrapper

    return decorate
