"""Idempotent creates and state changes: the same ``Idempotency-Key`` answers the first answer
(DESIGN.md §3).

A municipal system that retries ``POST /api/v1/elders`` after a timeout must not register the
elder twice; a volunteer's app that retries a check-in after a lost answer gets the first
answer, not 409 because the demand already moved on. Each service keeps, in its own database,
the table ``idempotency_keys``: per caller and key, the request's fingerprint (a hash of the
operation and its canonical JSON arguments), the answer, and when it was made. ``once`` runs a
create (or a state change) so that

* the key row is written in the **same transaction** as the create: the use case's units of
  work are savepoints inside the transaction that holds the key row (``UnitOfWork.nested``),
  so the create and its key exist together or not at all. A process that dies before the
  commit leaves neither; the retry creates exactly one;
* a retry with the same key and fingerprint answers the stored answer (``replayed``), and
  one with another fingerprint is refused: 422 ``idempotency_key_reused``;
* two requests with one key at the same time: the second one's insert of the key row waits
  on the first's uncommitted row (a unique insert waits for the transaction holding the same
  key), then answers the first answer; if the first failed, the second runs. It waits at
  most ``wait_seconds`` (PostgreSQL's ``lock_timeout``): then 409
  ``idempotency_key_in_flight``, and the client retries later;
* a refusal (a ``DomainError``) is not remembered: the key row is removed and whatever the
  use case committed before refusing stays, exactly as without a key. The key can be used
  again (a fixed request, or the same once the refusal's cause is gone).

Keys are kept at least ``RETENTION`` (24 hours); ``purge`` (run by each service's timer,
``service.IdempotencyPurge``) deletes older ones. The clock is passed in.

The nameko side is ``@rpc(..., idempotent=True)`` (``service.py``): with an
``idempotency_key`` argument the RPC runs through ``once`` and answers the ``envelope``; the
gateway unwraps it (``unwrap``) and marks a replay with ``Idempotent-Replayed: true``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from kombu.utils import json as wire_json
from sqlalchemy import (
    Column,
    DateTime,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import OperationalError

from .caller import Caller
from .db import UnitOfWork, UnitOfWorkFactory
from .errors import BadInput, Conflict, RuleViolation
from .faults import crash_point
from .messaging_tables import metadata

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
RETENTION = dt.timedelta(hours=24)
DEFAULT_WAIT_SECONDS = 15.0
PURGE_BATCH = 5000

idempotency_keys_table = Table(
    "idempotency_keys",
    metadata,
    Column("caller", String(200), primary_key=True),
    Column("key", String(MAX_KEY_LENGTH), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("answer", Text),  # the answer as JSON text (sealed when the service has a cipher)
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def create_idempotency_table(op) -> None:
    """Call from one Alembic migration of each service that takes idempotent creates."""
    import sqlalchemy as sa

    op.create_table(
        "idempotency_keys",
        sa.Column("caller", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(MAX_KEY_LENGTH), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("answer", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("idempotency_keys_created_at", "idempotency_keys", ["created_at"])


KEY_INVALID = BadInput(
    "idempotency_key_invalid",
    f"Idempotency-Key 须为 1–{MAX_KEY_LENGTH} 个可见 ASCII 字符",
    f"The Idempotency-Key must be 1–{MAX_KEY_LENGTH} visible ASCII characters")


def valid_key(raw: str | None) -> str | None:
    """The key as sent (None when absent); 400 ``idempotency_key_invalid`` unless it is 1–255
    visible ASCII characters (``!`` to ``~``: no spaces, no control or non-ASCII characters)."""
    if raw is None:
        return None
    if not isinstance(raw, str) or not 1 <= len(raw) <= MAX_KEY_LENGTH or \
            not all("!" <= ch <= "~" for ch in raw):
        raise KEY_INVALID
    return raw


def key_reused(operation: str) -> RuleViolation:
    return RuleViolation(
        "idempotency_key_reused",
        "该 Idempotency-Key 已用于另一个请求（请求内容或操作不同）；新请求请换一个新的键",
        "This Idempotency-Key was used for another request (different body or operation); "
        "use a new key for a new request", {"operation": operation})


KEY_IN_FLIGHT = Conflict(
    "idempotency_key_in_flight",
    "使用同一 Idempotency-Key 的请求仍在处理中，请稍后重试",
    "A request with the same Idempotency-Key is still being processed; retry shortly")


def _canonical(value: Any) -> Any:
    """JSON-safe, order-free form of loaded arguments (sets sorted; dates, UUIDs, Decimals as
    text), so the same request always gives the same fingerprint."""
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def fingerprint(operation: str, arguments: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the operation (``identity.register_elder``: the route's create) and
    its arguments as canonical JSON (keys sorted)."""
    document = json.dumps({"operation": operation, "arguments": _canonical(arguments)},
                          sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def caller_id(caller: Caller) -> str:
    """Whose keys: a municipal client's and a person's never collide."""
    if caller.client_id:
        return f"client:{caller.client_id}"
    if caller.person_id:
        return f"person:{caller.person_id}"
    return "anonymous"


class Cipher(Protocol):
    def encrypt(self, plaintext: str | None) -> str | None: ...

    def decrypt(self, token: str | None) -> str | None: ...


def _encode(answer: Any, cipher: Cipher | None) -> str:
    """The answer as the RPC would send it (kombu's JSON: a datetime comes back a datetime),
    sealed when the service keeps personal data encrypted (a registration's answer)."""
    text = wire_json.dumps(answer)
    return cipher.encrypt(text) if cipher is not None else text  # type: ignore[return-value]


def _decode(stored: str, cipher: Cipher | None) -> Any:
    return wire_json.loads(cipher.decrypt(stored) if cipher is not None else stored)


@dataclass(frozen=True)
class Stored:
    fingerprint: str
    answer: str | None


def _claim(uow: UnitOfWork, caller: str, key: str, print_: str, now: dt.datetime,
           wait_seconds: float) -> Stored | None:
    """Insert the key row (None: this request runs the create), or the committed row of the
    first request with this key. Waits for a concurrent first request at most
    ``wait_seconds``."""
    table = idempotency_keys_table
    previous = uow.execute(select(func.current_setting("lock_timeout"),
                                  func.set_config("lock_timeout",
                                                  f"{max(1, int(wait_seconds * 1000))}ms",
                                                  True))).one()[0]
    try:
        inserted = uow.execute(
            insert(table).values(caller=caller, key=key, fingerprint=print_, created_at=now)
            .on_conflict_do_nothing().returning(table.c.key)).first()
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == "55P03":  # lock_not_available
            raise KEY_IN_FLIGHT from None
        raise
    uow.execute(select(func.set_config("lock_timeout", previous, True)))
    if inserted is not None:
        return None
    row = uow.execute(select(table.c.fingerprint, table.c.answer)
                      .where(and_(table.c.caller == caller, table.c.key == key))).first()
    if row is None:  # purged between the two statements: a key that old is new again
        return _claim(uow, caller, key, print_, now, wait_seconds)
    return Stored(row.fingerprint, row.answer)


def once(db: UnitOfWorkFactory, *, caller: str, key: str, operation: str, print_: str,
         now: dt.datetime, action: Callable[[UnitOfWorkFactory], Any],
         wait_seconds: float = DEFAULT_WAIT_SECONDS, cipher: Cipher | None = None
         ) -> tuple[Any, bool]:
    """``(answer, replayed)``: ``action(nested_db)``'s answer, run at most once per
    ``(caller, key)``; or the first answer again. ``action`` opens its units of work from the
    factory it is given: they are savepoints in the transaction that writes the key row."""
    table = idempotency_keys_table
    with db() as outer:
        stored = _claim(outer, caller, key, print_, now, wait_seconds)
        if stored is not None:
            if stored.fingerprint != print_:
                raise key_reused(operation)
            if stored.answer is None:  # never committed so; defensive
                raise KEY_IN_FLIGHT
            return _decode(stored.answer, cipher), True
        this_key = and_(table.c.caller == caller, table.c.key == key)
        try:
            answer = action(outer.nested())
        except BaseException:
            _forget(outer, this_key)
            raise
        outer.execute(update(table).where(this_key).values(answer=_encode(answer, cipher)))
        crash_point("idempotency_before_commit")
        outer.commit()
    return answer, False


def _forget(outer: UnitOfWork, this_key) -> None:
    """The create was refused (or failed): drop the key row, keep what the action committed
    (as it would have without a key), and let the error through."""
    try:
        outer.execute(delete(idempotency_keys_table).where(this_key))
        outer.commit()
    except Exception:  # the transaction is unusable: it rolls back, the key with it
        log.warning("could not release an idempotency key after a failed create", exc_info=True)


def purge(db: UnitOfWorkFactory, now: dt.datetime, keep: dt.timedelta = RETENTION) -> int:
    """Delete keys older than ``keep`` (never less than ``RETENTION``), in batches of
    ``PURGE_BATCH`` rows, each its own transaction; the number deleted."""
    cutoff = now - max(keep, RETENTION)
    table = idempotency_keys_table
    total = 0
    while True:
        with db() as uow:
            old = (select(table.c.caller, table.c.key).where(table.c.created_at < cutoff)
                   .limit(PURGE_BATCH).with_for_update(skip_locked=True))
            deleted = uow.execute(
                delete(table).where(tuple_(table.c.caller, table.c.key).in_(old))).rowcount
            uow.commit()
        total += deleted
        if deleted < PURGE_BATCH:
            return total


ENVELOPE_ANSWER, ENVELOPE_REPLAYED = "answer", "idempotency_replayed"


def envelope(answer: Any, replayed: bool) -> dict[str, Any]:
    """What an idempotent RPC answers when it was given a key."""
    return {ENVELOPE_ANSWER: answer, ENVELOPE_REPLAYED: replayed}


def unwrap(result: Any) -> tuple[Any, bool]:
    """``(answer, replayed)`` from an idempotent RPC's answer (an ``envelope`` when a key was
    given; the plain answer otherwise)."""
    if isinstance(result, dict) and set(result) == {ENVELOPE_ANSWER, ENVELOPE_REPLAYED}:
        return result[ENVELOPE_ANSWER], bool(result[ENVELOPE_REPLAYED])
    return result, False
