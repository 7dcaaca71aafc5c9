"""Webhooks of municipal systems: their endpoints, and the worker that POSTs each change of
their city, signed (``domain.webhooks``), with bounded retries and a dead-letter state.

A delivery is claimed with ``FOR UPDATE SKIP LOCKED`` and marked ``sending`` in that
transaction; the endpoint is asked outside any transaction and the outcome written in a
second one. Unlike an SMS, a webhook is safe to send twice (the receiver deduplicates by
``Timebank-Delivery``), so one left ``sending`` by a process that died is sent again after
the lease rather than given up: at least once, never lost.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.clock import Clock
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import BadInput, Conflict, NotFound, RuleViolation

from ..adapters import change_repository
from ..adapters import webhook_repository as repo
from ..adapters.webhook_sender import WebhookSender
from ..contracts import CHANGE_READERS
from ..domain import webhooks as rules
from ..domain.delivery import RetryPolicy
from .changes import item_view

MAX_ENDPOINTS = 5


def _client(caller: Caller) -> str:
    caller.require(*CHANGE_READERS)
    if not caller.client_id or not caller.scope:
        raise BadInput("client_required", "仅限市级系统（客户端凭证）调用",
                       "Only municipal systems (client credentials) may do this")
    return caller.client_id


def endpoint_view(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"webhook_id": str(row["id"]), "url": row["url"], "created_at": row["created_at"]}


def create(db: UnitOfWorkFactory, caller: Caller, data: Mapping[str, Any],
           now: dt.datetime, max_endpoints: int = MAX_ENDPOINTS) -> dict[str, Any]:
    """A new endpoint for the caller's city; its secret is in this answer only."""
    client_id = _client(caller)
    try:
        url = rules.check_url(data["url"].strip())
    except rules.UrlRefused as exc:
        raise BadInput("invalid_webhook_url", exc.zh, exc.en, {"url": [exc.en]}) from None
    with db() as uow:
        existing = repo.endpoints_of(uow, client_id)
        if any(e["url"] == url for e in existing):
            raise Conflict("webhook_exists", "该地址已登记", "This URL is already registered",
                           {"webhook_id": str(next(e["id"] for e in existing if e["url"] == url))})
        if len(existing) >= max_endpoints:
            raise RuleViolation("too_many_webhooks", f"每个市级系统最多登记 {max_endpoints} 个地址",
                                f"At most {max_endpoints} webhook URLs per API client",
                                {"limit": max_endpoints})
        secret = rules.new_secret()
        row = repo.add_endpoint(uow, client_id, caller.scope or "", url, secret, now)
        uow.commit()
    return {**endpoint_view(row), "secret": secret}


def listing(db: UnitOfWorkFactory, caller: Caller) -> dict[str, Any]:
    client_id = _client(caller)
    with db() as uow:
        return {"items": [endpoint_view(e) for e in repo.endpoints_of(uow, client_id)]}


def _endpoint_id(webhook_id: Any) -> str:
    try:
        return str(uuid.UUID(str(webhook_id)))
    except ValueError:
        raise BadInput("invalid_webhook_id", "地址编号格式不正确", "Malformed webhook id",
                       {"webhook_id": str(webhook_id)}) from None


def delete(db: UnitOfWorkFactory, caller: Caller, webhook_id: Any,
           now: dt.datetime) -> dict[str, Any]:
    """No more deliveries to it; what it still owed is cancelled. Another client's endpoint
    answers as an unknown one."""
    client_id = _client(caller)
    endpoint_id = _endpoint_id(webhook_id)
    with db() as uow:
        if repo.endpoint_of(uow, client_id, endpoint_id) is None:
            raise NotFound("webhook_not_found", "未找到该地址", "No such webhook",
                           {"webhook_id": endpoint_id})
        repo.delete_endpoint(uow, endpoint_id, now)
        uow.commit()
    return {"webhook_id": endpoint_id, "deleted": True}


