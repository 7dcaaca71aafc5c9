"""notify's timers run by two processes at the same moment over the same due work: every SMS
reaches the provider once, every reminder and qualification warning is one message, every
webhook delivery is POSTed once, and pruning twice at once forgets what is old and nothing
else (issue 17 item 5). Two notify workers (``worker_factory``, as two processes'
containers would run the timer) on one real database whose units of work commit (this
module's own), their timer methods released together (``side_by_side``); SMS go to the local
provider stand-in and webhooks to a local receiver, both real HTTP servers.

How each stays single: deliveries, reminders and webhook deliveries are claimed one row at a
time ``FOR UPDATE SKIP LOCKED`` and marked in that transaction (``sending`` before the
provider is asked; a ``sending`` row left past its lease is taken by ``expire_interrupted``,
again ``SKIP LOCKED``); a message is inserted once per (person, kind, source) under a unique
constraint (``ON CONFLICT DO NOTHING``), so a second warning run adds nothing; the prune is a
``DELETE`` by age (the second waits for the first's row locks and skips what it deleted)
with the pruned-through mark only ever raised (``greatest``). The broker-level proof of
deliveries and reminders with two real processes is ``test_two_processes.py`` and
``test_reminders.py``."""
import datetime as dt
import uuid

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import func, select, update
from timebank_testing import outbox_events
from timebank_testing.fake_channels import webhook_receiver
from timebank_testing.side_by_side import CommittingDatabase, side_by_side

from notify.adapters import change_repository
from notify.adapters.tables import changes, deliveries, messages, reminders
from notify.service import NotifyService

from .conftest import CHANNELS, AbsentDemand, assigned, credited, event, someone

MANY = 6
CHANGAN_COMMUNITY = "130102001001"
WEBHOOKS = {"max_attempts": 3, "backoff_base_seconds": 30, "backoff_cap_seconds": 3600,
            "sending_lease_seconds": 60, "timeout_seconds": 5, "max_endpoints": 2}


@pytest.fixture(scope="module")
def db(own_database_url):
    made = CommittingDatabase(own_database_url("notify"), pool_size=8)
    yield made
    made.dispose()


def process(db, clock, identity, fake_sms, fake_smtp):
    return worker_factory(
        NotifyService, db=db, clock=clock, identity=identity, demand=AbsentDemand(),
        config={"CHECK_CONTRACTS": "strict", "IDENTITY_RPC_TIMEOUT_SECONDS": 5,
                "DEMAND_RPC_TIMEOUT_SECONDS": 5, "DELIVERY": dict(CHANNELS),
                "SMS": fake_sms.settings(), "SMTP": fake_smtp.settings(),
                "WEBHOOKS": dict(WEBHOOKS)})


@pytest.fixture
def notify(db, clock, identity, fake_sms, fake_smtp):
    return process(db, clock, identity, fake_sms, fake_smtp)


@pytest.fixture
def two(db, clock, identity, fake_sms, fake_smtp):
    """Two processes' workers on the same database, clock and identity."""
    return tuple(process(db, clock, identity, fake_sms, fake_smtp) for _ in range(2))


def by_sms(notify, identity, role="volunteer"):
    """Someone who is told by SMS only, at any hour."""
    pid, caller = someone(identity, role)
    notify.set_preferences(caller, {"channels": ["sms"], "quiet_hours": None})
    return pid


def test_each_due_sms_reaches_the_provider_once_and_an_interrupted_one_dies_once(
        db, notify, two, identity, fake_sms, clock):
    people = [by_sms(notify, identity) for _ in range(MANY)]
    for pid in people:
        notify.on_hours_credited(credited(pid))
    stuck = by_sms(notify, identity)  # its process died while asking the provider
    notify.on_hours_credited(credited(stuck))
    with db() as uow:
        uow.execute(update(deliveries).where(deliveries.c.person_id == stuck).values(
            status="sending", updated_at=clock.now() - dt.timedelta(hours=1)))
        uow.commit()
    side_by_side(*(p.send_due for p in two))
    phones = {pid: identity.people[pid].phone for pid in people}
    assert {pid: len(fake_sms.to(phone)) for pid, phone in phones.items()} == \
        dict.fromkeys(people, 1)
    failed = [e["payload"] for e in outbox_events(db, "notification_failed")
              if e["payload"]["person_id"] == stuck]
    assert len(failed) == 1 and fake_sms.to(identity.people[stuck].phone) == []


