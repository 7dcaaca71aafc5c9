"""The end-state checks of a platform that ran under faults (issue 17, item 4): nothing lost,
nothing doubled, nothing stuck.

Each check is a function returning a list of findings (strings naming what is wrong, with
the ids to look at); an empty list means the check holds. They read the services' databases
as the test harness does (``db_url(service)``: today ``running_platform``'s superuser URL, with
per-service clusters ``ServiceDatabases.superuser_url``), the local SMS and SMTP fakes, and the
broker's dead-letter queues. They never change the platform: the reporting check rebuilds
inside a transaction it rolls back.

They are meaningful only once the platform has settled — ``wait_settled``: every outbox sent,
every queue drained, every due notification delivery tried — else an event still on its way
reads as "lost". ``wait_settled`` answers findings too: what did not settle in time is stuck.

``tests/chaos/test_checks.py`` plants each fault a check looks for and sees its finding.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import requests
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from demand.contracts import ASSIGNED, AWAITING_RECORD, IN_SERVICE, PUBLISHED, SENT, VOIDED
from timebank_common.db import UnitOfWork
from timebank_common.deadletters import list_dead_letters

ACTIVE_ASSIGNMENTS = (ASSIGNED, IN_SERVICE, AWAITING_RECORD)
"""An assignment in one of these may still hold its reservation; any other has released it
(recorded: posted; withdrawn, no-show, cancelled: voided)."""

OPEN_DEMANDS = (PUBLISHED, ASSIGNED, IN_SERVICE, AWAITING_RECORD)

Engines = Callable[[str], Engine]
"""The harness's engine on a service's database (by service name)."""


# --- 1. every recorded service credited exactly once ----------------------------------------
_RECORDS = text("SELECT record_id::text, volunteer_id, status FROM service_records")
_CREDITS = text("""
    SELECT t.reference->>'record_id' AS record_id, t.id, a.owner_person_id
    FROM transfers t JOIN accounts a ON a.id = t.credit_account_id
    WHERE t.kind = 'service_credit' AND t.phase IN ('posted', 'post_pending')
      AND a.kind = 'personal' AND t.reference ? 'record_id'
""")


def every_process_running(exit_codes: dict[str, int | None]) -> list[str]:
    """No process ended by itself: the injector restarts what it kills, so a process whose
    exit code is set (``{name: Popen.poll()}``) died of a fault it should have survived."""
    return [f"process {name} exited by itself with {code}; see its log"
            for name, code in sorted(exit_codes.items()) if code is not None]


def credited_exactly_once(demand: Engine, ledger: Engine) -> list[str]:
    """Each service record demand sent to the ledger has exactly one service credit to its
    volunteer's personal account; a record not sent (held, awaiting confirmation, rejected) has
    none; the ledger credits no record demand does not know."""
    with demand.connect() as conn:
        records = {r.record_id: r for r in conn.execute(_RECORDS)}
    credits: dict[str, list] = defaultdict(list)
    with ledger.connect() as conn:
        for row in conn.execute(_CREDITS):
            credits[row.record_id].append(row)
    findings = []
    for record_id, record in sorted(records.items()):
        got = credits.get(record_id, [])
        if (record.status == SENT and len(got) != 1) or len(got) > 1:
            findings.append(f"record {record_id} ({record.status}) credited {len(got)} times: "
                            f"{[c.id for c in got]}")
        elif record.status not in (SENT, VOIDED) and got:  # voided: maybe after its credit
            findings.append(f"record {record_id} is {record.status}, yet credited: "
                            f"{[c.id for c in got]}")
        for credit in got:
            if credit.owner_person_id != record.volunteer_id:
                findings.append(f"record {record_id} credited to {credit.owner_person_id}, "
                                f"not its volunteer {record.volunteer_id} ({credit.id})")
    for record_id in sorted(set(credits) - set(records)):
        findings.append(f"credit of a record demand does not know: {record_id} "
                        f"{[c.id for c in credits[record_id]]}")
    return findings


# --- 2. the ledger's invariants and journal ------------------------------------------------
_PROBLEM_LISTS = ("mismatches", "pending_mismatches", "below_zero", "unbalanced_transfers",
                  "running_balance_mismatches", "yearly_sum_mismatches")


def ledger_verifies(ledger: Engine) -> list[str]:
    """The ledger's own ``verify_balances`` (every invariant of ``ledger/adapters/invariants.py``
    and the hash chain), run on its database as ``python -m ledger.commands.verify_journal``
    does."""
    from ledger.app.verification import verify_balances  # noqa: PLC0415 - the ledger's code

    report = verify_balances(lambda: UnitOfWork(ledger))
    if report["ok"]:
        return []
    findings = [f"ledger {name}: {problem}" for name in _PROBLEM_LISTS
                for problem in report.get(name) or []]
    if report["total_sum"] != 0:
        findings.append(f"ledger entries sum to {report['total_sum']}, not 0")
    journal = report["journal"]
    if journal and not journal["ok"]:
        findings.append(f"ledger journal broken: {journal['first_broken']}, "
                        f"unchained {journal['unchained_transfers'][:10]}")
    return findings or [f"ledger verify_balances not ok: {report}"]


# --- 3. no reservation open past its demand ------------------------------------------------
_OPEN_RESERVATIONS = text("""
    SELECT p.id, p.amount_minutes, p.expires_at FROM transfers p
    WHERE p.phase = 'pending' AND p.id LIKE 'reservation:%'
      AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.pending_id = p.id)