def client_revoked(uow, payload: Mapping[str, Any], now: dt.datetime) -> int:
    """A municipal system whose access was revoked in identity (``tokens_revoked`` with reason
    ``client_revoked``) gets nothing more pushed: its endpoints are deleted, what they still
    owed cancelled (in the handler's unit of work). The number of endpoints."""
    if payload.get("reason") != "client_revoked" or not payload.get("client_id"):
        return 0
    endpoints = repo.endpoints_of(uow, payload["client_id"])
    for endpoint in endpoints:
        repo.delete_endpoint(uow, str(endpoint["id"]), now)
    return len(endpoints)


def body_of(delivery_id: str, webhook_id: str, change: Mapping[str, Any]) -> bytes:
    """The JSON POSTed: the delivery's id (also a header) and the change as the feed shows it."""
    item = item_view(change)
    item["occurred_at"] = item["occurred_at"].isoformat()
    return json.dumps({"delivery_id": delivery_id, "webhook_id": webhook_id, "change": item},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def deliver_due(db: UnitOfWorkFactory, sender: WebhookSender, policy: RetryPolicy,
                clock: Clock, lease: dt.timedelta, limit: int = 50) -> int:
    """Send up to ``limit`` due deliveries, one at a time; the number handled."""
    handled = 0
    while handled < limit and _deliver_one(db, sender, policy, clock, lease):
        handled += 1
    return handled


def _deliver_one(db: UnitOfWorkFactory, sender: WebhookSender, policy: RetryPolicy,
                 clock: Clock, lease: dt.timedelta) -> bool:
    now = clock.now()
    with db() as uow:
        row = repo.claim_due(uow, now, now - lease)
        if row is None:
            return False
        delivery_id, attempts = str(row["id"]), int(row["attempts"]) + 1
        change = change_repository.get(uow, int(row["sequence"]))
        if change is None:  # pruned before it could be delivered
            repo.update_delivery(uow, delivery_id, now, status=repo.DEAD, attempts=attempts,
                                 last_error="change no longer kept")
            uow.commit()
            return True
        repo.update_delivery(uow, delivery_id, now, status=repo.SENDING, attempts=attempts,
                             claimed_at=now)
        uow.commit()
    body = body_of(delivery_id, str(row["endpoint_id"]), change)
    stamp = int(clock.now().timestamp())
    outcome = sender.post(row["url"], body, {
        rules.SIGNATURE_HEADER: rules.signature_header(row["secret"], stamp, body),
        rules.DELIVERY_HEADER: delivery_id})
    done = clock.now()
    with db() as uow:
        if outcome.ok:
            repo.update_delivery(uow, delivery_id, done, status=repo.DELIVERED,
                                 delivered_at=done, last_error=None)
        else:
            status, next_at = policy.after_failure(attempts, done)
            repo.update_delivery(uow, delivery_id, done,
                                 status=status,  # the policy's "failed" or "dead"
                                 not_before=next_at or done,
                                 last_error=outcome.error or f"HTTP {outcome.status}")
        uow.commit()
    return True


def dead(db: UnitOfWorkFactory, limit: int = 100) -> list[dict[str, Any]]:
    with db() as uow:
        return repo.dead(uow, max(1, min(int(limit), 1000)))


def replay(db: UnitOfWorkFactory, delivery_id: Any, now: dt.datetime) -> dict[str, Any]:
    """A dead delivery is sent again: back to ``pending`` now, attempts from zero."""
    try:
        delivery_id = str(uuid.UUID(str(delivery_id)))
    except ValueError:
        raise BadInput("invalid_delivery_id", "投递编号格式不正确", "Malformed delivery id",
                       {"delivery_id": str(delivery_id)}) from None
    with db() as uow:
        found = repo.delivery(uow, delivery_id, lock=True)
        if found is None:
            raise NotFound("delivery_not_found", "未找到该投递", "No such delivery",
                           {"delivery_id": delivery_id})
        if found["status"] != repo.DEAD:
            raise Conflict("delivery_not_dead", "只能重发已放弃的投递",
                           "Only a dead delivery can be replayed",
                           {"status": found["status"]})
        repo.update_delivery(uow, delivery_id, now, status=repo.PENDING, attempts=0,
                             not_before=now, last_error=None)
        replayed = repo.delivery(uow, delivery_id) or found
        uow.commit()
    return replayed
