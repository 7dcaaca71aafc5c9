"""Reliable event handlers: durable quorum queues, bounded retries, dead letters.

``@event_handler("demand", "service_recorded")`` (this module's) differs from
nameko's in three ways (DESIGN.md §3):

* its queue is a durable **quorum** queue (three replicas, ``queues.event_queue``) with
  ``x-delivery-limit`` and at-least-once dead-lettering: a handler
  that keeps failing is retried a bounded number of times (with a growing pause),
  then moved to ``<service>.dead-letters`` — by the handler on its last attempt, with the
  error that stopped it in the ``timebank-dead-letter-reason`` header (what ``deadletters
  list`` shows), or by the broker's limit should that publish fail;
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
from nameko.events import EventHandler
from nameko.messaging import Consumer

from . import metrics
from .contracts import EventContract
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


def reliable_queue(container, source_service: str, event_type: str, method_name: str,
                   delivery_limit: int) -> tuple[Queue, Queue]:
    """The durable quorum queue of one handler, and its service's dead-letter queue
    (``queues.event_queue``, with ``delivery_limit``)."""
    service = container.service_name
    config = dict(container.config, EVENT_DELIVERY_LIMIT=delivery_limit)
    queue = event_queue(service, source_service, event_type, method_name, config)
    return queue, dead_letter_queue(service)


def attempt_of(message) -> int:
    """Which delivery of ``message`` this is (1 for the first): quorum queues count the
    earlier ones in ``x-delivery-count``."""
    return int((message.headers or {}).get("x-delivery-count", 0)) + 1


def failure_reason(exc: BaseException, attempts: int) -> str:
    """What stopped a handler, for an operator: the error's type, code, text and details
    (validation messages name fields), without personal data a database error may quote."""
    details = getattr(exc, "details", None)
    text = f"{type(exc).__name__}: {exc}" + (f"; details: {details}" if details else "")
    return scrub(f"failed {attempts} times / 处理 {attempts} 次均失败 — {text}")[:2000]


def dead_letter(amqp_uri: str, service: str, queue: str, message, reason: str) -> None:
    """Put a copy of ``message`` on ``service``'s dead-letter queue with where and why it
    failed; returns once the broker confirmed it (the caller then acks the original)."""
    headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-")}
    headers.update({DEAD_LETTER_QUEUE_HEADER: queue, DEAD_LETTER_REASON_HEADER: reason})
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        conn.Producer().publish(
            message.body, exchange=dead_letter_exchange(), routing_key=service,
            headers=headers, content_type=message.content_type,
            content_encoding=message.content_encoding, delivery_mode=2, retry=True,
            retry_policy={"max_retries": 3})


class ReliableEventHandler(EventHandler):
    def __init__(self, source_service, event_type, **kwargs):
        kwargs.setdefault("requeue_on_error", True)
        super().__init__(source_service, event_type, reliable_delivery=True, **kwargs)

    def setup(self):
        limit = int(self.container.config.get("EVENT_DELIVERY_LIMIT", DEFAULT_DELIVERY_LIMIT))
        self.delivery_limit = limit
        # the dead-letter queue must exist before the first message is dead-lettered
        self.queue, self._dead_letters = reliable_queue(
            self.container, self.source_service, self.event_type, self.method_name, limit)
        Consumer.setup(self)

    def start(self):
        from nameko.amqp import get_connection  # nameko's pooled connection helper

        with get_connection(self.container.config["AMQP_URI"]) as conn:
            declare(conn, self._dead_letters)
        super().start()

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is not None:
            attempts = attempt_of(message)
            log.warning(
                "event handler %s failed (attempt %s): %r",
                self.method_name, attempts, exc_info[1],
            )
            if dead_lettered_at_limit(self, message, exc_info[1], attempts):
                self.queue_consumer.ack_message(message)
                return result, exc_info
            pause_before_redelivery(attempts)
        return super().handle_result(message, worker_ctx, result, exc_info)


def dead_lettered_at_limit(entrypoint: Any, message: Any, exc: BaseException,
                           attempts: int) -> bool:
    """On a handler's last allowed attempt, the message moved to the dead letters with the
    reason (``dead_letter``), for the reliable and the batch handlers alike. False before
    that, or when moving failed: the broker's delivery limit then dead-letters it, without
    the reason."""
    if attempts < entrypoint.delivery_limit:
        return False
    try:
        dead_letter(entrypoint.container.config["AMQP_URI"], entrypoint.container.service_name,
                    entrypoint.queue.name, message, failure_reason(exc, attempts))
        return True
    except Exception:
        log.exception("could not dead-letter a message of %s; requeued", entrypoint.method_name)
        return False


def pause_before_redelivery(attempts: int) -> None:
    """A short pause, growing with the attempts, before a failed message is redelivered."""
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
    service = consumer.split(".")[0]
    with uow_factory() as uow:
        if not uow.first_delivery(consumer, event["event_id"]):
            metrics.EVENTS_HANDLED.labels(service, event.get("event_type", "?"), "duplicate").inc()
            return False
        effect(uow, event)
        uow.commit()
    crash_point("handler_after_commit")  # chaos tests: effect committed, message not yet acked
    metrics.EVENTS_HANDLED.labels(service, event.get("event_type", "?"), "done").inc()
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
