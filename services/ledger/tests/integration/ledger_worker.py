"""A separate process that hammers the ledger with random transfers (used by the tests).

    python ledger_worker.py DATABASE_URL SEED COUNT BATCH ACCOUNTS_JSON

``ACCOUNTS_JSON``: ``{"issuance": id, "personal": [ids…], "pool": id}``, shared by every
worker so that all of them contend for the same few rows. Runs ``COUNT`` requests in
batches of ``BATCH`` (one transaction each): service credits, gifts, donations,
reservations (some with a 1 s timeout), their posts and voids, reversals, and repeats
of earlier ids. Prints a JSON summary of the statuses; exits 1 on any database error
(a deadlock would be one).
"""
from __future__ import annotations

import datetime as dt
import json
import random
import sys
from collections import Counter

from ledger.app import posting
from ledger.contracts.kinds import PENDING, POST, POST_PENDING, REVERSE, VOID_PENDING
from ledger.domain.transfers import TransferRequest
from timebank_common.db import UnitOfWork, make_engine


def main(url: str, seed: int, count: int, batch: int, accounts: dict) -> dict:
    rng = random.Random(seed)
    engine = make_engine(url, pool_size=1)
    people, issuance, pool = accounts["personal"], accounts["issuance"], accounts["pool"]
    reservations, originals, sent = [], [], []
    statuses = Counter()
    done = 0
    while done < count:
        requests = []
        for _ in range(min(batch, count - done)):
            n = f"w{seed}-{done}"
            done += 1
            roll = rng.random()
            a, b = rng.sample(people, 2)
            amount = rng.randint(1, 90)
            if roll < 0.30:
                req = TransferRequest(n, POST, "service_credit", issuance, a, amount)
            elif roll < 0.50:
                req = TransferRequest(n, POST, "gift_to_relative", a, b, amount)
            elif roll < 0.55:
                req = TransferRequest(n, POST, "donation", a, pool, amount)
            elif roll < 0.60:
                req = TransferRequest(n, POST, "pool_allocation", pool, a, amount)
            elif roll < 0.72:
                req = TransferRequest(n, PENDING, "gift_to_relative", a, b, amount,
                                      timeout_seconds=rng.choice([1, 3600]))
            elif roll < 0.82 and reservations:
                pid, reserved = reservations.pop(rng.randrange(len(reservations)))
                req = TransferRequest(n, POST_PENDING, pending_id=pid,
                                      amount_minutes=rng.randint(1, reserved))
            elif roll < 0.86 and reservations:
                pid, _ = reservations.pop(rng.randrange(len(reservations)))
                req = TransferRequest(n, VOID_PENDING, pending_id=pid)
            elif roll < 0.92 and originals:
                oid = rng.choice(originals)
                req = TransferRequest(n, REVERSE, reverses_id=oid, reason="test dispute",
                                      approver="auditor-1", amount_minutes=rng.randint(1, 30))
            elif sent:
                req = rng.choice(sent)  # a repeat: same id, same content
            else:
                req = TransferRequest(n, POST, "service_credit", issuance, a, amount)
            requests.append(req)
        with UnitOfWork(engine) as uow:
            # real time: the 1 s reservations time out while the workers run
            outcomes = posting.create_transfers(uow, requests, dt.datetime.now(dt.UTC))
            uow.commit()
        for req, outcome in zip(requests, outcomes, strict=True):
            statuses[outcome.code or outcome.status] += 1
            if outcome.status == "pending":
                reservations.append((req.transfer_id, req.amount_minutes))
            if outcome.status == "posted" and req.action in (POST, POST_PENDING):
                originals.append(req.transfer_id)
            if outcome.status != "failed" and req.action == POST:
                sent.append(req)
    engine.dispose()
    return dict(statuses)


if __name__ == "__main__":
    url, seed, count, batch, accounts = sys.argv[1:6]
    print(json.dumps(main(url, int(seed), int(count), int(batch), json.loads(accounts))))
