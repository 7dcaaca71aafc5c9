"""List and replay a service's dead letters (operator tool).

    python -m timebank_common.deadletters ledger list
    python -m timebank_common.deadletters ledger replay [--event-id ID]

``list`` leaves the messages where they are. ``replay`` puts each message (or
only the one whose envelope has ``--event-id``) back on the queue it was
dead-lettered from, with a fresh delivery count, and removes it from the
dead-letter queue once the broker has confirmed the copy. Handlers use the inbox,
so replaying something that was in fact handled changes nothing.

The dead-letter queue is a quorum queue (``queues.dead_letter_queue``). Besides events it
may hold RPC requests that reached ``rpc-<service>``'s delivery limit (their processes died
holding them): ``list`` shows them (``from_queue`` ``rpc-<service>``), ``replay`` leaves them —
their callers stopped waiting long ago, and running a command nobody awaits could do it twice.
"""
from __future__ import annotations

import argparse
import json
import sys

from kombu import Connection

from . import config as config_mod
from .events import DEAD_LETTER_QUEUE_HEADER, DEAD_LETTER_REASON_HEADER, dead_letter_queue

_BROKER_REASONS = {
    "delivery_limit": "重试次数用尽（未记录错误，见服务日志）/ delivery limit reached (the error "
                      "is in the service's log)",
    "rejected": "被处理方拒绝 / rejected by its handler",
    "expired": "已过期 / expired",
    "maxlen": "队列已满 / queue full",
}


def _origin_queue(message) -> str | None:
    headers = message.headers or {}
    if headers.get(DEAD_LETTER_QUEUE_HEADER):
        return headers[DEAD_LETTER_QUEUE_HEADER]
    if headers.get("x-first-death-queue"):
        return headers["x-first-death-queue"]
    deaths = headers.get("x-death") or []
    return deaths[0].get("queue") if deaths else None


def _summary(message) -> dict:
    body = message.decode() if hasattr(message, "decode") else message.payload
    return {
        "event_id": body.get("event_id") if isinstance(body, dict) else None,
        "event_type": body.get("event_type") if isinstance(body, dict) else None,
        "from_queue": _origin_queue(message),
        "reason": _reason(message.headers or {}),
        "body": body,
    }


def _reason(headers: dict) -> str | None:
    """Why it was dead-lettered, readable: the handler's error when the handler moved it, else
    the broker's reason spelled out."""
    if headers.get(DEAD_LETTER_REASON_HEADER):
        return str(headers[DEAD_LETTER_REASON_HEADER])
    broker = headers.get("x-first-death-reason")
    return _BROKER_REASONS.get(broker, broker) if broker else None


def list_dead_letters(amqp_uri: str, service: str, limit: int = 1000) -> list[dict]:
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        queue = dead_letter_queue(service)(channel)
        queue.declare()
        held, out = [], []
        for _ in range(limit):
            message = queue.get(no_ack=False)
            if message is None:
                break
            held.append(message)
            out.append(_summary(message))
        for message in held:
            message.requeue()
        channel.close()
    return out


def replay(amqp_uri: str, service: str, event_id: str | None = None, limit: int = 1000) -> int:
    replayed = 0
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        queue = dead_letter_queue(service)(channel)
        queue.declare()
        producer = conn.Producer(channel=channel)
        skipped = []
        for _ in range(limit):
            message = queue.get(no_ack=False)
            if message is None:
                break
            summary = _summary(message)
            target = summary["from_queue"]
            if target is None or target.startswith("rpc-") or (
                    event_id and summary["event_id"] != event_id):
                skipped.append(message)
                continue
            headers = {k: v for k, v in (message.headers or {}).items()
                       if not k.startswith(("x-", "timebank-dead-letter-"))}
            producer.publish(
                message.body,
                exchange="",
                routing_key=target,
                headers=headers,
                content_type=message.content_type,
                content_encoding=message.content_encoding,
                delivery_mode=2,
            )
            message.ack()
            replayed += 1
        for message in skipped:
            message.requeue()
        channel.close()
    return replayed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("service")
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument("--event-id")
    parser.add_argument("--amqp-uri", help="defaults to AMQP_URI of deploy/config/<service>.yaml")
    args = parser.parse_args(argv)
    amqp_uri = args.amqp_uri or config_mod.load(f"deploy/config/{args.service}.yaml")["AMQP_URI"]
    if args.action == "list":
        letters = list_dead_letters(amqp_uri, args.service)
        json.dump(letters, sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
        print(f"{len(letters)} dead letter(s) / 死信 {len(letters)} 条", file=sys.stderr)
    else:
        count = replay(amqp_uri, args.service, args.event_id)
        print(f"replayed {count} / 已重放 {count} 条")
    return 0


if __name__ == "__main__":
    sys.exit(main())