""")
_ASSIGNMENTS = text("""
    SELECT a.id::text AS assignment_id, a.status, d.id::text AS demand_id,
           d.status AS demand_status, d.window_end
    FROM assignments a JOIN demands d ON d.id = a.demand_id
    WHERE a.id::text = ANY(:ids)
""")


def no_reservation_past_its_demand(demand: Engine, ledger: Engine,
                                   now: dt.datetime | None = None) -> list[str]:
    """Every reservation the ledger holds open (``reservation:<assignment id>``, pending and
    neither posted, voided nor expired) belongs to an assignment that is still under way, of a
    demand that is still open and whose window has not ended."""
    now = now or dt.datetime.now(dt.UTC)
    with ledger.connect() as conn:
        held = conn.execute(_OPEN_RESERVATIONS).all()
    if not held:
        return []
    ids = [r.id.split(":", 1)[1] for r in held]
    with demand.connect() as conn:
        known = {r.assignment_id: r for r in conn.execute(_ASSIGNMENTS, {"ids": ids})}
    findings = []
    for reservation, assignment_id in zip(held, ids, strict=True):
        a = known.get(assignment_id)
        if a is None:
            findings.append(f"{reservation.id} ({reservation.amount_minutes} min) open for an "
                            "assignment demand does not know")
        elif (a.status not in ACTIVE_ASSIGNMENTS or a.demand_status not in OPEN_DEMANDS
              or a.window_end < now):
            findings.append(f"{reservation.id} ({reservation.amount_minutes} min) still open: "
                            f"assignment {a.status}, demand {a.demand_id} {a.demand_status}, "
                            f"window ended {a.window_end.isoformat()}")
    return findings


# --- 4. no notification sent twice -----------------------------------------------------------
def _sms_reference(request: dict) -> str | None:
    return request.get("SessionContext") or None


def no_notification_sent_twice(sms_requests: Iterable[dict], mails: Iterable) -> list[str]:
    """No two SMS the provider accepted, and no two mails the SMTP server received, carry the
    same delivery id (notify sends each delivery with its id: SMS ``SessionContext``, mail
    ``X-Timebank-Delivery``; a delivery is one notification on one channel, unique in notify's
    database)."""
    findings = []
    sms = Counter(ref for ref in map(_sms_reference, sms_requests) if ref)
    findings += [f"SMS delivery {ref} sent {n} times" for ref, n in sorted(sms.items()) if n > 1]
    mail = Counter(m["X-Timebank-Delivery"] for m in mails if m["X-Timebank-Delivery"])
    findings += [f"e-mail delivery {ref} sent {n} times" for ref, n in sorted(mail.items())
                 if n > 1]
    return findings


# --- 5. nothing unexplained in a dead-letter queue ------------------------------------------
@dataclass(frozen=True)
class Explained:
    """A dead letter the run expects, and why: matched on its event type and on a part of the
    reason the kit recorded."""

    event_type: str
    reason_contains: str
    why: str


EXPLAINED: tuple[Explained, ...] = ()
"""Dead letters a chaos run may leave, each with its reason. Empty: under every fault of the
schedule no handler should give up on a message (a handler error is retried, a dead process's
messages wait in durable queues)."""


def unexplained(letters: Sequence[dict], explained: Sequence[Explained] = EXPLAINED) -> list[dict]:
    return [letter for letter in letters
            if not any(letter.get("event_type") == e.event_type
                       and e.reason_contains in (letter.get("reason") or "") for e in explained)]


def dead_letters_explained(amqp_uri: str, services: Iterable[str],
                           explained: Sequence[Explained] = EXPLAINED) -> list[str]:
    """Every message in a ``<service>.dead-letters`` queue is one ``explained`` expects."""
    findings = []
    for service in services:
        for letter in unexplained(list_dead_letters(amqp_uri, service), explained):
            findings.append(f"{service}.dead-letters: {letter.get('event_type')} "
                            f"{letter.get('event_id')} from {letter.get('from_queue')}: "
                            f"{letter.get('reason')}")
    return findings


# --- 6. reporting equal to a rebuild ---------------------------------------------------------
def reporting_equals_rebuild(reporting: Engine) -> list[str]:
    """Every read-model table of reporting equals what ``reporting.commands.rebuild`` makes of
    the event archive: reporting's own comparison (``reporting.app.rebuilding``, also
    ``rebuild --check`` and the backup drill), in a transaction that is rolled back: the live
    tables are left as they were."""
    from reporting.app.rebuilding import differences_from_rebuild  # noqa: PLC0415

    return differences_from_rebuild(reporting)


# --- settling --------------------------------------------------------------------------------
_UNSENT = text("SELECT CASE WHEN to_regclass('outbox') IS NULL THEN 0 ELSE "
               "(SELECT count(*) FROM outbox WHERE sent_at IS NULL) END")
_DUE_DELIVERIES = text(
    "SELECT count(*), round(extract(epoch FROM now() - min(not_before))), max(attempts), "
    "min(channel), max(last_error), round(extract(epoch FROM now() - max(updated_at))) "
    "FROM deliveries WHERE status = 'pending' AND not_before <= now()")


REPLIES = "rpc.reply-"
"""Reply queues: transient, one per caller; answers left in the queue of a caller that was
killed are nobody's work (the call's effect is done), and go with the queue."""


def unsettled(engines: Engines, services: Iterable[str],
              queue_depths: Callable[[], dict[str, int]]) -> list[str]:
    """What is still in flight: unsent outbox rows, messages in work queues (dead-letter queues
    aside: a check of their own; reply queues aside), notify's deliveries that are due and not
    yet tried."""
    pending = []
    for service in services:
        with engines(service).connect() as conn:
            unsent = conn.execute(_UNSENT).scalar_one()
            if unsent:
                pending.append(f"{service} outbox: {unsent} unsent")
            if service == "notify":
                due, oldest, attempts, channel, error, touched = \
                    conn.execute(_DUE_DELIVERIES).one()
                if due:  # what says why: a worker that stopped, or one that keeps failing
                    pending.append(f"notify: {due} deliveries due and not sent (the oldest "
                                   f"due {oldest}s ago, e.g. {channel}, attempts up to "
                                   f"{attempts}, last error {error!r}, last touched "
                                   f"{touched}s ago)")
    pending += [f"queue {name}: {n} messages" for name, n in sorted(queue_depths().items())
                if n and not name.endswith(".dead-letters") and not name.startswith(REPLIES)]
    return pending


def wait_settled(engines: Engines, services: Iterable[str],
                 queue_depths: Callable[[], dict[str, int]], timeout: float = 180,
                 quiet_for: float = 6.0) -> list[str]:
    """Wait until nothing is in flight, and stays so for ``quiet_for`` seconds (the broker's
    queue figures lag a few seconds behind); at ``timeout`` what is still in flight is
    returned: it is stuck."""
    services = list(services)
    deadline = time.monotonic() + timeout
    quiet_since = None
    while True:
        try:
            pending = unsettled(engines, services, queue_depths)
        except (OperationalError, requests.RequestException) as exc:  # asked again
            pending = [f"could not look: {exc!r}"[:300]]
        now = time.monotonic()
        if pending:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= quiet_for:
            return []
        if now > deadline:
            return [f"stuck after {timeout:.0f}s: {p}" for p in pending]
        time.sleep(0.5)