def test_each_due_reminder_is_one_message(db, notify, two, identity, clock):
    pairs = [(by_sms(notify, identity), by_sms(notify, identity, "elder")) for _ in range(3)]
    demand_ids = [str(uuid.uuid4()) for _ in pairs]
    start = clock.now() + dt.timedelta(hours=24, minutes=5)
    for (volunteer, elder), demand_id in zip(pairs, demand_ids, strict=True):
        notify.on_demand_assigned(assigned(volunteer, elder, start, demand_id=demand_id))
    clock.advance(minutes=6)  # the day-before reminders fall due
    side_by_side(*(p.send_reminders for p in two))
    with db() as uow:
        sent = uow.execute(select(reminders.c.id, reminders.c.person_id).where(
            reminders.c.demand_id.in_(demand_ids), reminders.c.status == "sent")).all()
        told = uow.execute(select(messages.c.source_event_id, func.count()).where(
            messages.c.source_event_id.in_([f"reminder:{r.id}" for r in sent]))
            .group_by(messages.c.source_event_id)).all()
    assert len(sent) == 2 * len(pairs)  # the volunteer's and the elder's, per demand
    assert sorted(told) == sorted((f"reminder:{r.id}", 1) for r in sent)


def test_each_expiring_qualification_is_warned_once(db, notify, two, identity, clock):
    soon = clock.now().date() + dt.timedelta(days=10)
    ids = [identity.add_qualification(by_sms(notify, identity), "nurse", soon)
           for _ in range(MANY)]
    side_by_side(*(p.warn_expiring_qualifications for p in two))
    sources = [f"qualification-expiring:{q}" for q in ids]
    with db() as uow:
        told = dict(uow.execute(select(messages.c.source_event_id, func.count())
                                .where(messages.c.source_event_id.in_(sources))
                                .group_by(messages.c.source_event_id)).all())
        scheduled = uow.execute(select(func.count()).select_from(deliveries).join(
            messages, messages.c.id == deliveries.c.message_id).where(
            messages.c.source_event_id.in_(sources))).scalar_one()
    assert told == dict.fromkeys(sources, 1)
    assert scheduled == MANY  # one SMS each


def test_each_webhook_delivery_is_posted_once(notify, two, clock):
    client = {"person_id": None, "client_id": f"sjz-{uuid.uuid4().hex[:8]}",
              "roles": ["api_client"], "scope": "130100000000"}
    with webhook_receiver() as receiver:
        created = notify.create_webhook(client, {"url": receiver.url})
        receiver.secret, receiver.clock = created["secret"], clock
        for _ in range(MANY):
            notify.feed_demand_submitted([event("demand_submitted", {
                "demand_id": str(uuid.uuid4()), "elder_id": str(uuid.uuid4()),
                "category": "chat", "region_code": CHANGAN_COMMUNITY, "channel": "api",
                "window_start": "2030-05-02T01:00:00+00:00",
                "window_end": "2030-05-02T02:00:00+00:00", "expected_minutes": 60,
                "volunteers_needed": 1}, CHANGAN_COMMUNITY)])
        side_by_side(*(p.send_webhooks for p in two))
        posted = [r["delivery"] for r in receiver.received]
    assert len(posted) == MANY and len(set(posted)) == MANY
    assert len(receiver.accepted()) == MANY


def test_two_prunes_at_once_forget_the_old_changes_only(db, notify, two, clock):
    def feed(n):
        for _ in range(n):
            notify.feed_person_registered([event("person_registered", {
                "person_id": str(uuid.uuid4()), "profile": "elder",
                "region_code": CHANGAN_COMMUNITY}, CHANGAN_COMMUNITY)])
        with db() as uow:
            return change_repository.latest_sequence(uow)

    old = feed(MANY)
    clock.advance(days=31)  # past the 30 days' retention
    feed(2)
    side_by_side(*(p.prune_changes for p in two))
    with db() as uow:
        left = uow.execute(select(func.min(changes.c.sequence), func.count())).one()
        pruned = change_repository.pruned_through(uow)
    assert (left[0], left[1], pruned) == (old + 1, 2, old)
